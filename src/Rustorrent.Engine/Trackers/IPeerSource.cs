namespace Rustorrent.Trackers;

/// <summary>
/// Something that finds peers for a torrent: trackers first (<see cref="TrackerPeerSource"/>), the DHT and
/// PEX later. One call is one round of discovery; the engine decides when to call again (e.g. at the
/// tracker's interval).
/// </summary>
internal interface IPeerSource
{
    PeerSourceKind Kind { get; }

    /// <summary>Yields peers as they are found, until the round is over or <paramref name="cancellationToken"/>
    /// is cancelled. A failing origin (one tracker, one DHT node) does not end the round.</summary>
    IAsyncEnumerable<PeerDiscovery> DiscoverAsync(PeerQuery query, CancellationToken cancellationToken);
}
