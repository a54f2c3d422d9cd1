using System.Net;
using System.Security.Cryptography;
using Rustorrent.Dht;
using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Dht;

/// <summary>Our DHT node in a small DHT of real libtorrent nodes on 127.0.0.1, and on ::1 (the IPv6 DHT, BEP 32).</summary>
public sealed class LibtorrentDhtInteropTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(45);

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetPeers_finds_the_peer_a_libtorrent_node_announced(bool ipv6)
    {
        var infoHash = RandomInfoHash();
        await using var dht = await LibtorrentDhtNode.StartAsync(nodes: 3, announceHex: infoHash.ToHex(), ipv6: ipv6);
        await using var node = await DhtNode.StartAsync(Options(dht));
        using var cts = new CancellationTokenSource(Bound);

        await node.Bootstrap.WaitAsync(cts.Token);
        var expected = new PeerEndpoint(dht.Loopback, dht.AnnouncingPort);
        var found = await FindAsync(node, infoHash, expected, cts.Token);

        Assert.True(found, $"our lookup did not find {expected}; {node}; counters: {node.Counters}\n{dht.Process.Output}");
        Assert.True(node.NodeCount >= 3, $"the routing table holds {node.NodeCount} nodes after bootstrapping off 3");
        Assert.Equal(0, node.Counters.MalformedPackets);
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_libtorrent_node_finds_the_port_we_announced(bool ipv6)
    {
        var infoHash = RandomInfoHash();
        await using var dht = await LibtorrentDhtNode.StartAsync(nodes: 3, getPeersHex: infoHash.ToHex(), ipv6: ipv6);
        await using var node = await DhtNode.StartAsync(Options(dht));
        using var cts = new CancellationTokenSource(Bound);
        await node.Bootstrap.WaitAsync(cts.Token);
        var port = FreePort.Next();

        var accepted = await node.AnnounceAsync(infoHash, port, cts.Token);

        Assert.True(accepted >= 2, $"only {accepted} libtorrent nodes accepted our announce_peer; counters: {node.Counters}");
        var line = await dht.WaitForPeerAsync(new IPEndPoint(dht.Loopback, port), Bound, cts.Token);
        Assert.Contains(infoHash.ToHex(), line, StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact]
    public async Task A_routing_table_saved_and_reloaded_finds_peers_without_bootstrap_nodes()
    {
        using var temp = new TempDirectory("dht-state");
        var stateFile = temp.Combine("dht.dat");
        var infoHash = RandomInfoHash();
        await using var dht = await LibtorrentDhtNode.StartAsync(nodes: 3, announceHex: infoHash.ToHex());
        using var cts = new CancellationTokenSource(Bound);

        NodeId firstId;
        await using (var first = await DhtNode.StartAsync(Options(dht) with { StateFile = stateFile }))
        {
            await first.Bootstrap.WaitAsync(cts.Token);
            Assert.True(first.NodeCount >= 3, $"the first node knows {first.NodeCount} nodes");
            await first.SaveAsync(cts.Token);
            firstId = first.Id;
        }
        Assert.True(File.Exists(stateFile));

        var reloaded = DhtStateFile.TryLoad(stateFile);
        Assert.NotNull(reloaded);
        Assert.Equal(dht.EndPoints.ToHashSet(), reloaded.Value.Nodes.Select(n => n.EndPoint).ToHashSet());

        // No bootstrap node and no router: only what the file remembers.
        await using var second = await DhtNode.StartAsync(new DhtNodeOptions
        {
            BindEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            UseDefaultRouters = false,
            StateFile = stateFile,
            QueryTimeout = TimeSpan.FromSeconds(2),
            LookupTimeout = TimeSpan.FromSeconds(20),
        });
        Assert.Equal(firstId, second.Id);
        Assert.True(second.NodeCount >= 3, $"the reloaded table holds {second.NodeCount} nodes");
        var expected = new PeerEndpoint(IPAddress.Loopback, dht.AnnouncingPort);
        Assert.True(await FindAsync(second, infoHash, expected, cts.Token), $"the reloaded node did not find {expected}; counters: {second.Counters}");
    }

    private static DhtNodeOptions Options(LibtorrentDhtNode dht) => new()
    {
        BindEndPoint = new IPEndPoint(dht.Loopback, 0),
        UseDefaultRouters = false,
        BootstrapNodes = dht.EndPoints.Select(e => e.ToString()).ToList(),
        QueryTimeout = TimeSpan.FromSeconds(2),
        LookupTimeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>Looks up until <paramref name="expected"/> turns up; a lookup can end before a libtorrent node has
    /// stored the announce, so it is repeated (each one bounded) until the overall bound.</summary>
    private static async Task<bool> FindAsync(DhtNode node, InfoHash infoHash, PeerEndpoint expected, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await foreach (var peer in node.GetPeersAsync(infoHash, cancellationToken))
            {
                if (peer == expected)
                    return true;
            }
            await Task.Delay(500, cancellationToken);
        }
        return false;
    }

    private static InfoHash RandomInfoHash() => new(RandomNumberGenerator.GetBytes(20));
}
