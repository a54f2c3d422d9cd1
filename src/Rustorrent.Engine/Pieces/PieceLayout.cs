namespace Rustorrent.Pieces;

/// <summary>
/// How a torrent's bytes divide into pieces and 16 KiB blocks: every piece is <see cref="PieceLength"/> bytes
/// except the last, which holds the remainder. Immutable.
/// </summary>
internal sealed class PieceLayout
{
    /// <summary>The block size every client requests (BEP 3 and BEP 52; larger requests are refused by peers).</summary>
    public const int BlockSize = 16 * 1024;

    public PieceLayout(long totalLength, int pieceLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pieceLength);
        ArgumentOutOfRangeException.ThrowIfNegative(totalLength);
        var pieceCount = (totalLength + pieceLength - 1) / pieceLength;
        if (pieceCount > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(totalLength), totalLength, $"{totalLength} bytes in pieces of {pieceLength} bytes is more pieces than an int can count.");
        TotalLength = totalLength;
        PieceLength = pieceLength;
        PieceCount = (int)pieceCount;
        BlocksPerPiece = BlockCountFor(pieceLength);
        LastPieceLength = PieceCount == 0 ? 0 : (int)(totalLength - (long)(PieceCount - 1) * pieceLength);
    }

    public long TotalLength { get; }

    public int PieceLength { get; }

    public int PieceCount { get; }

    /// <summary>Blocks in a full-size piece; the last piece may have fewer.</summary>
    public int BlocksPerPiece { get; }

    public int LastPieceLength { get; }

    public int PieceSize(int piece)
    {
        CheckPiece(piece);
        return piece == PieceCount - 1 ? LastPieceLength : PieceLength;
    }

    public int BlockCount(int piece) => BlockCountFor(PieceSize(piece));

    /// <summary>The <paramref name="index"/>-th block of <paramref name="piece"/>.</summary>
    public BlockInfo Block(int piece, int index)
    {
        var size = PieceSize(piece);
        var offset = (long)index * BlockSize;
        if (index < 0 || offset >= size)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Piece {piece} has {BlockCountFor(size)} blocks; there is no block {index}.");
        return new BlockInfo(piece, (int)offset, (int)Math.Min(BlockSize, size - offset));
    }

    /// <summary>
    /// True when <paramref name="block"/> is exactly one of this torrent's blocks (piece in range, offset on a
    /// block boundary, the block's exact length): what a received "piece" message must match before its
    /// payload is trusted. Gives the block's index within its piece.
    /// </summary>
    public bool TryGetBlockIndex(BlockInfo block, out int index)
    {
        index = -1;
        if ((uint)block.Piece >= (uint)PieceCount || block.Offset < 0 || block.Offset % BlockSize != 0)
            return false;
        var size = PieceSize(block.Piece);
        if (block.Offset >= size || block.Length != Math.Min(BlockSize, size - block.Offset))
            return false;
        index = block.Offset / BlockSize;
        return true;
    }

    private static int BlockCountFor(int size) => (int)(((long)size + BlockSize - 1) / BlockSize);

    private void CheckPiece(int piece)
    {
        if ((uint)piece >= (uint)PieceCount)
            throw new ArgumentOutOfRangeException(nameof(piece), piece, $"The torrent has {PieceCount} pieces; there is no piece {piece}.");
    }
}
