using Rustorrent.Peers.Wire;

namespace Rustorrent.Peers;

/// <summary>What a running torrent offers the engine's listener: the wire limits of its torrent, and a way to
/// take an accepted connection (false: the torrent is full or does not want this peer; the caller closes it).</summary>
internal sealed record IncomingPeerTarget(WireLimits Limits, Func<PeerConnection, bool> TryAccept);
