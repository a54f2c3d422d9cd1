using System.Runtime.CompilerServices;
using Rustorrent.Trackers;

namespace Rustorrent.Dht;

/// <summary>Peers from the DHT (BEP 5) as an <see cref="IPeerSource"/>: one round is one get_peers lookup, ended by
/// announcing our port to the closest nodes (unless the query is a "stopped" event or has no port).</summary>
internal sealed class DhtPeerSource(DhtNode node, bool announce = true) : IPeerSource
{
    private readonly DhtNode node = node ?? throw new ArgumentNullException(nameof(node));

    public PeerSourceKind Kind => PeerSourceKind.Dht;

    public async IAsyncEnumerable<PeerDiscovery> DiscoverAsync(PeerQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        int? port = announce && query.Event != AnnounceEvent.Stopped && query.Port is > 0 and <= ushort.MaxValue ? query.Port : null;
        await foreach (var (origin, peers) in node.FindPeersAsync(query.InfoHash, port, cancellationToken).ConfigureAwait(false))
            yield return new PeerDiscovery(PeerSourceKind.Dht, origin.ToString(), peers);
    }
}
