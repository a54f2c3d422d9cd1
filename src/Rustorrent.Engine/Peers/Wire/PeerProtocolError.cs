namespace Rustorrent.Peers.Wire;

/// <summary>What a peer did wrong on the wire; the session decides from it whether to try the peer again.</summary>
public enum PeerProtocolError
{
    /// <summary>The first bytes are not "\x13BitTorrent protocol" (BEP 3).</summary>
    NotBitTorrent,

    /// <summary>The handshake names a torrent other than the one we dialled for.</summary>
    InfoHashMismatch,

    /// <summary>An incoming handshake names a torrent we do not serve.</summary>
    UnknownInfoHash,

    /// <summary>The remote's peer id is our own: we dialled ourselves.</summary>
    SelfConnection,

    /// <summary>No complete handshake within the handshake timeout.</summary>
    HandshakeTimeout,

    /// <summary>Nothing at all (not even a keep-alive) within the idle timeout.</summary>
    IdleTimeout,

    /// <summary>A length prefix above the largest message this torrent allows.</summary>
    MessageTooLong,

    /// <summary>A known message whose length is not the one its type has.</summary>
    WrongMessageLength,

    /// <summary>A bitfield whose size is not the torrent's, or with spare bits set.</summary>
    InvalidBitfield,

    /// <summary>A piece index at or past the torrent's piece count.</summary>
    PieceIndexOutOfRange,

    /// <summary>A block that is empty, larger than the block limit, or runs past the end of its piece.</summary>
    InvalidBlock,

    /// <summary>A piece (or a reject, BEP 6) for a block we never requested, or of another length than requested.</summary>
    UnrequestedBlock,

    /// <summary>A message that may not come now: a bitfield after other messages, or a fast-extension
    /// message when BEP 6 was not agreed in the handshake.</summary>
    UnexpectedMessage,

    /// <summary>The connection closed in the middle of a handshake or message.</summary>
    Truncated,
}
