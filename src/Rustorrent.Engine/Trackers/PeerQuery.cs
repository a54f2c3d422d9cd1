using Rustorrent.Metainfo;
using Rustorrent.Peers;

namespace Rustorrent.Trackers;

/// <summary>What a peer source needs to find peers for a torrent and to tell the swarm about us.</summary>
internal sealed record PeerQuery
{
    public required InfoHash InfoHash { get; init; }

    public required PeerId PeerId { get; init; }

    /// <summary>The engine's listening port, announced so that peers can connect to us.</summary>
    public required int Port { get; init; }

    public long Uploaded { get; init; }

    public long Downloaded { get; init; }

    public long Left { get; init; }

    public AnnounceEvent Event { get; init; }

    /// <summary>How many peers we would like from each source that lets us say.</summary>
    public int NumWant { get; init; } = 50;

    /// <summary>The session's announce key (BEP 3, BEP 15).</summary>
    public uint Key { get; init; }
}
