using Rustorrent.Peers;

namespace Rustorrent.Trackers;

/// <summary>A batch of peers from one origin: one tracker's reply, one DHT node's answer, one PEX message.</summary>
/// <param name="Source">The kind of source.</param>
/// <param name="Origin">Which one: a tracker URL, a DHT node's endpoint, a peer.</param>
/// <param name="Peers">The peers it gave, without duplicates.</param>
internal readonly record struct PeerDiscovery(PeerSourceKind Source, string Origin, IReadOnlyList<PeerEndpoint> Peers);
