using System.Buffers;
using System.Net;
using System.Text;
using Rustorrent.Engine.Tests.Metadata;
using Rustorrent.Engine.Tests.Pieces;
using Rustorrent.Metadata;
using Rustorrent.Peers;
using Rustorrent.Peers.Extensions;

namespace Rustorrent.Engine.Tests.Extensions;

public sealed class PeerExtensionsTests
{
    private static readonly PeerEndpoint Remote = new(IPAddress.Parse("192.0.2.44"), 51413);
    private static readonly byte[] LibtorrentHandshake = "d1:md11:ut_metadatai2e6:ut_pexi1ee1:v18:libtorrent 2.0.8.0e"u8.ToArray();
    private readonly byte[] info = MetadataTestData.InfoDictionary();

    [Fact]
    public void Our_handshake_names_our_ids_the_metadata_size_and_where_we_see_the_peer()
    {
        var extensions = new PeerExtensions(Remote, new MetadataResponder(info));

        Assert.True(ExtensionHandshake.TryParse(extensions.CreateHandshake("Rustorrent 0.1.0", 6881), out var ours, out _));

        Assert.Equal(ExtensionNames.LocalMetadataId, ours!.Messages[ExtensionNames.Metadata]);
        Assert.Equal(ExtensionNames.LocalPexId, ours.Messages[ExtensionNames.Pex]);
        Assert.Equal(info.Length, ours.MetadataSize);
        Assert.Equal(6881, ours.ListenPort);
        Assert.Equal(Remote.Address, ours.YourIp);
        Assert.Equal(250, ours.RequestQueueLength);
        Assert.Equal("Rustorrent 0.1.0", ours.ClientName);
    }

    [Fact]
    public void Without_metadata_no_size_is_claimed_and_requests_are_rejected()
    {
        var extensions = new PeerExtensions(Remote);
        Assert.True(ExtensionHandshake.TryParse(extensions.CreateHandshake("x"), out var ours, out _));
        Assert.Null(ours!.MetadataSize);
        extensions.Receive(0, Sequence(LibtorrentHandshake));

        var outcome = extensions.Receive(ExtensionNames.LocalMetadataId, Sequence(MetadataMessage.Request(0).Encode()));

        Assert.Equal(ExtensionEventKind.MetadataRequest, outcome.Kind);
        Assert.Equal(2, outcome.ReplyId);
        Assert.Equal("d8:msg_typei2e5:piecei0ee", Encoding.Latin1.GetString(outcome.Reply!));
    }

    [Fact]
    public void Requests_are_answered_with_the_pieces_under_the_peers_id()
    {
        var extensions = new PeerExtensions(Remote, new MetadataResponder(info));
        Assert.Equal(ExtensionEventKind.Handshake, extensions.Receive(0, Sequence(LibtorrentHandshake)).Kind);
        Assert.Equal("libtorrent 2.0.8.0", extensions.RemoteHandshake!.ClientName);

        var outcome = extensions.Receive(ExtensionNames.LocalMetadataId, Sequence(MetadataMessage.Request(2).Encode()));

        Assert.Equal(2, outcome.ReplyId);
        Assert.True(MetadataMessage.TryParse(outcome.Reply!, out var data, out _));
        Assert.Equal(info.AsSpan(2 * 16384).ToArray(), data.Data.ToArray());
    }

    [Fact]
    public void Malformed_and_unoffered_messages_are_counted_not_thrown()
    {
        var extensions = new PeerExtensions(Remote, new MetadataResponder(info), pex: false);
        Assert.Equal(ExtensionEventKind.Malformed, extensions.Receive(0, Sequence("d1:m"u8.ToArray())).Kind);
        // ut_metadata before the peer's handshake named its id: nowhere to send a reply.
        Assert.Equal(ExtensionEventKind.Ignored, extensions.Receive(ExtensionNames.LocalMetadataId, Sequence(MetadataMessage.Request(0).Encode())).Kind);
        extensions.Receive(0, Sequence(LibtorrentHandshake));
        Assert.Equal(ExtensionEventKind.Malformed, extensions.Receive(ExtensionNames.LocalMetadataId, Sequence("xx"u8.ToArray())).Kind);
        Assert.Equal(ExtensionEventKind.Ignored, extensions.Receive(ExtensionNames.LocalMetadataId, Sequence(MetadataMessage.Reject(0).Encode())).Kind);
        // We did not offer ut_pex: its id means nothing to us.
        Assert.Equal(ExtensionEventKind.Ignored, extensions.Receive(ExtensionNames.LocalPexId, Sequence(new PexMessage([], []).Encode())).Kind);
        Assert.Equal(ExtensionEventKind.Ignored, extensions.Receive(99, Sequence([1, 2, 3])).Kind);
        Assert.Equal(2, extensions.MalformedCount);
        Assert.Equal(4, extensions.IgnoredCount);
        Assert.False(extensions.TryCreatePex([new PexPeer(new PeerEndpoint(IPAddress.Loopback, 1), PexFlags.None)], out _, out _));
    }

    [Fact]
    public void Pex_both_ways_within_BEP_11s_limits()
    {
        var clock = new TestClock();
        var extensions = new PeerExtensions(Remote, time: clock);
        var other = new PexPeer(new PeerEndpoint(IPAddress.Parse("198.51.100.3"), 7000), PexFlags.Reachable);
        Assert.False(extensions.TryCreatePex([other], out _, out _)); // no handshake yet: no id to send with
        extensions.Receive(0, Sequence(LibtorrentHandshake));

        Assert.True(extensions.TryCreatePex([other, new PexPeer(Remote, PexFlags.None)], out var id, out var payload));
        Assert.Equal(1, id);
        Assert.True(PexMessage.TryParse(payload!, out var sent, out _));
        Assert.Equal([other], sent!.Added);
        Assert.False(extensions.TryCreatePex([], out _, out _));

        var incoming = Sequence(new PexMessage([other], []).Encode());
        var first = extensions.Receive(ExtensionNames.LocalPexId, incoming);
        Assert.Equal(ExtensionEventKind.Pex, first.Kind);
        Assert.Equal([other], first.AddedPeers);
        Assert.Equal(ExtensionEventKind.Ignored, extensions.Receive(ExtensionNames.LocalPexId, incoming).Kind);

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(ExtensionEventKind.Malformed, extensions.Receive(ExtensionNames.LocalPexId, Sequence("d5:added1:xe"u8.ToArray())).Kind);
        Assert.True(extensions.TryCreatePex([], out _, out payload));
        Assert.True(PexMessage.TryParse(payload!, out sent, out _));
        Assert.Equal([other.EndPoint], sent!.Dropped);
    }

    private static ReadOnlySequence<byte> Sequence(byte[] bytes) => new(bytes);
}
