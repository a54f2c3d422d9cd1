using Rustorrent.Metainfo;

namespace Rustorrent.Storage;

/// <summary>
/// Where the bytes of each piece live: pieces are cut from the files laid end to end in torrent order
/// (BEP 3), so one piece can span several files and one file many pieces. Padding files (BEP 47, and the
/// alignment libtorrent adds to v2 torrents) take up piece space but are never on disk; the spans say which
/// they are. Immutable and allocation-free to query.
/// </summary>
internal sealed class PieceMap
{
    // The files that hold bytes (empty files hold none), in piece-space order, with their start offsets
    // copied out so that finding the file of an offset is a binary search over a plain array.
    private readonly TorrentFile[] slots;
    private readonly long[] slotStarts;

    public PieceMap(TorrentMetainfo metainfo)
        : this(metainfo.AllFiles, metainfo.PieceLength, metainfo.PayloadSize)
    {
        if (PieceCount != metainfo.PieceCount)
            throw new InvalidOperationException($"The torrent has {metainfo.PieceCount} pieces but its files make {PieceCount}.");
    }

    /// <param name="allFiles">Every file in piece-space order, padding included, tiling 0..<paramref name="payloadSize"/>.</param>
    public PieceMap(IReadOnlyList<TorrentFile> allFiles, int pieceLength, long payloadSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pieceLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(payloadSize);
        PieceLength = pieceLength;
        PayloadSize = payloadSize;
        PieceCount = checked((int)((payloadSize + pieceLength - 1) / pieceLength));
        Files = allFiles;

        var nonEmpty = new List<TorrentFile>(allFiles.Count);
        long expected = 0;
        for (var i = 0; i < allFiles.Count; i++)
        {
            var file = allFiles[i];
            // Storage keys its per-file state by Index; the metainfo guarantees both orders agree.
            if (file.Index != i || file.Offset != expected || file.Length < 0)
                throw new InvalidOperationException(
                    $"File {i} ('{file.Path}') has index {file.Index} and offset {file.Offset}; expected index {i} at offset {expected}.");
            expected += file.Length;
            if (file.Length > 0)
                nonEmpty.Add(file);
        }
        if (expected != payloadSize)
            throw new InvalidOperationException($"The files cover {expected} bytes of piece space, not {payloadSize}.");
        slots = [.. nonEmpty];
        slotStarts = [.. nonEmpty.Select(f => f.Offset)];
    }

    public int PieceLength { get; }

    public int PieceCount { get; }

    /// <summary>Bytes in the piece space, padding included.</summary>
    public long PayloadSize { get; }

    /// <summary>Every file in piece-space order, padding included; <see cref="TorrentFile.Index"/> is the position here.</summary>
    public IReadOnlyList<TorrentFile> Files { get; }

    public long GetPieceOffset(int piece)
    {
        CheckPiece(piece);
        return (long)piece * PieceLength;
    }

    /// <summary>Bytes in <paramref name="piece"/>: <see cref="PieceLength"/>, except that the last piece may be shorter.</summary>
    public int GetPieceSize(int piece)
    {
        CheckPiece(piece);
        return piece < PieceCount - 1 ? PieceLength : (int)(PayloadSize - (long)piece * PieceLength);
    }

    /// <summary>The files holding <paramref name="piece"/>, in order, padding included.</summary>
    public PieceSpans GetSpans(int piece) => new(this, GetPieceOffset(piece), GetPieceSize(piece));

    /// <summary>The files holding <paramref name="length"/> bytes of <paramref name="piece"/> from <paramref name="offsetInPiece"/>.</summary>
    public PieceSpans GetSpans(int piece, int offsetInPiece, int length)
    {
        var size = GetPieceSize(piece);
        if (offsetInPiece < 0 || length < 0 || offsetInPiece > size - length)
            throw new ArgumentOutOfRangeException(
                nameof(length), $"Bytes {offsetInPiece}..{(long)offsetInPiece + length} are not inside piece {piece}, which has {size} bytes.");
        return new PieceSpans(this, (long)piece * PieceLength + offsetInPiece, length);
    }

    /// <summary>True when any byte of <paramref name="piece"/> is in a file that is not padding.</summary>
    public bool HasData(int piece)
    {
        foreach (var span in GetSpans(piece))
        {
            if (!span.IsPadding)
                return true;
        }
        return false;
    }

    /// <summary>
    /// The pieces needed to download the files for which <paramref name="selected"/> (indexed by
    /// <see cref="TorrentFile.Index"/>) is true: every piece that holds a byte of one of them. Padding and empty
    /// files need no piece.
    /// </summary>
    public bool[] GetPiecesForFiles(ReadOnlySpan<bool> selected)
    {
        if (selected.Length != Files.Count)
            throw new ArgumentException($"The selection has {selected.Length} entries; the torrent has {Files.Count} files.", nameof(selected));
        var needed = new bool[PieceCount];
        foreach (var file in slots)
        {
            if (file.IsPadding || !selected[file.Index])
                continue;
            needed.AsSpan(file.FirstPiece, file.LastPiece - file.FirstPiece + 1).Fill(true);
        }
        return needed;
    }

    /// <summary>True when <paramref name="piece"/> holds bytes of two or more files that are not padding, so that
    /// choosing files can leave part of it to a file that is not downloaded.</summary>
    public bool SpansFiles(int piece)
    {
        var count = 0;
        foreach (var span in GetSpans(piece))
        {
            if (!span.IsPadding && ++count > 1)
                return true;
        }
        return false;
    }

    /// <summary>How many pieces <see cref="SpansFiles"/>: each needs a file boundary inside it, so there are fewer than files.</summary>
    public int CountPiecesSpanningFiles()
    {
        var count = 0;
        var lastCounted = -1;
        var previousDataPiece = -1;
        // A piece spans files when the last data piece of one file is the first data piece of a later one.
        foreach (var file in slots)
        {
            if (file.IsPadding)
                continue;
            if (file.FirstPiece == previousDataPiece && file.FirstPiece != lastCounted)
            {
                count++;
                lastCounted = file.FirstPiece;
            }
            previousDataPiece = file.LastPiece;
        }
        return count;
    }

    /// <summary>Index into the non-empty files of the one holding byte <paramref name="payloadOffset"/>.</summary>
    internal int FindSlot(long payloadOffset)
    {
        if ((ulong)payloadOffset >= (ulong)PayloadSize)
            throw new ArgumentOutOfRangeException(nameof(payloadOffset), $"Offset {payloadOffset} is outside the {PayloadSize}-byte piece space.");
        var i = Array.BinarySearch(slotStarts, payloadOffset);
        // Not found: ~i is the first start past the offset, so the file holding it is the one before.
        return i >= 0 ? i : ~i - 1;
    }

    internal TorrentFile FileAtSlot(int slot) => slots[slot];

    private void CheckPiece(int piece)
    {
        if ((uint)piece >= (uint)PieceCount)
            throw new ArgumentOutOfRangeException(nameof(piece), $"Piece {piece} does not exist; the torrent has {PieceCount} pieces (0..{PieceCount - 1}).");
    }
}
