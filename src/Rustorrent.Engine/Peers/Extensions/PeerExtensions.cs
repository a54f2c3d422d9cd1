using System.Buffers;
using System.Net;
using Rustorrent.Metadata;

namespace Rustorrent.Peers.Extensions;

/// <summary>
/// The BEP 10 side of one peer session: our handshake, the peer's ids, answers to ut_metadata requests (BEP 9)
/// from a <see cref="MetadataResponder"/> once we have the metadata, and ut_pex (BEP 11) both ways within its
/// limits. It does no I/O: the session passes in each extended message (<see cref="Receive"/>) and sends what
/// comes back with <c>PeerConnection.SendExtendedAsync</c>. Owned by the session (not thread-safe).
/// </summary>
internal sealed class PeerExtensions
{
    private readonly PeerEndpoint remote;
    private readonly PexInbox pexInbox;
    private readonly PexOutbox pexOutbox;

    /// <param name="remote">The peer, so that it is never told of itself and "yourip" can name its view of us.</param>
    /// <param name="metadata">Our metadata to serve; null while we have none (a magnet): requests are rejected.</param>
    /// <param name="pex">Offer ut_pex; false for private torrents (BEP 27).</param>
    public PeerExtensions(PeerEndpoint remote, MetadataResponder? metadata = null, bool pex = true, TimeProvider? time = null)
    {
        this.remote = remote;
        Metadata = metadata;
        PexEnabled = pex;
        Ids = new ExtensionIdMap(pex ? ExtensionIdMap.Default : new Dictionary<string, byte> { [ExtensionNames.Metadata] = ExtensionNames.LocalMetadataId });
        pexInbox = new PexInbox(time);
        pexOutbox = new PexOutbox(time);
    }

    public ExtensionIdMap Ids { get; }

    public bool PexEnabled { get; }

    /// <summary>What we serve to ut_metadata requests; set it when a magnet's metadata arrives (and send a new handshake).</summary>
    public MetadataResponder? Metadata { get; set; }

    /// <summary>The peer's latest extension handshake.</summary>
    public ExtensionHandshake? RemoteHandshake { get; private set; }

    /// <summary>Messages that did not parse.</summary>
    public int MalformedCount { get; private set; }

    /// <summary>Messages ignored (unknown extension, PEX too soon, ...).</summary>
    public int IgnoredCount { get; private set; }

    /// <summary>Our extension handshake's payload (extended id 0): our ids, name, listen port, "yourip", "reqq"
    /// and, when we have the metadata, "metadata_size".</summary>
    public byte[] CreateHandshake(string clientName, int listenPort = 0, int requestQueueLength = 250) => new ExtensionHandshake
    {
        Messages = Ids.Local,
        ClientName = clientName,
        ListenPort = listenPort > 0 ? listenPort : null,
        YourIp = remote.Address.Equals(IPAddress.Any) ? null : remote.Address,
        RequestQueueLength = requestQueueLength,
        MetadataSize = Metadata?.MetadataSize,
    }.Encode();

    /// <summary>Handles one received extended message (id and payload as <c>PeerMessage</c> gives them).</summary>
    public ExtensionEvent Receive(byte extendedId, in ReadOnlySequence<byte> payload)
    {
        if (extendedId == ExtensionNames.HandshakeId)
        {
            if (!ExtensionHandshake.TryParse(payload, out var theirs, out var error))
                return Malformed(error);
            RemoteHandshake = theirs;
            Ids.Update(theirs!);
            return new ExtensionEvent(ExtensionEventKind.Handshake);
        }
        switch (Ids.LocalName(extendedId))
        {
            case ExtensionNames.Metadata:
                return OnMetadata(payload);
            case ExtensionNames.Pex:
                var malformedBefore = pexInbox.Malformed;
                var added = pexInbox.Receive(payload, out var dropped, out var refused);
                if (refused is null)
                    return new ExtensionEvent(ExtensionEventKind.Pex, Added: added, Dropped: dropped);
                return pexInbox.Malformed > malformedBefore ? Malformed(refused) : Ignored(refused);
            default:
                return Ignored($"extended message {extendedId}, which we did not offer");
        }
    }

    /// <summary>The next ut_pex message for this peer (at most one a minute, 50 added and 50 dropped), given the
    /// peers we are connected to now; false when none is due, nothing changed or the peer does not speak ut_pex.</summary>
    public bool TryCreatePex(IEnumerable<PexPeer> connected, out byte extendedId, out byte[]? payload)
    {
        extendedId = 0;
        payload = null;
        if (!PexEnabled || !pexOutbox.IsDue || !Ids.TryGetRemoteId(ExtensionNames.Pex, out extendedId))
            return false;
        var message = pexOutbox.TryBuild(connected, remote);
        payload = message?.Encode();
        return payload is not null;
    }

    private ExtensionEvent OnMetadata(in ReadOnlySequence<byte> payload)
    {
        if (!Ids.TryGetRemoteId(ExtensionNames.Metadata, out var theirId))
            return Ignored("a ut_metadata message from a peer that did not offer ut_metadata");
        if (!MetadataMessage.TryParse(payload, out var message, out var error))
            return Malformed(error);
        if (message.Type != MetadataMessageType.Request)
            return Ignored($"a {message} we did not ask for");
        // BEP 9: without the metadata, every request is rejected.
        var reply = Metadata?.Reply(message.Piece) ?? MetadataMessage.Reject(message.Piece);
        return new ExtensionEvent(ExtensionEventKind.MetadataRequest, theirId, reply.Encode());
    }

    private ExtensionEvent Malformed(string? problem)
    {
        MalformedCount++;
        return new ExtensionEvent(ExtensionEventKind.Malformed, Problem: problem);
    }

    private ExtensionEvent Ignored(string? problem)
    {
        IgnoredCount++;
        return new ExtensionEvent(ExtensionEventKind.Ignored, Problem: problem);
    }
}
