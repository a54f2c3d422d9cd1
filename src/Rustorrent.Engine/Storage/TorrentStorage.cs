using System.Collections.Concurrent;
using Rustorrent.Metainfo;

namespace Rustorrent.Storage;

/// <summary>
/// The files of one download on disk, read and written by piece. Pieces are mapped over the files
/// (<see cref="PieceMap"/>), so one write may touch several files; each goes through positional I/O
/// (<see cref="RandomAccess"/>) on a bounded set of open handles, so any number of pieces can be written at
/// once. Only the chosen files are created, under sanitised names that can never lead outside the
/// destination; padding (BEP 47) is never written; bytes of a needed piece that belong to an unchosen file go
/// to the <see cref="PartsFile"/>. Nothing here trusts what is on disk: whether a piece is complete is always
/// decided by its hash (<see cref="ResumeChecker"/>), so a killed process loses only pieces not yet verified.
/// </summary>
internal sealed class TorrentStorage : IAsyncDisposable, IDisposable
{
    /// <summary>Handles kept open per download; libtorrent keeps 40 for the whole session by default.</summary>
    public const int DefaultMaxOpenFiles = 32;

    private readonly string?[] fullPaths; // by TorrentFile.Index; null for padding
    private readonly bool[] needed;
    private readonly FileHandleCache handles;

    /// <summary>O_DIRECT handles for aligned piece writes (<see cref="DirectIo"/>), beside the ordinary ones.</summary>
    private readonly FileHandleCache directHandles;

    /// <summary>Bounce buffers for direct writes of unaligned spans; a piece's worth each (at least 64 KiB, at most 4 MiB).</summary>
    private readonly System.Collections.Concurrent.ConcurrentBag<Pieces.PieceBuffer> bounceBuffers = [];

    private int BounceBufferSize => Math.Clamp(Map.PieceLength / DirectIo.Alignment * DirectIo.Alignment, 64 * 1024, 4 * 1024 * 1024);

    private const int MinBouncedWrite = 256 * 1024;

    private long directBytesWritten;

    /// <summary>Bytes written past the page cache (for tests and diagnostics).</summary>
    internal long DirectBytesWritten => Interlocked.Read(ref directBytesWritten);

    /// <summary>False once the file system refused a direct write.</summary>
    internal bool WritesDirect => !directRefused;

    /// <summary>Set once the file system refused O_DIRECT: every write then takes the ordinary path.</summary>
    private volatile bool directRefused = !DirectIo.IsAvailable;
    private readonly DestinationGuard guard;
    private readonly ConcurrentDictionary<string, bool> readyDirectories = new(StringComparer.Ordinal);
    private readonly int partsCapacity;
    private readonly object partsGate = new();
    private PartsFile? parts;
    private bool partsKnownMissing;
    private int disposed;

    private TorrentStorage(TorrentMetainfo metainfo, DestinationGuard guard, FileSelection selection, int maxOpenFiles)
    {
        Metainfo = metainfo;
        this.guard = guard;
        Selection = selection;
        Map = new PieceMap(metainfo);
        ContentRoot = metainfo.IsMultiFile ? Path.Join(guard.Destination, metainfo.Name) : guard.Destination;
        fullPaths = new string?[metainfo.AllFiles.Count];
        foreach (var file in metainfo.AllFiles)
        {
            if (!file.IsPadding)
                fullPaths[file.Index] = Path.GetFullPath(Path.Join(ContentRoot, file.Path));
        }
        needed = Map.GetPiecesForFiles(selection.Flags);
        NeededPieceCount = needed.Count(n => n);
        partsCapacity = selection.IsEverything ? 0 : Map.CountPiecesSpanningFiles();
        PartsFilePath = Path.Join(guard.Destination, ".rustorrent", metainfo.PrimaryInfoHash.ToHex() + ".parts");
        handles = new FileHandleCache(maxOpenFiles);
        directHandles = new FileHandleCache(maxOpenFiles);
    }

    public TorrentMetainfo Metainfo { get; }

    public PieceMap Map { get; }

    public FileSelection Selection { get; }

    /// <summary>The download folder, as a full path.</summary>
    public string Destination => guard.Destination;

    /// <summary>Where the files go: &lt;destination&gt;/&lt;Name&gt; for a multi-file torrent, the destination itself for a single file.</summary>
    public string ContentRoot { get; }

    /// <summary>Where bytes of needed pieces that belong to unchosen files are kept.</summary>
    public string PartsFilePath { get; }

    /// <summary>Pieces holding a byte of a chosen file.</summary>
    public int NeededPieceCount { get; }

    /// <summary>Handles open now (bounded by the cache, but never closed while in use).</summary>
    internal int OpenHandleCount => handles.Count;

    /// <summary>
    /// Opens the storage of <paramref name="metainfo"/> under <paramref name="destination"/>, which is created
    /// if missing. Checks that every chosen file's path stays inside the destination (following any link
    /// already there), creates the chosen empty files, and cuts chosen files that are longer than the torrent
    /// says down to size. Other files and folders are created when first written. Throws
    /// <see cref="StorageException"/> when a path is unsafe or cannot be created.
    /// </summary>
    public static TorrentStorage Open(
        TorrentMetainfo metainfo, string destination, FileSelection? selection = null, int maxOpenFiles = DefaultMaxOpenFiles)
    {
        ArgumentNullException.ThrowIfNull(metainfo);
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        selection ??= FileSelection.All(metainfo);
        if (!ReferenceEquals(selection.Metainfo, metainfo))
            throw new ArgumentException("The file selection was made for another torrent.", nameof(selection));

        DestinationGuard guard;
        try
        {
            guard = new DestinationGuard(destination);
            Directory.CreateDirectory(guard.Destination);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw StorageErrors.Map(e, "create the download folder", destination);
        }

        var storage = new TorrentStorage(metainfo, guard, selection, maxOpenFiles);
        try
        {
            storage.Prepare();
            return storage;
        }
        catch
        {
            storage.Dispose();
            throw;
        }
    }

    /// <summary>The full path of <paramref name="file"/> on disk.</summary>
    public string GetFullPath(TorrentFile file)
    {
        if (file.IsPadding)
            throw new ArgumentException($"'{file.Path}' is a padding file; it has no place on disk.", nameof(file));
        return fullPaths[file.Index]!;
    }

    /// <summary>True when <paramref name="piece"/> holds a byte of a chosen file.</summary>
    public bool IsPieceNeeded(int piece)
    {
        Map.GetPieceSize(piece); // range check with a clear message
        return needed[piece];
    }

    /// <summary>
    /// False when no byte of the torrent can be on disk yet: no non-empty file of the torrent exists and there
    /// is no parts file (a fresh download, whose resume check can be skipped). One stat per file.
    /// </summary>
    public bool MayHaveData()
    {
        if (File.Exists(PartsFilePath))
            return true;
        foreach (var file in Metainfo.AllFiles)
        {
            if (!file.IsPadding && file.Length > 0 && fullPaths[file.Index] is { } path && File.Exists(path))
                return true;
        }
        return false;
    }

    /// <summary>A copy of the needed-piece flags, by piece index.</summary>
    public bool[] GetNeededPieces() => (bool[])needed.Clone();

    /// <summary>
    /// Writes a whole piece, already verified (the preferred path: one write per file it touches). The bytes
    /// of padding are skipped; the engine has checked them as part of the piece hash.
    /// </summary>
    public ValueTask WritePieceAsync(int piece, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        WritePieceAsync(piece, data, alignedBuffer: false, cancellationToken);

    /// <summary>Writes a whole piece; <paramref name="alignedBuffer"/> says that <paramref name="data"/> starts at an
    /// address aligned to <see cref="DirectIo.Alignment"/> (a pinned, aligned buffer), so that its aligned blocks may
    /// bypass the page cache.</summary>
    public ValueTask WritePieceAsync(int piece, ReadOnlyMemory<byte> data, bool alignedBuffer, CancellationToken cancellationToken = default)
    {
        var size = Map.GetPieceSize(piece);
        if (data.Length != size)
            throw new ArgumentException($"Piece {piece} has {size:N0} bytes, not {data.Length:N0}.", nameof(data));
        return WriteAsync(piece, 0, data, alignedBuffer, cancellationToken);
    }

    /// <summary>Writes <paramref name="data"/> at <paramref name="offsetInPiece"/> of <paramref name="piece"/>, which must be a needed piece.</summary>
    public ValueTask WriteAsync(int piece, int offsetInPiece, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        WriteAsync(piece, offsetInPiece, data, alignedBuffer: false, cancellationToken);

    private async ValueTask WriteAsync(int piece, int offsetInPiece, ReadOnlyMemory<byte> data, bool alignedBuffer, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        var spans = Map.GetSpans(piece, offsetInPiece, data.Length);
        if (!needed[piece])
            throw new ArgumentException($"Piece {piece} holds no byte of a chosen file; it is not to be written.", nameof(piece));
        foreach (var span in spans)
        {
            if (span.IsPadding)
                continue;
            var slice = data.Slice(span.BufferOffset, span.Length);
            if (Selection.IsSelected(span.FileIndex))
                await WriteFileAsync(span.FileIndex, span.FileOffset, slice, alignedBuffer && span.BufferOffset % DirectIo.Alignment == 0, cancellationToken).ConfigureAwait(false);
            else
                await GetPartsFile(create: true)!.WriteAsync(piece, offsetInPiece + span.BufferOffset, slice, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads a whole piece into <paramref name="buffer"/> (padding as zeros); false when any of it is not on disk.</summary>
    public ValueTask<bool> TryReadPieceAsync(int piece, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var size = Map.GetPieceSize(piece);
        if (buffer.Length < size)
            throw new ArgumentException($"Piece {piece} has {size:N0} bytes; the buffer holds {buffer.Length:N0}.", nameof(buffer));
        return TryReadAsync(piece, 0, buffer[..size], cancellationToken);
    }

    /// <summary>
    /// Reads <paramref name="buffer"/>.Length bytes of <paramref name="piece"/> from <paramref name="offsetInPiece"/>;
    /// false when a file is missing or too short. Never creates or grows a file.
    /// </summary>
    public async ValueTask<bool> TryReadAsync(int piece, int offsetInPiece, Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        await ReadCoreAsync(piece, offsetInPiece, buffer, cancellationToken).ConfigureAwait(false) is null;

    /// <summary>Like <see cref="TryReadAsync"/>, but bytes not on disk are a <see cref="StorageException"/> naming the file.</summary>
    public async ValueTask ReadAsync(int piece, int offsetInPiece, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (await ReadCoreAsync(piece, offsetInPiece, buffer, cancellationToken).ConfigureAwait(false) is { } missing)
        {
            throw new StorageException(StorageErrorKind.IoError, missing,
                $"Cannot read bytes {offsetInPiece:N0}..{offsetInPiece + buffer.Length:N0} of piece {piece}: '{missing}' is missing or shorter than the torrent says.");
        }
    }

    /// <summary>Asks the operating system to put every written byte on the disk itself (for power loss; a killed process loses nothing written).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        var leases = handles.AcquireWritable();
        leases.AddRange(directHandles.AcquireWritable());
        try
        {
            await Task.Run(() =>
            {
                foreach (var lease in leases)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    try
                    {
                        RandomAccess.FlushToDisk(lease.Handle);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        throw StorageErrors.Map(e, "flush", fullPaths[lease.Key] ?? Destination);
                    }
                }
                PartsFile? partsFile;
                lock (partsGate)
                    partsFile = parts;
                partsFile?.Flush();
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var lease in leases)
                lease.Dispose();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
            return;
        handles.Dispose();
        directHandles.Dispose();
        lock (partsGate)
        {
            parts?.Dispose();
            parts = null;
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void Prepare()
    {
        foreach (var file in Selection.SelectedFiles)
        {
            var path = fullPaths[file.Index]!;
            guard.Check(path);
            if (file.Length == 0)
            {
                EnsureDirectory(Path.GetDirectoryName(path)!);
                CreateEmptyFile(path);
                continue;
            }
            // The torrent says how long the file is; bytes past that are not part of it (a stale or foreign file).
            try
            {
                var info = new FileInfo(path);
                if (info.Exists && info.Length > file.Length)
                {
                    using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
                    RandomAccess.SetLength(handle, file.Length);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw StorageErrors.Map(e, "cut to its torrent length", path);
            }
        }
    }

    private void CreateEmptyFile(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw StorageErrors.Map(e, "create", path);
        }
    }

    /// <summary>Creates <paramref name="directory"/> (inside the destination) and its parents, once.</summary>
    private void EnsureDirectory(string directory)
    {
        if (readyDirectories.ContainsKey(directory))
            return;
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Name what is in the way: the usual cause is a file where a folder must go.
            for (var path = directory; path is not null; path = Path.GetDirectoryName(path))
            {
                if (File.Exists(path))
                {
                    throw new StorageException(StorageErrorKind.PathConflict, path,
                        $"Cannot create the folder '{directory}': '{path}' is a file, in the way of a folder the torrent needs.", e);
                }
                if (Directory.Exists(path) || !DestinationGuard.IsInside(path, guard.Destination))
                    break;
            }
            throw StorageErrors.Map(e, "create the folder", directory);
        }
        readyDirectories.TryAdd(directory, true);
    }

    private async ValueTask WriteFileAsync(int fileIndex, long fileOffset, ReadOnlyMemory<byte> data, bool alignedBuffer, CancellationToken cancellationToken)
    {
        using var lease = AcquireForWrite(fileIndex);
        // The whole blocks of the span go straight to the disk, from the caller's buffer when it is aligned, else
        // through an aligned bounce buffer (a copy is far cheaper than a page-cache page); the partial blocks at
        // either end go through the page cache.
        if (!directRefused && data.Length >= DirectIo.Alignment)
        {
            var head = (int)((DirectIo.Alignment - fileOffset % DirectIo.Alignment) % DirectIo.Alignment);
            var body = (data.Length - head) / DirectIo.Alignment * DirectIo.Alignment;
            // A bounce copy pays off only for large spans: a small direct write waits on the device.
            if (body >= (alignedBuffer && head == 0 ? DirectIo.Alignment : MinBouncedWrite) && await TryWriteDirectAsync(fileIndex, fileOffset + head, data.Slice(head, body), alignedBuffer && head == 0, cancellationToken).ConfigureAwait(false))
            {
                if (head > 0)
                    await WriteBufferedAsync(lease, fileIndex, fileOffset, data[..head], cancellationToken).ConfigureAwait(false);
                if (head + body < data.Length)
                    await WriteBufferedAsync(lease, fileIndex, fileOffset + head + body, data[(head + body)..], cancellationToken).ConfigureAwait(false);
                return;
            }
        }
        await WriteBufferedAsync(lease, fileIndex, fileOffset, data, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask WriteBufferedAsync(FileHandleLease lease, int fileIndex, long fileOffset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await RandomAccess.WriteAsync(lease.Handle, data, fileOffset, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw StorageErrors.Write(e, fullPaths[fileIndex]!, fileOffset, data.Length);
        }
    }

    /// <summary>One O_DIRECT write; false (nothing written) when the file system will not take it, so the caller
    /// writes through the page cache instead. The file exists: the ordinary handle created it.</summary>
    private async ValueTask<bool> TryWriteDirectAsync(int fileIndex, long fileOffset, ReadOnlyMemory<byte> data, bool aligned, CancellationToken cancellationToken)
    {
        if (!directHandles.TryAcquire(fileIndex, write: true, out var lease))
        {
            if (DirectIo.TryOpenForWrite(fullPaths[fileIndex]!) is not { } handle)
            {
                directRefused = true;
                return false;
            }
            lease = directHandles.Add(fileIndex, handle, writable: true);
        }
        using (lease)
        {
            var bounce = aligned ? null : RentBounceBuffer();
            try
            {
                for (var done = 0; done < data.Length;)
                {
                    var chunk = data[done..];
                    if (bounce is not null)
                    {
                        chunk = chunk[..Math.Min(chunk.Length, bounce.Capacity)];
                        chunk.CopyTo(bounce.Memory);
                        chunk = bounce.Memory[..chunk.Length];
                    }
                    await RandomAccess.WriteAsync(lease.Handle, chunk, fileOffset + done, cancellationToken).ConfigureAwait(false);
                    done += chunk.Length;
                    Interlocked.Add(ref directBytesWritten, chunk.Length);
                }
                return true;
            }
            catch (IOException) when (!cancellationToken.IsCancellationRequested)
            {
                // EINVAL: this file system does not take direct writes after all. The ordinary path writes the
                // bytes again (over any part written here) and reports a full disk or a failing device properly.
                directRefused = true;
                return false;
            }
            finally
            {
                if (bounce is not null)
                    bounceBuffers.Add(bounce);
            }
        }
    }

    /// <summary>An aligned buffer to copy an unaligned span into for a direct write (one per write in flight).</summary>
    private Pieces.PieceBuffer RentBounceBuffer() =>
        bounceBuffers.TryTake(out var buffer) ? buffer : new Pieces.PieceBuffer(BounceBufferSize);

    /// <summary>Reads the bytes; returns null when all are there, else the path of the file (or parts file) that lacks them.</summary>
    private async ValueTask<string?> ReadCoreAsync(int piece, int offsetInPiece, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        foreach (var span in Map.GetSpans(piece, offsetInPiece, buffer.Length))
        {
            var slice = buffer.Slice(span.BufferOffset, span.Length);
            if (span.IsPadding)
            {
                slice.Span.Clear();
                continue;
            }
            if (!Selection.IsSelected(span.FileIndex) && GetPartsFile(create: false) is { } partsFile && partsFile.Contains(piece))
            {
                if (!await partsFile.TryReadAsync(piece, offsetInPiece + span.BufferOffset, slice, cancellationToken).ConfigureAwait(false))
                    return partsFile.Path;
                continue;
            }
            if (!await TryReadFileAsync(span.FileIndex, span.FileOffset, slice, cancellationToken).ConfigureAwait(false))
                return fullPaths[span.FileIndex];
        }
        return null;
    }

    private async ValueTask<bool> TryReadFileAsync(int fileIndex, long fileOffset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (AcquireForRead(fileIndex) is not { } lease)
            return false;
        using (lease)
        {
            try
            {
                var total = 0;
                while (total < buffer.Length)
                {
                    var n = await RandomAccess.ReadAsync(lease.Handle, buffer[total..], fileOffset + total, cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                        return false;
                    total += n;
                }
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw StorageErrors.Map(e, "read", fullPaths[fileIndex]!);
            }
        }
    }

    private FileHandleLease AcquireForWrite(int fileIndex)
    {
        if (handles.TryAcquire(fileIndex, write: true, out var lease))
            return lease;
        var path = fullPaths[fileIndex]!;
        guard.Check(path);
        EnsureDirectory(Path.GetDirectoryName(path)!);
        try
        {
            var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, FileOptions.Asynchronous);
            return handles.Add(fileIndex, handle, writable: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw StorageErrors.Map(e, "create", path);
        }
    }

    /// <summary>A handle to read the file, or null when it does not exist (or a folder stands in its place).</summary>
    private FileHandleLease? AcquireForRead(int fileIndex)
    {
        if (handles.TryAcquire(fileIndex, write: false, out var lease))
            return lease;
        var path = fullPaths[fileIndex]!;
        if (!File.Exists(path))
            return null;
        guard.Check(path);
        try
        {
            // Read-write when allowed, so that later writes reuse the handle; read-only for a file we may not change.
            var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, FileOptions.Asynchronous);
            return handles.Add(fileIndex, handle, writable: true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            try
            {
                var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.Asynchronous);
                return handles.Add(fileIndex, handle, writable: false);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw StorageErrors.Map(e, "open", path);
            }
        }
        catch (IOException e)
        {
            throw StorageErrors.Map(e, "open", path);
        }
    }

    private PartsFile? GetPartsFile(bool create)
    {
        lock (partsGate)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
            if (parts is not null)
                return parts;
            if (partsCapacity == 0)
            {
                if (create)
                    throw new InvalidOperationException("No piece of this selection spans a chosen and an unchosen file, so nothing goes to the parts file.");
                return null;
            }
            if (!create && partsKnownMissing)
                return null;
            if (create)
            {
                guard.Check(PartsFilePath);
                EnsureDirectory(Path.GetDirectoryName(PartsFilePath)!);
            }
            else if (File.Exists(PartsFilePath))
            {
                guard.Check(PartsFilePath);
            }
            parts = PartsFile.Open(PartsFilePath, Map.PieceLength, Map.PieceCount, partsCapacity, create);
            partsKnownMissing = parts is null;
            return parts;
        }
    }
}
