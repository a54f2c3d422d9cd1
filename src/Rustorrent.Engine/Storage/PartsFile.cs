using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Rustorrent.Storage;

/// <summary>
/// Holds the bytes of pieces that belong to files the user did not choose, like libtorrent's part file: a
/// piece on the boundary between a chosen file and an unchosen one must be downloaded whole to be checked,
/// but the unchosen file must not appear on disk. Each such piece gets a slot of one piece length; the slot
/// table in the header is written after the slot's bytes, so a killed process leaves at worst a piece that
/// fails its hash check and is fetched again.
/// Layout: "RTPARTS1", piece length, piece count and slot count (int32 little-endian each), one int32 per
/// slot (piece index + 1; 0 = free), then the slots from the first 4 KiB boundary on.
/// </summary>
internal sealed class PartsFile : IDisposable
{
    private const int HeaderSize = 20;
    private const int Alignment = 4096;
    private static ReadOnlySpan<byte> Magic => "RTPARTS1"u8;

    private readonly object gate = new();
    private readonly SafeFileHandle handle;
    private readonly Dictionary<int, int> slotOfPiece;
    private readonly bool[] used;
    private readonly long dataStart;

    private PartsFile(string path, SafeFileHandle handle, int pieceLength, int capacity, Dictionary<int, int> slotOfPiece)
    {
        Path = path;
        this.handle = handle;
        PieceLength = pieceLength;
        Capacity = capacity;
        this.slotOfPiece = slotOfPiece;
        used = new bool[capacity];
        foreach (var slot in slotOfPiece.Values)
            used[slot] = true;
        dataStart = (HeaderSize + 4L * capacity + Alignment - 1) / Alignment * Alignment;
    }

    public string Path { get; }

    public int PieceLength { get; }

    /// <summary>Slots in the file: the most pieces that can ever need one.</summary>
    public int Capacity { get; }

    public int SlotsInUse
    {
        get
        {
            lock (gate)
                return slotOfPiece.Count;
        }
    }

    /// <summary>
    /// Opens the parts file at <paramref name="path"/>. When it is missing: null, or with <paramref name="create"/>
    /// a new empty one. A file whose header does not fit this torrent is not ours to trust: it is started afresh
    /// when creating, and ignored otherwise.
    /// </summary>
    public static PartsFile? Open(string path, int pieceLength, int pieceCount, int capacity, bool create)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        if (!create && !File.Exists(path))
            return null;
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, create ? FileMode.OpenOrCreate : FileMode.Open, FileAccess.ReadWrite, FileShare.Read, FileOptions.Asynchronous);
        }
        catch (FileNotFoundException) when (!create)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw StorageErrors.Map(e, create ? "create" : "open", path);
        }
        try
        {
            if (TryReadTable(handle, pieceLength, pieceCount, capacity, out var table))
                return new PartsFile(path, handle, pieceLength, capacity, table);
            if (!create)
            {
                handle.Dispose();
                return null;
            }
            RandomAccess.SetLength(handle, 0);
            var header = new byte[HeaderSize + 4 * capacity];
            Magic.CopyTo(header);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), pieceLength);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), pieceCount);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), capacity);
            RandomAccess.Write(handle, header, 0);
            return new PartsFile(path, handle, pieceLength, capacity, []);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            handle.Dispose();
            throw StorageErrors.Write(e, path, 0, HeaderSize + 4L * capacity);
        }
    }

    public bool Contains(int piece)
    {
        lock (gate)
            return slotOfPiece.ContainsKey(piece);
    }

    /// <summary>Reads bytes of <paramref name="piece"/>; false when the piece has no slot or the slot is short.</summary>
    public async ValueTask<bool> TryReadAsync(int piece, int offsetInPiece, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int slot;
        lock (gate)
        {
            if (!slotOfPiece.TryGetValue(piece, out slot))
                return false;
        }
        var position = SlotOffset(slot) + offsetInPiece;
        try
        {
            var total = 0;
            while (total < buffer.Length)
            {
                var n = await RandomAccess.ReadAsync(handle, buffer[total..], position + total, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                    return false;
                total += n;
            }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw StorageErrors.Map(e, "read", Path);
        }
    }

    /// <summary>Writes bytes of <paramref name="piece"/> into its slot, taking a free slot for a new piece.</summary>
    public async ValueTask WriteAsync(int piece, int offsetInPiece, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        int slot;
        var isNew = false;
        lock (gate)
        {
            if (!slotOfPiece.TryGetValue(piece, out slot))
            {
                slot = Array.IndexOf(used, false);
                if (slot < 0)
                    throw new InvalidOperationException($"The parts file '{Path}' has no free slot for piece {piece} (all {Capacity} taken).");
                used[slot] = true;
                slotOfPiece.Add(piece, slot);
                isNew = true;
            }
        }
        var position = SlotOffset(slot) + offsetInPiece;
        try
        {
            await RandomAccess.WriteAsync(handle, data, position, cancellationToken).ConfigureAwait(false);
            if (isNew)
            {
                var entry = new byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(entry, piece + 1);
                await RandomAccess.WriteAsync(handle, entry, HeaderSize + 4L * slot, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw StorageErrors.Write(e, Path, position, data.Length);
        }
    }

    public void Flush()
    {
        try
        {
            RandomAccess.FlushToDisk(handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw StorageErrors.Map(e, "flush", Path);
        }
    }

    public void Dispose() => handle.Dispose();

    private long SlotOffset(int slot) => dataStart + (long)slot * PieceLength;

    private static bool TryReadTable(SafeFileHandle handle, int pieceLength, int pieceCount, int capacity, out Dictionary<int, int> table)
    {
        table = [];
        var length = RandomAccess.GetLength(handle);
        if (length < HeaderSize + 4L * capacity)
            return false;
        var header = new byte[HeaderSize + 4 * capacity];
        if (RandomAccess.Read(handle, header, 0) != header.Length)
            return false;
        if (!header.AsSpan(0, 8).SequenceEqual(Magic)
            || BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8)) != pieceLength
            || BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12)) != pieceCount
            || BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(16)) != capacity)
            return false;
        for (var slot = 0; slot < capacity; slot++)
        {
            var piece = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(HeaderSize + 4 * slot)) - 1;
            if (piece == -1)
                continue;
            if (piece < 0 || piece >= pieceCount || !table.TryAdd(piece, slot))
                return false;
        }
        return true;
    }
}
