using System.Net;

namespace Rustorrent.Dht;

/// <summary>How a <see cref="DhtNode"/> starts: where it listens, whom it asks first, where it keeps its table.</summary>
internal sealed record DhtNodeOptions
{
    /// <summary>The public routers most clients bootstrap from (used when <see cref="UseDefaultRouters"/> is true).</summary>
    public static IReadOnlyList<string> DefaultRouters { get; } =
    [
        "router.bittorrent.com:6881",
        "router.utorrent.com:6881",
        "dht.transmissionbt.com:6881",
        "dht.libtorrent.org:25401",
    ];

    /// <summary>The UDP endpoint to listen on. IPv4 or IPv6: an IPv6 node is on the IPv6 DHT (BEP 32), a DHT of its
    /// own; run one node of each family for both. Port 0 picks a free one.</summary>
    public IPEndPoint BindEndPoint { get; init; } = new(IPAddress.Any, 0);

    /// <summary>Extra nodes to bootstrap from, as "host:port", "a.b.c.d:port" or "[v6]:port" (e.g. <c>PeerEndpoint.ToString()</c>);
    /// only those of the node's address family are used.</summary>
    public IReadOnlyList<string> BootstrapNodes { get; init; } = [];

    /// <summary>Also bootstrap from <see cref="DefaultRouters"/>. Tests turn this off: they have no internet.</summary>
    public bool UseDefaultRouters { get; init; } = true;

    /// <summary>Where the node id and routing table are kept between sessions (see
    /// <see cref="DhtStateFile.DefaultPath"/>); null: nothing is loaded or saved.</summary>
    public string? StateFile { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How long a query waits for its answer before the node counts as not answering.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Longest an iterative lookup (get_peers, find_node) runs; it usually ends well before.</summary>
    public TimeSpan LookupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most queries one lookup sends.</summary>
    public int MaxLookupQueries { get; init; } = 200;

    /// <summary>Queries in flight per lookup (Kademlia's alpha).</summary>
    public int LookupParallelism { get; init; } = 3;

    /// <summary>Queries per second each source address may send us on average...</summary>
    public double QueriesPerSecondPerSource { get; init; } = 10;

    /// <summary>...and in a burst; beyond that they are dropped unanswered (counted in <see cref="DhtCounters.RateLimited"/>).</summary>
    public int QueryBurstPerSource { get; init; } = 40;

    /// <summary>Most peers in one get_peers reply (libtorrent: 100); the reply's size bound may allow fewer.</summary>
    public int MaxPeersPerReply { get; init; } = 50;

    /// <summary>How often the node pings quiet nodes and refreshes quiet buckets (tests shorten it).</summary>
    internal TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The node id to use when the state file has none; null: random.</summary>
    internal NodeId? NodeId { get; init; }
}
