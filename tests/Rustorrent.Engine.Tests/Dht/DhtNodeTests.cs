using System.Net;
using System.Security.Cryptography;
using Rustorrent.Dht;
using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.Trackers;

namespace Rustorrent.Engine.Tests.Dht;

/// <summary>Our nodes on 127.0.0.1 among themselves, and a raw socket asking one of them.</summary>
public sealed class DhtNodeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Replies_are_never_much_larger_than_the_query_that_asked()
    {
        await using var node = await StartAsync(o => o with { QueryBurstPerSource = 10_000, QueriesPerSecondPerSource = 10_000 });
        using var socket = new KrpcTestSocket();
        var infoHash = NodeId.Random();
        var asker = NodeId.Random();
        // The worst case: a full set of 8 nodes in the reply (they pinged the node, so it knows them)...
        var neighbours = new List<DhtNode>();
        try
        {
            for (var i = 0; i < RoutingTable.K; i++)
            {
                neighbours.Add(await StartAsync());
                Assert.True(await neighbours[^1].PingAsync(node.LocalEndPoint));
            }
        }
        finally
        {
            foreach (var neighbour in neighbours)
                await neighbour.DisposeAsync();
        }
        // Closed now, but still in the table: a node is dropped only after failing to answer us.
        Assert.Equal(RoutingTable.K, node.NodeCount);
        // ...and far more stored peers than a reply may carry.
        var get = await socket.AskAsync(KrpcCodec.GetPeers([0, 0], asker, infoHash), node.LocalEndPoint);
        var token = Assert.IsType<KrpcResponse>(get).Token;
        Assert.NotNull(token);
        for (var port = 1; port <= 300; port++)
        {
            var ack = await socket.AskAsync(KrpcCodec.AnnouncePeer([1, (byte)port], asker, infoHash, port, token), node.LocalEndPoint);
            Assert.IsType<KrpcResponse>(ack);
        }
        Assert.Equal(300, node.Counters.PeersStored);

        var query = KrpcCodec.GetPeers([2, 2], asker, infoHash);
        await socket.SendAsync(query, node.LocalEndPoint);
        var reply = await socket.ReceiveReplyAsync(TimeSpan.FromSeconds(5));

        Assert.NotNull(reply);
        Assert.InRange(reply.Value.Data.Length, query.Length, query.Length * DhtNode.MaxAmplification);
        var peers = Assert.IsType<KrpcResponse>(KrpcCodec.Decode(reply.Value.Data)).Values;
        Assert.InRange(peers.Count, 20, new DhtNodeOptions().MaxPeersPerReply);
        Assert.All(peers, p => Assert.Equal(IPAddress.Loopback, p.Address));
        Assert.Equal(RoutingTable.K, KrpcCodec.Decode(reply.Value.Data) is KrpcResponse r ? r.Nodes.Count : 0);
    }

    [Fact]
    public async Task Announce_peer_needs_the_token_get_peers_gave_to_that_address()
    {
        await using var node = await StartAsync();
        using var socket = new KrpcTestSocket();
        var infoHash = NodeId.Random();
        var asker = NodeId.Random();

        var forged = await socket.AskAsync(KrpcCodec.AnnouncePeer([1, 1], asker, infoHash, 6881, new byte[DhtTokens.TokenLength]), node.LocalEndPoint);
        Assert.Equal(KrpcError.Protocol, Assert.IsType<KrpcError>(forged).Code);
        Assert.Equal(1, node.Counters.BadTokens);

        var token = Assert.IsType<KrpcResponse>(await socket.AskAsync(KrpcCodec.GetPeers([2, 2], asker, infoHash), node.LocalEndPoint)).Token!;
        Assert.IsType<KrpcResponse>(await socket.AskAsync(KrpcCodec.AnnouncePeer([3, 3], asker, infoHash, 6881, token, impliedPort: true), node.LocalEndPoint));

        var peers = Assert.IsType<KrpcResponse>(await socket.AskAsync(KrpcCodec.GetPeers([4, 4], asker, infoHash), node.LocalEndPoint)).Values;
        // implied_port: the UDP source port, not the 6881 in the message (BEP 5).
        Assert.Equal([new PeerEndpoint(IPAddress.Loopback, socket.EndPoint.Port)], peers);
    }

    [Fact]
    public async Task Find_node_answers_with_the_closest_nodes_it_knows()
    {
        await using var a = await StartAsync();
        await using var b = await StartAsync();
        await using var c = await StartAsync();
        Assert.True(await b.PingAsync(a.LocalEndPoint));
        Assert.True(await c.PingAsync(a.LocalEndPoint));
        using var socket = new KrpcTestSocket();

        var reply = await socket.AskAsync(KrpcCodec.FindNode([5, 5], NodeId.Random(), b.Id), a.LocalEndPoint);

        var nodes = Assert.IsType<KrpcResponse>(reply).Nodes;
        Assert.Equal(new DhtContact(b.Id, b.LocalEndPoint), nodes[0]);
        Assert.Contains(new DhtContact(c.Id, c.LocalEndPoint), nodes);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task Our_nodes_find_each_other_s_peers_through_a_lookup(string loopback)
    {
        var address = IPAddress.Parse(loopback);
        var bind = new IPEndPoint(address, 0);
        await using var hub = await StartAsync(o => o with { BindEndPoint = bind });
        var bootstrap = new[] { hub.LocalEndPoint.ToString() };
        var others = new List<DhtNode>();
        try
        {
            for (var i = 0; i < 6; i++)
                others.Add(await StartAsync(o => o with { BindEndPoint = bind, BootstrapNodes = bootstrap }));
            using var cts = new CancellationTokenSource(Bound);
            foreach (var node in others)
                await node.Bootstrap.WaitAsync(cts.Token);
            var infoHash = new InfoHash(RandomNumberGenerator.GetBytes(20));

            var accepted = await others[0].AnnounceAsync(infoHash, 51413, cts.Token);
            Assert.True(accepted >= 3, $"{accepted} nodes accepted the announce");

            var found = new List<PeerEndpoint>();
            await foreach (var peer in others[^1].GetPeersAsync(infoHash, cts.Token))
                found.Add(peer);
            Assert.Equal([new PeerEndpoint(address, 51413)], found);
            // Every node learned of the others through "nodes" (IPv4) or "nodes6" (IPv6, BEP 32).
            Assert.All(others, n => Assert.True(n.NodeCount >= 5, $"{n} knows {n.NodeCount} nodes"));
        }
        finally
        {
            foreach (var node in others)
                await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_peer_source_yields_dht_discoveries_and_announces_our_port()
    {
        await using var a = await StartAsync();
        await using var b = await StartAsync(o => o with { BootstrapNodes = [a.LocalEndPoint.ToString()] });
        await using var c = await StartAsync(o => o with { BootstrapNodes = [a.LocalEndPoint.ToString()] });
        using var cts = new CancellationTokenSource(Bound);
        await b.Bootstrap.WaitAsync(cts.Token);
        await c.Bootstrap.WaitAsync(cts.Token);
        var infoHash = new InfoHash(RandomNumberGenerator.GetBytes(20));
        var query = new PeerQuery { InfoHash = infoHash, PeerId = PeerId.Create(), Port = 40001 };

        // First round from b: nobody has peers yet, but b announces 40001.
        var first = new List<PeerDiscovery>();
        await foreach (var discovery in new DhtPeerSource(b).DiscoverAsync(query, cts.Token))
            first.Add(discovery);
        Assert.Empty(first);

        var second = new List<PeerDiscovery>();
        await foreach (var discovery in new DhtPeerSource(c).DiscoverAsync(query with { Port = 40002 }, cts.Token))
            second.Add(discovery);
        Assert.NotEmpty(second);
        Assert.All(second, d => Assert.Equal(PeerSourceKind.Dht, d.Source));
        Assert.Contains(second, d => d.Origin == a.LocalEndPoint.ToString() || d.Origin == b.LocalEndPoint.ToString());
        Assert.Equal([new PeerEndpoint(IPAddress.Loopback, 40001)], second.SelectMany(d => d.Peers).Distinct());
    }

    [Fact]
    public async Task Breaking_out_of_GetPeers_ends_the_lookup_cleanly()
    {
        await using var a = await StartAsync();
        await using var b = await StartAsync(o => o with { BootstrapNodes = [a.LocalEndPoint.ToString()] });
        using var cts = new CancellationTokenSource(Bound);
        await b.Bootstrap.WaitAsync(cts.Token);
        var infoHash = new InfoHash(RandomNumberGenerator.GetBytes(20));
        Assert.True(await b.AnnounceAsync(infoHash, 7000, cts.Token) >= 1);

        await foreach (var peer in b.GetPeersAsync(infoHash, cts.Token))
        {
            Assert.Equal(7000, peer.Port);
            break; // disposing the enumerator cancels and awaits the lookup
        }
        Assert.False(cts.IsCancellationRequested);
    }

    [Fact]
    public async Task Quiet_nodes_are_pinged_and_one_that_no_longer_answers_drops_out()
    {
        var clock = new Trackers.ManualTimeProvider();
        await using var watcher = await StartAsync(o => o with
        {
            TimeProvider = clock,
            MaintenanceInterval = TimeSpan.FromMilliseconds(100),
            QueryTimeout = TimeSpan.FromMilliseconds(500),
        });
        await using var alive = await StartAsync();
        var gone = await StartAsync();
        Assert.True(await watcher.PingAsync(alive.LocalEndPoint));
        Assert.True(await watcher.PingAsync(gone.LocalEndPoint));
        Assert.Equal(2, watcher.Closest(watcher.Id, 8).Count);
        await gone.DisposeAsync();
        var answeredBefore = alive.Counters.QueriesAnswered;

        // A quarter of an hour of silence: both are questionable (BEP 5) and get pinged.
        clock.Advance(TimeSpan.FromMinutes(16));

        await DhtNodeHostileInputTests.WaitUntilAsync(
            () => !watcher.Closest(watcher.Id, 8).Any(c => c.Id == gone.Id),
            () => $"{watcher}: {watcher.Counters}");
        Assert.Contains(watcher.Closest(watcher.Id, 8), c => c.Id == alive.Id);
        Assert.True(alive.Counters.QueriesAnswered > answeredBefore, "the live node was not pinged");
        Assert.True(watcher.Counters.Timeouts >= RoutingTable.MaxFailures);
    }

    private static async Task<DhtNode> StartAsync(Func<DhtNodeOptions, DhtNodeOptions>? configure = null)
    {
        var options = new DhtNodeOptions
        {
            BindEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            UseDefaultRouters = false,
            QueryTimeout = TimeSpan.FromSeconds(2),
            LookupTimeout = TimeSpan.FromSeconds(15),
            // All our nodes share 127.0.0.1: the per-address limit would count them as one.
            QueryBurstPerSource = 1000,
        };
        return await DhtNode.StartAsync(configure?.Invoke(options) ?? options);
    }
}
