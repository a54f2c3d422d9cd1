namespace Rustorrent.Trackers;

/// <summary>Where the engine learned of a peer.</summary>
public enum PeerSourceKind
{
    /// <summary>A tracker's announce reply (BEP 3, BEP 15).</summary>
    Tracker,

    /// <summary>The distributed hash table (BEP 5).</summary>
    Dht,

    /// <summary>Peer exchange with connected peers (BEP 11).</summary>
    Pex,

    /// <summary>Given by the user.</summary>
    Manual,
}
