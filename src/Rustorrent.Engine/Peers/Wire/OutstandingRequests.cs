using System.Globalization;

namespace Rustorrent.Peers.Wire;

/// <summary>
/// The blocks we have asked one peer for and not yet received, so that a piece or reject (BEP 6) for a
/// block we never asked for is caught, and so that a choke can hand the dropped requests back. Keyed by
/// (piece, offset); the length must match too. Thread-safe: requests are sent from the session while
/// pieces arrive on the reading loop.
/// </summary>
internal sealed class OutstandingRequests
{
    // Without the fast extension a peer may silently drop cancelled requests; remembering more than this
    // many cancelled ones is not worth the memory (a late piece for a forgotten one is refused).
    private const int MaxRememberedCancels = 256;

    private readonly Dictionary<long, Entry> entries = [];
    private readonly int capacity;
    private int cancelled;

    public OutstandingRequests(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        this.capacity = capacity;
    }

    /// <summary>Requests still wanted (cancelled ones not counted).</summary>
    public int Count
    {
        get
        {
            lock (entries)
                return entries.Count - cancelled;
        }
    }

    /// <summary>Records requests about to be sent; refuses the lot (changing nothing) if one is already
    /// outstanding or the cap would be passed.</summary>
    public void AddRange(ReadOnlySpan<BlockRequest> blocks)
    {
        lock (entries)
        {
            if (entries.Count - cancelled + blocks.Length > capacity)
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"{entries.Count - cancelled + blocks.Length:N0} requests would be outstanding; the limit per peer is {capacity:N0}."));
            for (var i = 0; i < blocks.Length; i++)
            {
                if (entries.TryGetValue(Key(blocks[i]), out var existing) && !existing.Cancelled)
                {
                    for (var j = 0; j < i; j++)
                        entries.Remove(Key(blocks[j]));
                    throw new InvalidOperationException($"{blocks[i]} is already requested from this peer.");
                }
                if (existing.Cancelled)
                    cancelled--;
                entries[Key(blocks[i])] = new Entry(blocks[i].Length, Cancelled: false);
            }
        }
    }

    /// <summary>Marks a request as cancelled (a late piece for it is then still accepted). False if it was not outstanding.</summary>
    public bool Cancel(BlockRequest block, bool fastExtension)
    {
        lock (entries)
        {
            if (!entries.TryGetValue(Key(block), out var entry) || entry.Cancelled || entry.Length != block.Length)
                return false;
            entries[Key(block)] = entry with { Cancelled = true };
            cancelled++;
            // BEP 6 peers answer every cancelled request with the piece or a reject, so those entries clear themselves.
            if (!fastExtension && cancelled > MaxRememberedCancels)
                ForgetCancelled();
            return true;
        }
    }

    /// <summary>Matches a received block to a request and clears it.</summary>
    /// <exception cref="PeerProtocolException">The block was never requested, or with another length.</exception>
    public ReceivedBlockKind Receive(int pieceIndex, int begin, int length, PeerMessageId id)
    {
        lock (entries)
        {
            var key = Key(pieceIndex, begin);
            if (!entries.TryGetValue(key, out var entry) || entry.Length != length)
            {
                throw new PeerProtocolException(PeerProtocolError.UnrequestedBlock, entry.Length == 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{Name(id)} for piece {pieceIndex:N0} offset {begin:N0} ({length:N0} bytes), a block never requested")
                    : string.Create(CultureInfo.InvariantCulture, $"{Name(id)} for piece {pieceIndex:N0} offset {begin:N0} of {length:N0} bytes, but {entry.Length:N0} were requested"));
            }
            entries.Remove(key);
            if (entry.Cancelled)
                cancelled--;
            return entry.Cancelled ? ReceivedBlockKind.Cancelled : ReceivedBlockKind.Requested;
        }
    }

    /// <summary>Without the fast extension a choke discards every pending request (BEP 3): moves the
    /// still-wanted ones into <paramref name="dropped"/> and forgets all.</summary>
    public void DropAll(List<BlockRequest> dropped)
    {
        lock (entries)
        {
            foreach (var (key, entry) in entries)
            {
                if (!entry.Cancelled)
                    dropped.Add(new BlockRequest((int)(key >> 32), (int)key, entry.Length));
            }
            entries.Clear();
            cancelled = 0;
        }
    }

    /// <summary>Copies the still-wanted requests (e.g. to re-request them elsewhere when the peer goes away).</summary>
    public void CopyTo(List<BlockRequest> into)
    {
        lock (entries)
        {
            foreach (var (key, entry) in entries)
            {
                if (!entry.Cancelled)
                    into.Add(new BlockRequest((int)(key >> 32), (int)key, entry.Length));
            }
        }
    }

    private void ForgetCancelled()
    {
        foreach (var (key, entry) in entries)
        {
            if (entry.Cancelled)
                entries.Remove(key);
        }
        cancelled = 0;
    }

    private static long Key(BlockRequest block) => Key(block.PieceIndex, block.Begin);

    private static long Key(int pieceIndex, int begin) => ((long)pieceIndex << 32) | (uint)begin;

    private static string Name(PeerMessageId id) => id == PeerMessageId.Reject ? "reject" : "piece";

    private readonly record struct Entry(int Length, bool Cancelled);
}
