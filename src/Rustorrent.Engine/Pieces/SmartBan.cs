using System.Net;

namespace Rustorrent.Pieces;

/// <summary>
/// Finds who poisoned a piece, after libtorrent's smart-ban plugin. When a piece fails its hash check we
/// remember, for each block, the SHA-1 of the bytes each sender gave us. The piece is downloaded again
/// (usually from other peers); when it passes, every remembered block whose hash differs from the good
/// block's came from a peer that sent bad data: ban it. A peer whose block was right is cleared for that
/// block, however many failures it shared. One more certain rule: a block's content never changes, so a
/// peer that sent two different versions of the same block lied at least once, and is banned at once.
/// <para>Memory is bounded: at most <c>maxRecords</c> block records; past that the oldest failed piece's
/// records are dropped (that piece then falls back to <see cref="PeerReputation"/>). Not thread-safe.</para>
/// </summary>
internal sealed class SmartBan
{
    private readonly Dictionary<int, List<Record>> byPiece = [];
    private readonly Queue<int> pieceAge = new();
    private readonly int maxRecords;

    public SmartBan(int maxRecords = 64 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecords);
        this.maxRecords = maxRecords;
    }

    /// <summary>Block records held.</summary>
    public int RecordCount { get; private set; }

    /// <summary>True when <paramref name="piece"/> failed before and its blocks' senders are on record, so
    /// when it passes, its data is worth handing to <see cref="PiecePassed"/>.</summary>
    public bool HasRecords(int piece) => byPiece.ContainsKey(piece);

    /// <summary>
    /// A piece failed its hash check. <paramref name="pieceData"/> is the whole piece as received;
    /// <paramref name="senders"/> says who sent which block (blocks with no known sender are left out).
    /// Peers proven to lie right now are added to <paramref name="toBan"/>.
    /// </summary>
    public void PieceFailed(int piece, ReadOnlySpan<byte> pieceData, IReadOnlyList<BlockSender> senders, ICollection<IPAddress> toBan)
    {
        if (!byPiece.TryGetValue(piece, out var records))
        {
            records = [];
            byPiece.Add(piece, records);
            pieceAge.Enqueue(piece);
        }
        foreach (var sender in senders)
        {
            var digest = BlockDigest.Of(BlockBytes(pieceData, sender.BlockIndex, piece));
            var known = records.FindIndex(r => r.Block == sender.BlockIndex && r.Address.Equals(sender.Address));
            if (known >= 0)
            {
                if (records[known].Digest != digest && !toBan.Contains(sender.Address))
                    toBan.Add(sender.Address);
                continue;
            }
            records.Add(new Record(sender.BlockIndex, sender.Address, digest));
            RecordCount++;
        }
        while (RecordCount > maxRecords && pieceAge.Count > 0)
            Forget(pieceAge.Dequeue());
    }

    /// <summary>
    /// A piece that failed before has now passed: <paramref name="pieceData"/> is known good. Every peer on
    /// record with a block that differs from it is added to <paramref name="toBan"/>; the records are dropped.
    /// </summary>
    public void PiecePassed(int piece, ReadOnlySpan<byte> pieceData, ICollection<IPAddress> toBan)
    {
        if (!byPiece.TryGetValue(piece, out var records))
            return;
        var lastBlock = -1;
        BlockDigest good = default;
        records.Sort(static (x, y) => x.Block.CompareTo(y.Block));
        foreach (var record in records)
        {
            if (record.Block != lastBlock)
            {
                good = BlockDigest.Of(BlockBytes(pieceData, record.Block, piece));
                lastBlock = record.Block;
            }
            if (record.Digest != good && !toBan.Contains(record.Address))
                toBan.Add(record.Address);
        }
        Forget(piece);
    }

    private void Forget(int piece)
    {
        if (byPiece.Remove(piece, out var records))
            RecordCount -= records.Count;
    }

    private static ReadOnlySpan<byte> BlockBytes(ReadOnlySpan<byte> pieceData, int block, int piece)
    {
        var offset = (long)block * PieceLayout.BlockSize;
        if (block < 0 || offset >= pieceData.Length)
            throw new ArgumentOutOfRangeException(nameof(block), block, $"Piece {piece} holds {pieceData.Length} bytes; there is no block {block}.");
        return pieceData.Slice((int)offset, (int)Math.Min(PieceLayout.BlockSize, pieceData.Length - offset));
    }

    private readonly record struct Record(int Block, IPAddress Address, BlockDigest Digest);
}
