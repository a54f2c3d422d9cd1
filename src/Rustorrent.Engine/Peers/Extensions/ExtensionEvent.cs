namespace Rustorrent.Peers.Extensions;

/// <summary>The outcome of one received extension message: what it was, the reply to send (with the peer's id for
/// the extension), the peers a PEX message named, and why it was ignored or refused.</summary>
internal readonly record struct ExtensionEvent(
    ExtensionEventKind Kind,
    byte ReplyId = 0,
    byte[]? Reply = null,
    IReadOnlyList<PexPeer>? Added = null,
    IReadOnlyList<PeerEndpoint>? Dropped = null,
    string? Problem = null)
{
    public IReadOnlyList<PexPeer> AddedPeers => Added ?? [];

    public IReadOnlyList<PeerEndpoint> DroppedPeers => Dropped ?? [];
}
