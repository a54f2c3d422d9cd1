namespace Rustorrent.Peers.Wire;

/// <summary>A peer broke the wire protocol (or went silent); the connection to it cannot go on.</summary>
public sealed class PeerProtocolException : Exception
{
    public PeerProtocolException(PeerProtocolError error, string reason, Exception? innerException = null)
        : base(reason, innerException)
    {
        Error = error;
        Reason = reason;
    }

    public PeerProtocolError Error { get; }

    /// <summary>What went wrong, in plain words, without the peer's address.</summary>
    public string Reason { get; }

    /// <summary>The peer's address, when the connection layer knows it.</summary>
    public PeerEndpoint? Peer { get; private init; }

    public override string Message => Peer is { } peer ? $"Peer {peer}: {Reason}" : Reason;

    internal PeerProtocolException WithPeer(PeerEndpoint peer) => new(Error, Reason, InnerException) { Peer = peer };
}
