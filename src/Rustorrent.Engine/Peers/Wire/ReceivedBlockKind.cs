namespace Rustorrent.Peers.Wire;

/// <summary>How a received piece message relates to what we asked this peer for.</summary>
internal enum ReceivedBlockKind
{
    /// <summary>Not a piece message.</summary>
    None,

    /// <summary>A block we requested and still want.</summary>
    Requested,

    /// <summary>A block we requested and then cancelled; it crossed our cancel on the wire (BEP 3 allows this).</summary>
    Cancelled,
}
