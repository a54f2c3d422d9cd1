using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Rustorrent.Pieces;

namespace Rustorrent.Engine.Tests.Pieces;

public sealed class PieceRarityOrderTests
{
    [Fact]
    public void Buckets_hold_pieces_by_availability()
    {
        var order = new PieceRarityOrder(5);
        order.Increment(3);
        order.Increment(3);
        order.Increment(1);
        order.Exclude(4);

        Assert.Equal(3, order.BucketCount);
        Assert.Equal(4, order.IncludedCount);
        Assert.Equal([0, 2], Bucket(order, 0).Order());
        Assert.Equal([1], Bucket(order, 1));
        Assert.Equal([3], Bucket(order, 2));
        Assert.Equal(4, order.PieceAt(4));

        order.Include(4);
        order.Decrement(3);
        Assert.Equal([0, 2, 4], Bucket(order, 0).Order());
        Assert.Equal([1, 3], Bucket(order, 1).Order());
        Assert.Empty(Bucket(order, 2));
    }

    [Fact]
    public void Decrement_below_zero_is_an_error()
    {
        var order = new PieceRarityOrder(2);
        Assert.Throws<InvalidOperationException>(() => order.Decrement(1));
    }

    // Random increments, decrements, exclusions and inclusions keep the layout exact: a permutation, each
    // included piece inside its availability's bucket, excluded pieces after them.
    [Property(MaxTest = 200)]
    public Property Layout_stays_exact_under_any_operations(int[] operations)
    {
        const int pieces = 13;
        var order = new PieceRarityOrder(pieces);
        var availability = new int[pieces];
        var excluded = new bool[pieces];
        foreach (var op in operations)
        {
            var piece = (int)((uint)op >> 2) % pieces;
            switch (op & 3)
            {
                case 0:
                    order.Increment(piece);
                    availability[piece]++;
                    break;
                case 1 when availability[piece] > 0:
                    order.Decrement(piece);
                    availability[piece]--;
                    break;
                case 2:
                    order.Exclude(piece);
                    excluded[piece] = true;
                    break;
                case 3:
                    order.Include(piece);
                    excluded[piece] = false;
                    break;
            }
        }
        return Check(order, availability, excluded).ToProperty();
    }

    private static bool Check(PieceRarityOrder order, int[] availability, bool[] excluded)
    {
        var seen = new bool[availability.Length];
        for (var position = 0; position < availability.Length; position++)
        {
            var piece = order.PieceAt(position);
            if (seen[piece])
                return false;
            seen[piece] = true;
            if (order.Availability(piece) != availability[piece] || order.IsExcluded(piece) != excluded[piece])
                return false;
            if (position >= order.IncludedCount != excluded[piece])
                return false;
        }
        for (var k = 0; k < order.BucketCount; k++)
        {
            for (var p = order.BucketStart(k); p < order.BucketEnd(k); p++)
            {
                if (availability[order.PieceAt(p)] != k)
                    return false;
            }
        }
        return order.BucketStart(0) == 0;
    }

    private static List<int> Bucket(PieceRarityOrder order, int bucket)
    {
        var pieces = new List<int>();
        for (var p = order.BucketStart(bucket); p < order.BucketEnd(bucket); p++)
            pieces.Add(order.PieceAt(p));
        return pieces;
    }
}
