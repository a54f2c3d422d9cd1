using Microsoft.Win32.SafeHandles;

namespace Rustorrent.Storage;

/// <summary>
/// Open file handles of one download, at most <see cref="Capacity"/> of them idle at a time, least recently
/// used closed first: a torrent of 20,000 files must not hold 20,000 descriptors (the usual limit is 1,024).
/// A handle in use (leased) is never closed under its user; the cache goes over its bound instead.
/// </summary>
internal sealed class FileHandleCache : IDisposable
{
    private readonly object gate = new();
    private readonly Dictionary<int, Entry> entries = [];
    private readonly LinkedList<Entry> recent = new(); // most recently used first
    private bool disposed;

    public FileHandleCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>Handles open now, leased or idle.</summary>
    public int Count
    {
        get
        {
            lock (gate)
                return entries.Count;
        }
    }

    /// <summary>A lease on the cached handle of file <paramref name="key"/>, if one is open (and writable when <paramref name="write"/>).</summary>
    public bool TryAcquire(int key, bool write, out FileHandleLease lease)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (entries.TryGetValue(key, out var entry) && (entry.Writable || !write))
            {
                entry.Leases++;
                recent.Remove(entry.Node);
                recent.AddFirst(entry.Node);
                lease = new FileHandleLease(this, entry);
                return true;
            }
        }
        lease = default;
        return false;
    }

    /// <summary>
    /// Caches a handle just opened and leases it. When another caller cached a usable handle for the same file
    /// meanwhile, that one is leased and <paramref name="handle"/> closed. A read-only handle that is leased
    /// cannot be replaced by a writable one; the writable one is then leased uncached and closed after use.
    /// </summary>
    public FileHandleLease Add(int key, SafeFileHandle handle, bool writable)
    {
        List<SafeFileHandle>? toClose = null;
        FileHandleLease lease;
        lock (gate)
        {
            if (disposed)
            {
                handle.Dispose();
                throw new ObjectDisposedException(nameof(FileHandleCache));
            }
            if (entries.TryGetValue(key, out var existing))
            {
                if (existing.Writable || !writable)
                {
                    handle.Dispose();
                    existing.Leases++;
                    recent.Remove(existing.Node);
                    recent.AddFirst(existing.Node);
                    return new FileHandleLease(this, existing);
                }
                if (existing.Leases > 0)
                    return new FileHandleLease(this, new Entry(key, handle, writable) { Leases = 1, Uncached = true });
                Remove(existing);
                (toClose ??= []).Add(existing.Handle);
            }
            var entry = new Entry(key, handle, writable) { Leases = 1 };
            entry.Node = recent.AddFirst(entry);
            entries.Add(key, entry);
            lease = new FileHandleLease(this, entry);
            TrimLocked(ref toClose);
        }
        CloseAll(toClose);
        return lease;
    }

    /// <summary>The writable handles open now, for flushing; each leased until the caller disposes it.</summary>
    public List<FileHandleLease> AcquireWritable()
    {
        var leases = new List<FileHandleLease>();
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            foreach (var entry in entries.Values)
            {
                if (!entry.Writable)
                    continue;
                entry.Leases++;
                leases.Add(new FileHandleLease(this, entry));
            }
        }
        return leases;
    }

    /// <summary>Closes the handle of file <paramref name="key"/> if it is open and idle.</summary>
    public void Close(int key)
    {
        SafeFileHandle? handle = null;
        lock (gate)
        {
            if (entries.TryGetValue(key, out var entry) && entry.Leases == 0)
            {
                Remove(entry);
                handle = entry.Handle;
            }
        }
        handle?.Dispose();
    }

    internal void Release(Entry entry)
    {
        List<SafeFileHandle>? toClose = null;
        lock (gate)
        {
            entry.Leases--;
            if (entry.Uncached || (disposed && entry.Leases == 0))
                (toClose ??= []).Add(entry.Handle);
            else
                TrimLocked(ref toClose);
        }
        CloseAll(toClose);
    }

    public void Dispose()
    {
        List<SafeFileHandle> toClose = [];
        lock (gate)
        {
            if (disposed)
                return;
            disposed = true;
            // A handle still leased is closed by its last Release; the SafeHandle also keeps a running system
            // call safe, since it is ref-counted for the call's duration.
            foreach (var entry in entries.Values)
            {
                if (entry.Leases == 0)
                    toClose.Add(entry.Handle);
            }
            entries.Clear();
            recent.Clear();
        }
        CloseAll(toClose);
    }

    private void TrimLocked(ref List<SafeFileHandle>? toClose)
    {
        var node = recent.Last;
        while (entries.Count > Capacity && node is not null)
        {
            var previous = node.Previous;
            if (node.Value.Leases == 0)
            {
                Remove(node.Value);
                (toClose ??= []).Add(node.Value.Handle);
            }
            node = previous;
        }
    }

    private void Remove(Entry entry)
    {
        entries.Remove(entry.Key);
        recent.Remove(entry.Node);
    }

    private static void CloseAll(List<SafeFileHandle>? handles)
    {
        if (handles is null)
            return;
        foreach (var handle in handles)
            handle.Dispose();
    }

    internal sealed class Entry(int key, SafeFileHandle handle, bool writable)
    {
        public int Key { get; } = key;

        public SafeFileHandle Handle { get; } = handle;

        public bool Writable { get; } = writable;

        public int Leases { get; set; }

        /// <summary>Not in the cache: closed when its one lease ends.</summary>
        public bool Uncached { get; init; }

        public LinkedListNode<Entry> Node { get; set; } = null!;
    }
}
