namespace Rustorrent.Pieces;

/// <summary>
/// One block of a piece: what a "request", "cancel" or "reject" message names and a "piece" message carries
/// (BEP 3). Blocks are <see cref="PieceLayout.BlockSize"/> bytes, except the last block of a piece that is
/// not a multiple of that size (normally only the last piece of the torrent).
/// </summary>
internal readonly struct BlockInfo(int piece, int offset, int length) : IEquatable<BlockInfo>
{
    public int Piece { get; } = piece;

    /// <summary>Byte offset of the block within its piece.</summary>
    public int Offset { get; } = offset;

    public int Length { get; } = length;

    /// <summary>The block's position within its piece; offsets are always multiples of the block size.</summary>
    public int Index => Offset / PieceLayout.BlockSize;

    public bool Equals(BlockInfo other) => Piece == other.Piece && Offset == other.Offset && Length == other.Length;

    public override bool Equals(object? obj) => obj is BlockInfo other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Piece, Offset, Length);

    public static bool operator ==(BlockInfo left, BlockInfo right) => left.Equals(right);

    public static bool operator !=(BlockInfo left, BlockInfo right) => !left.Equals(right);

    public override string ToString() => $"piece {Piece} offset {Offset} length {Length}";
}
