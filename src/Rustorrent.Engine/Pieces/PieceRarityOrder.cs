namespace Rustorrent.Pieces;

/// <summary>
/// The pieces still to pick, kept sorted by availability (how many non-seed peers have each) in buckets, the
/// way libtorrent's piece_picker keeps its priority list: <c>order</c> is a permutation of piece indices laid
/// out as [availability 0][availability 1]...[excluded], with <c>bucketStart</c> marking where each bucket
/// begins. Moving a piece one availability up or down swaps it across a bucket edge, O(1), so a "have"
/// costs O(1) and a peer's bitfield O(pieces) without any re-sorting. Excluded pieces (ours already, or not
/// wanted) sit in the last region and are never looked at when picking. Not thread-safe.
/// </summary>
internal sealed class PieceRarityOrder
{
    private readonly int[] order;
    private readonly int[] position;
    private readonly int[] availability;
    private readonly bool[] excluded;
    // bucketStart[k] is where availability k begins; bucketStart[bucketCount] is where the excluded region
    // begins, and it runs to the end of the array.
    private int[] bucketStart;
    private int bucketCount;

    public PieceRarityOrder(int pieceCount)
    {
        order = new int[pieceCount];
        position = new int[pieceCount];
        availability = new int[pieceCount];
        excluded = new bool[pieceCount];
        for (var i = 0; i < pieceCount; i++)
            order[i] = position[i] = i;
        bucketStart = new int[8];
        bucketCount = 1;
        bucketStart[1] = pieceCount;
    }

    /// <summary>Number of availability buckets (the highest availability seen, plus one).</summary>
    public int BucketCount => bucketCount;

    /// <summary>Pieces not excluded; they occupy positions [0, IncludedCount).</summary>
    public int IncludedCount => bucketStart[bucketCount];

    public int BucketStart(int bucket) => bucketStart[bucket];

    public int BucketEnd(int bucket) => bucketStart[bucket + 1];

    public int PieceAt(int position) => order[position];

    public int Availability(int piece) => availability[piece];

    public bool IsExcluded(int piece) => excluded[piece];

    public void Increment(int piece)
    {
        var a = availability[piece]++;
        if (excluded[piece])
            return;
        if (a + 1 == bucketCount)
            AddBucket();
        MoveUp(piece, a);
    }

    public void Decrement(int piece)
    {
        var a = availability[piece];
        if (a == 0)
            throw new InvalidOperationException($"Piece {piece} has no availability left to remove.");
        availability[piece] = a - 1;
        if (excluded[piece])
            return;
        MoveDown(piece, a);
    }

    /// <summary>Takes a piece out of picking (we have it, or it is not wanted).</summary>
    public void Exclude(int piece)
    {
        if (excluded[piece])
            return;
        // Walk it up across every bucket edge into the excluded region.
        for (var k = availability[piece]; k < bucketCount; k++)
            MoveUp(piece, k);
        excluded[piece] = true;
    }

    /// <summary>Puts a piece back into picking at its current availability.</summary>
    public void Include(int piece)
    {
        if (!excluded[piece])
            return;
        while (availability[piece] >= bucketCount)
            AddBucket();
        for (var k = bucketCount; k > availability[piece]; k--)
            MoveDown(piece, k);
        excluded[piece] = false;
    }

    // From the bucket `from` into `from + 1`: swap with the last element of `from`, then move the edge down.
    private void MoveUp(int piece, int from)
    {
        var last = --bucketStart[from + 1];
        Swap(position[piece], last);
    }

    // From the bucket `from` into `from - 1`: swap with the first element of `from`, then move the edge up.
    private void MoveDown(int piece, int from)
    {
        var first = bucketStart[from]++;
        Swap(position[piece], first);
    }

    private void Swap(int i, int j)
    {
        if (i == j)
            return;
        var a = order[i];
        var b = order[j];
        order[i] = b;
        order[j] = a;
        position[a] = j;
        position[b] = i;
    }

    // A new, empty top bucket just before the excluded region.
    private void AddBucket()
    {
        if (bucketCount + 1 >= bucketStart.Length)
            Array.Resize(ref bucketStart, bucketStart.Length * 2);
        bucketStart[bucketCount + 1] = bucketStart[bucketCount];
        bucketCount++;
    }
}
