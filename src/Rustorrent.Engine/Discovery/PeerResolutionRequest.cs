using Rustorrent.Metainfo;

namespace Rustorrent.Discovery;

/// <summary>One torrent to find peers for.</summary>
/// <param name="InfoHash">The torrent's primary info hash (its 20 truncated bytes go on the wire).</param>
/// <param name="Trackers">Tracker tiers (BEP 12): the torrent's own plus any the user added.</param>
/// <param name="Left">Bytes we still need, as announced; trackers hand seeds fewer seeds.</param>
/// <param name="Scrape">Also ask each tracker for its swarm counts (BEP 48, BEP 15).</param>
/// <param name="IsPrivate">BEP 27: trackers only, never DHT or PEX.</param>
/// <param name="UseDht">Also ask the DHT (BEP 5), unless the torrent is private.</param>
/// <param name="DhtBootstrap">DHT nodes (host:port) to add before the lookup.</param>
internal sealed record PeerResolutionRequest(
    InfoHash InfoHash,
    IReadOnlyList<IReadOnlyList<string>> Trackers,
    long Left,
    bool Scrape = false,
    bool IsPrivate = false,
    bool UseDht = true,
    IReadOnlyList<string>? DhtBootstrap = null)
{
    /// <summary>The DHT is asked: wanted, and allowed (BEP 27).</summary>
    public bool AsksDht => UseDht && !IsPrivate;
}
