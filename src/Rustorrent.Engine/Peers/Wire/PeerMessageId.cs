namespace Rustorrent.Peers.Wire;

/// <summary>The id byte of a peer wire message (BEP 3, BEP 5, BEP 6, BEP 10), plus <see cref="KeepAlive"/> for
/// the zero-length message that has none.</summary>
internal enum PeerMessageId
{
    KeepAlive = -1,
    Choke = 0,
    Unchoke = 1,
    Interested = 2,
    NotInterested = 3,
    Have = 4,
    Bitfield = 5,
    Request = 6,
    Piece = 7,
    Cancel = 8,

    /// <summary>BEP 5: the port of the peer's DHT node.</summary>
    Port = 9,

    /// <summary>BEP 6 fast extension from here to <see cref="AllowedFast"/>.</summary>
    Suggest = 13,
    HaveAll = 14,
    HaveNone = 15,
    Reject = 16,
    AllowedFast = 17,

    /// <summary>BEP 10 extension protocol.</summary>
    Extended = 20,
}
