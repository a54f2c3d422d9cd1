using System.Net;
using System.Net.Sockets;
using Rustorrent.Dht;
using Rustorrent.Engine.Tests.Trackers;
using Rustorrent.Peers;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Dht;

/// <summary>The node's bounded state: rate limiter, peer store, saved table.</summary>
public sealed class DhtStoresTests
{
    [Fact]
    public void The_rate_limiter_allows_a_burst_then_the_rate_per_source()
    {
        var clock = new ManualTimeProvider();
        var limiter = new DhtRateLimiter(perSecond: 2, burst: 5, clock);
        var flooder = IPAddress.Parse("192.0.2.1");

        Assert.Equal(5, Enumerable.Range(0, 20).Count(_ => limiter.TryAcquire(flooder)));
        Assert.True(limiter.TryAcquire(IPAddress.Parse("192.0.2.2"))); // another source is not hurt
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, Enumerable.Range(0, 20).Count(_ => limiter.TryAcquire(flooder)));
    }

    [Fact]
    public void IPv6_sources_are_limited_per_64_bit_prefix()
    {
        var limiter = new DhtRateLimiter(perSecond: 0, burst: 3, new ManualTimeProvider());
        // Fresh addresses in one /64 draw on one bucket.
        Assert.Equal(3, Enumerable.Range(1, 10).Count(i => limiter.TryAcquire(IPAddress.Parse($"2001:db8:1:2::{i:x}"))));
        Assert.True(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:3::1")));
    }

    [Fact]
    public void The_rate_limiter_does_not_grow_past_its_source_bound()
    {
        var limiter = new DhtRateLimiter(perSecond: 0, burst: 2, new ManualTimeProvider(), maxSources: 100);
        for (var i = 0; i < 100; i++)
            Assert.True(limiter.TryAcquire(new IPAddress([10, 0, (byte)(i >> 8), (byte)i])));
        // Full of sources still busy: a new one is refused rather than remembered.
        Assert.False(limiter.TryAcquire(IPAddress.Parse("10.1.0.1")));
    }

    [Fact]
    public void The_peer_store_is_bounded_and_forgets_old_announces()
    {
        var clock = new ManualTimeProvider();
        var store = new DhtPeerStore(clock, maxTorrents: 2, maxPeersPerTorrent: 3);
        var a = NodeId.Random();
        var b = NodeId.Random();
        for (var port = 1; port <= 5; port++)
        {
            store.Add(a, new PeerEndpoint(IPAddress.Loopback, port));
            clock.Advance(TimeSpan.FromSeconds(1));
        }
        // The three latest announces stay.
        Assert.Equal([3, 4, 5], store.Get(a, 10).Select(p => p.Port).Order());
        Assert.Equal(2, store.Get(a, 2).Count);

        Assert.True(store.Add(b, PeerEndpoint.Parse("192.0.2.1:1")));
        Assert.False(store.Add(NodeId.Random(), PeerEndpoint.Parse("192.0.2.1:1"))); // a third torrent: full
        clock.Advance(DhtPeerStore.PeerLifetime + TimeSpan.FromMinutes(1));
        Assert.Empty(store.Get(a, 10));
        Assert.True(store.Add(NodeId.Random(), PeerEndpoint.Parse("192.0.2.1:1"))); // expired ones made room
    }

    [Fact]
    public async Task The_state_file_keeps_the_id_and_the_nodes_of_each_family()
    {
        using var temp = new TempDirectory("dht-state");
        var path = temp.Combine("sub/dht.dat");
        var id = NodeId.Random();
        DhtContact[] nodes =
        [
            new(NodeId.Random(), new IPEndPoint(IPAddress.Parse("192.0.2.1"), 6881)),
            new(NodeId.Random(), new IPEndPoint(IPAddress.Parse("2001:db8::1"), 6882)),
            new(NodeId.Random(), new IPEndPoint(IPAddress.Parse("198.51.100.9"), 1)),
        ];

        await DhtStateFile.SaveAsync(path, id, nodes);

        var v4 = DhtStateFile.TryLoad(path);
        Assert.NotNull(v4);
        Assert.Equal(id, v4.Value.Id);
        Assert.Equal([nodes[0], nodes[2]], v4.Value.Nodes);
        Assert.Equal([nodes[1]], DhtStateFile.TryLoad(path, AddressFamily.InterNetworkV6)!.Value.Nodes);
    }

    [Fact]
    public async Task A_missing_or_damaged_state_file_means_a_fresh_start()
    {
        using var temp = new TempDirectory("dht-state");
        Assert.Null(DhtStateFile.TryLoad(temp.Combine("none.dat")));
        var damaged = temp.Combine("damaged.dat");
        await File.WriteAllTextAsync(damaged, "d2:id5:short5:nodes3:abce");
        Assert.Null(DhtStateFile.TryLoad(damaged));
        await File.WriteAllTextAsync(damaged, "not bencode at all");
        Assert.Null(DhtStateFile.TryLoad(damaged));

        // A node started on a damaged file works, with a new id.
        await using var node = await DhtNode.StartAsync(new DhtNodeOptions
        {
            BindEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            UseDefaultRouters = false,
            StateFile = damaged,
        });
        Assert.Equal(0, node.NodeCount);
    }

    [Fact]
    public void The_default_state_file_is_in_the_user_s_data_folder()
    {
        var path = DhtStateFile.DefaultPath;
        Assert.EndsWith(Path.Combine("Rustorrent", "dht.dat"), path, StringComparison.Ordinal);
        Assert.True(Path.IsPathRooted(path));
        Assert.Equal(Path.Combine(Path.GetDirectoryName(path)!, "dht6.dat"), DhtStateFile.DefaultPathFor(AddressFamily.InterNetworkV6));
    }
}
