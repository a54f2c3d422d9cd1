using System.Net;
using Rustorrent.Dht;
using Rustorrent.Engine.Tests.Trackers;

namespace Rustorrent.Engine.Tests.Dht;

public sealed class RoutingTableTests
{
    private static readonly NodeId Self = NodeId.Random();
    private int nextPort = 1000;

    [Fact]
    public void A_bucket_holds_K_nodes_and_a_full_far_bucket_does_not_split()
    {
        var table = new RoutingTable(Self);
        var far = Enumerable.Range(0, RoutingTable.K).Select(_ => Far()).ToList();
        foreach (var id in far)
            Assert.Equal(RoutingUpdate.Added, table.Heard(id, NextEndPoint(), responded: true));
        Assert.Equal(1, table.BucketCount);

        // A ninth far node: our bucket splits once (the far half keeps its 8), then the far bucket is full.
        var ninth = Far();
        Assert.Equal(RoutingUpdate.Cached, table.Heard(ninth, NextEndPoint(), responded: true));
        Assert.Equal(2, table.BucketCount);
        Assert.Equal(RoutingTable.K, table.NodesIn(0).Count);
        Assert.Empty(table.NodesIn(1));
        Assert.Contains(table.ReplacementsIn(0), e => e.Id == ninth);
        Assert.Equal(RoutingTable.K, table.Count);
    }

    [Fact]
    public void The_bucket_around_our_id_keeps_splitting_so_near_nodes_all_fit()
    {
        var table = new RoutingTable(Self);
        // Two nodes at every distance from 0 to 39 shared bits: 80 nodes, none of whose buckets is ever full.
        for (var bits = 0; bits < 40; bits++)
        {
            Assert.Equal(RoutingUpdate.Added, table.Heard(NodeId.RandomInBucket(Self, bits), NextEndPoint(), responded: true));
            Assert.Equal(RoutingUpdate.Added, table.Heard(NodeId.RandomInBucket(Self, bits), NextEndPoint(), responded: true));
        }
        Assert.Equal(80, table.Count);
        // The last bucket may hold the nodes of the 4 deepest distances (8 nodes) without splitting.
        Assert.InRange(table.BucketCount, 37, 41);
        for (var i = 0; i < table.BucketCount; i++)
        {
            Assert.InRange(table.NodesIn(i).Count, 0, RoutingTable.K);
            foreach (var entry in table.NodesIn(i))
                Assert.Equal(i, table.IndexOf(entry.Id));
        }
    }

    [Fact]
    public void A_node_that_stops_answering_gives_way_to_a_replacement()
    {
        var table = new RoutingTable(Self);
        var endPoints = FillFarBucket(table);
        var waiting = Far();
        var waitingEndPoint = NextEndPoint();
        Assert.Equal(RoutingUpdate.Cached, table.Heard(waiting, waitingEndPoint, responded: true));

        table.Failed(endPoints[3]);
        Assert.DoesNotContain(table.NodesIn(0), e => e.Id == waiting); // one miss is not death
        table.Failed(endPoints[3]);

        Assert.Contains(table.NodesIn(0), e => e.Id == waiting && e.EndPoint.Equals(waitingEndPoint));
        Assert.DoesNotContain(table.NodesIn(0), e => e.EndPoint.Equals(endPoints[3]));
        Assert.Equal(RoutingTable.K, table.NodesIn(0).Count);
        Assert.Empty(table.ReplacementsIn(0));
    }

    [Fact]
    public void A_verified_newcomer_replaces_a_failing_node_but_an_unverified_one_waits()
    {
        var table = new RoutingTable(Self);
        var endPoints = FillFarBucket(table);
        table.Failed(endPoints[5]);

        Assert.Equal(RoutingUpdate.Cached, table.Heard(Far(), NextEndPoint(), responded: false));
        var verified = Far();
        Assert.Equal(RoutingUpdate.Replaced, table.Heard(verified, NextEndPoint(), responded: true));
        Assert.Contains(table.NodesIn(0), e => e.Id == verified);
        Assert.DoesNotContain(table.NodesIn(0), e => e.EndPoint.Equals(endPoints[5]));
    }

    [Fact]
    public void Answering_again_clears_a_node_s_failures()
    {
        var table = new RoutingTable(Self);
        var id = Far();
        var endPoint = NextEndPoint();
        table.Heard(id, endPoint, responded: true);
        table.Failed(endPoint);
        Assert.Equal(1, table.NodesIn(0).Single().FailCount);
        Assert.Equal(RoutingUpdate.Refreshed, table.Heard(id, endPoint, responded: true));
        Assert.Equal(0, table.NodesIn(0).Single().FailCount);
    }

    [Fact]
    public void Our_own_id_a_moved_id_and_unusable_addresses_are_rejected()
    {
        var table = new RoutingTable(Self);
        var id = Far();
        var endPoint = NextEndPoint();
        Assert.Equal(RoutingUpdate.Rejected, table.Heard(Self, NextEndPoint(), responded: true));
        Assert.Equal(RoutingUpdate.Added, table.Heard(id, endPoint, responded: true));
        Assert.Equal(RoutingUpdate.Rejected, table.Heard(id, NextEndPoint(), responded: true));
        Assert.Equal(RoutingUpdate.Rejected, table.Heard(Far(), new IPEndPoint(IPAddress.Parse("192.0.2.1"), 0), responded: true));
        Assert.Equal(RoutingUpdate.Rejected, table.Heard(Far(), new IPEndPoint(IPAddress.Any, 6881), responded: true));
        Assert.Equal(RoutingUpdate.Rejected, table.Heard(Far(), new IPEndPoint(IPAddress.Parse("224.0.0.1"), 6881), responded: true));
        // The same address with a new id: taken only when it answers (a restarted node), not from a query.
        Assert.Equal(RoutingUpdate.Rejected, table.Heard(Far(), endPoint, responded: false));
        var renewed = Far();
        Assert.Equal(RoutingUpdate.Added, table.Heard(renewed, endPoint, responded: true));
        Assert.Equal(renewed, table.Entries.Single().Id);
    }

    [Fact]
    public void Closest_returns_the_nearest_live_nodes_in_order_of_distance()
    {
        var table = new RoutingTable(Self);
        var contacts = new List<DhtContact>();
        for (var bits = 0; bits < 30; bits++)
        {
            var contact = new DhtContact(NodeId.RandomInBucket(Self, bits), NextEndPoint());
            table.Heard(contact.Id, contact.EndPoint, responded: true);
            contacts.Add(contact);
        }
        var target = NodeId.RandomInBucket(Self, 10);
        var expected = contacts.OrderBy(c => c.Id.DistanceTo(target), ByteOrder.Instance).Take(RoutingTable.K).ToList();
        Assert.Equal(expected, table.Closest(target, RoutingTable.K));

        // A dead node is left out.
        table.Failed(expected[0].EndPoint);
        table.Failed(expected[0].EndPoint);
        Assert.DoesNotContain(expected[0], table.Closest(target, RoutingTable.K));
    }

    [Fact]
    public void Nodes_not_heard_from_for_15_minutes_are_stale()
    {
        var clock = new ManualTimeProvider();
        var table = new RoutingTable(Self, clock);
        var quiet = Far();
        var quietEndPoint = NextEndPoint();
        table.Heard(quiet, quietEndPoint, responded: true);
        clock.Advance(TimeSpan.FromMinutes(10));
        var lively = Far();
        table.Heard(lively, NextEndPoint(), responded: true);
        clock.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal([new DhtContact(quiet, quietEndPoint)], table.Stale(RoutingTable.GoodWindow, 8));
        Assert.True(table.NodesIn(0).Single(e => e.Id == lively).IsGood(clock.GetUtcNow(), RoutingTable.GoodWindow));
        Assert.False(table.NodesIn(0).Single(e => e.Id == quiet).IsGood(clock.GetUtcNow(), RoutingTable.GoodWindow));
    }

    private List<IPEndPoint> FillFarBucket(RoutingTable table)
    {
        var endPoints = new List<IPEndPoint>();
        for (var i = 0; i < RoutingTable.K; i++)
        {
            var endPoint = NextEndPoint();
            table.Heard(Far(), endPoint, responded: true);
            endPoints.Add(endPoint);
        }
        // Split once so that bucket 0 is the far one and no longer splits.
        table.Heard(NodeId.RandomInBucket(Self, 5), NextEndPoint(), responded: true);
        Assert.Equal(RoutingTable.K, table.NodesIn(0).Count);
        return endPoints;
    }

    /// <summary>An id in the far half of the key space (its first bit differs from ours).</summary>
    private static NodeId Far() => NodeId.RandomInBucket(Self, 0);

    private IPEndPoint NextEndPoint() => new(IPAddress.Parse("192.0.2.1"), nextPort++);

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
