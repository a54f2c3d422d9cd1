namespace Rustorrent.Peers.Extensions;

/// <summary>What a received extension message turned out to be (see <see cref="PeerExtensions.Receive"/>).</summary>
internal enum ExtensionEventKind
{
    /// <summary>The peer's (first or later) extension handshake, now applied.</summary>
    Handshake,

    /// <summary>A ut_metadata request; the reply (data or reject) is to be sent.</summary>
    MetadataRequest,

    /// <summary>A ut_pex message within the limits: peers to try, peers gone.</summary>
    Pex,

    /// <summary>Nothing to do: an extension we did not offer, one we do not serve now, or a message that
    /// came too soon; counted, not an offence.</summary>
    Ignored,

    /// <summary>A message that does not parse; counted. A session may drop a peer that sends many.</summary>
    Malformed,
}
