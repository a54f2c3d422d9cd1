using System.Collections.Concurrent;

namespace Rustorrent.Pieces;

/// <summary>
/// Piece buffers of one torrent, reused: a download allocates as many as it has pieces in flight at once,
/// not one per piece. Buffers beyond <see cref="MaxRetainedBytes"/> are let go when returned.
/// </summary>
internal sealed class PieceBufferPool(int pieceLength)
{
    public const long MaxRetainedBytes = 96L * 1024 * 1024;

    private readonly ConcurrentBag<PieceBuffer> free = [];

    public int PieceLength { get; } = pieceLength > 0 ? pieceLength : throw new ArgumentOutOfRangeException(nameof(pieceLength));

    public PieceBuffer Rent() => free.TryTake(out var buffer) ? buffer : new PieceBuffer(PieceLength);

    public void Return(PieceBuffer buffer)
    {
        if (buffer.Capacity == PieceLength && (long)free.Count * PieceLength < MaxRetainedBytes)
            free.Add(buffer);
    }
}
