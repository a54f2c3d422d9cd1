using System.Net;
using System.Text;
using Rustorrent.Dht;
using Rustorrent.Peers;

namespace Rustorrent.Engine.Tests.Dht;

public sealed class KrpcCodecTests
{
    private static readonly NodeId Abcdef = new("abcdefghij0123456789"u8);
    private static readonly NodeId Mnopqr = new("mnopqrstuvwxyz123456"u8);

    // ---- BEP 5's own examples

    [Fact]
    public void Reads_the_ping_query_and_response_of_BEP_5()
    {
        var query = Assert.IsType<KrpcQuery>(Decode("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"));
        Assert.Equal(KrpcMethod.Ping, query.Method);
        Assert.Equal("aa"u8.ToArray(), query.TransactionId);
        Assert.Equal(Abcdef, query.Sender);

        var response = Assert.IsType<KrpcResponse>(Decode("d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re"));
        Assert.Equal(Mnopqr, response.Sender);
        Assert.Empty(response.Nodes);
        Assert.Empty(response.Values);
        Assert.Null(response.Token);
    }

    [Fact]
    public void Reads_find_node_get_peers_and_announce_peer_of_BEP_5()
    {
        var find = Assert.IsType<KrpcQuery>(Decode("d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe"));
        Assert.Equal(KrpcMethod.FindNode, find.Method);
        Assert.Equal(Mnopqr, find.Target);

        var get = Assert.IsType<KrpcQuery>(Decode("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe"));
        Assert.Equal(KrpcMethod.GetPeers, get.Method);
        Assert.Equal(Mnopqr, get.InfoHash);

        var peers = Assert.IsType<KrpcResponse>(Decode("d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re"));
        Assert.Equal("aoeusnth"u8.ToArray(), peers.Token);
        Assert.Equal([PeerEndpoint.ReadCompact("axje.u"u8), PeerEndpoint.ReadCompact("idhtnm"u8)], peers.Values);
        Assert.Equal(0, peers.GarbageEntries);

        var announce = Assert.IsType<KrpcQuery>(Decode(
            "d1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe"));
        Assert.Equal(KrpcMethod.AnnouncePeer, announce.Method);
        Assert.Equal(6881, announce.Port);
        Assert.True(announce.ImpliedPort);
        Assert.Equal("aoeusnth"u8.ToArray(), announce.Token);
    }

    [Fact]
    public void Reads_the_error_of_BEP_5()
    {
        var error = Assert.IsType<KrpcError>(Decode("d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee"));
        Assert.Equal(201, error.Code);
        Assert.Equal("A Generic Error Ocurred", error.Message);
    }

    [Fact]
    public void Writes_a_ping_as_BEP_5_does_plus_our_version()
    {
        var ping = KrpcCodec.Ping("aa"u8.ToArray(), Abcdef);
        Assert.Equal("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:v4:RT\0\u00011:y1:qe", Encoding.Latin1.GetString(ping));
    }

    // ---- round trips

    [Fact]
    public void Our_queries_read_back_as_sent()
    {
        var tid = new byte[] { 1, 2 };
        var find = Assert.IsType<KrpcQuery>(KrpcCodec.Decode(KrpcCodec.FindNode(tid, Abcdef, Mnopqr)));
        Assert.Equal((KrpcMethod.FindNode, Mnopqr, Abcdef), (find.Method, find.Target!.Value, find.Sender));
        Assert.Equal(tid, find.TransactionId);

        var announce = Assert.IsType<KrpcQuery>(KrpcCodec.Decode(KrpcCodec.AnnouncePeer(tid, Abcdef, Mnopqr, 51413, [9, 9, 9])));
        Assert.Equal((KrpcMethod.AnnouncePeer, 51413, false), (announce.Method, announce.Port, announce.ImpliedPort));
        Assert.Equal([9, 9, 9], announce.Token);
        Assert.Equal(Mnopqr, announce.InfoHash);
    }

    [Fact]
    public void A_response_with_nodes_peers_and_token_reads_back()
    {
        var nodes = new[]
        {
            new DhtContact(Mnopqr, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 6881)),
            new DhtContact(Abcdef, new IPEndPoint(IPAddress.Parse("198.51.100.2"), 1)),
        };
        var peers = new[] { PeerEndpoint.Parse("203.0.113.5:51413"), PeerEndpoint.Parse("203.0.113.6:6881") };
        var bytes = KrpcCodec.Response([7], Abcdef, nodes, peers, [1, 2, 3, 4]);

        var response = Assert.IsType<KrpcResponse>(KrpcCodec.Decode(bytes));
        Assert.Equal(nodes, response.Nodes);
        Assert.Equal(peers, response.Values);
        Assert.Equal([1, 2, 3, 4], response.Token);
        Assert.Equal(0, response.GarbageEntries);
    }

    [Fact]
    public void IPv6_nodes_go_in_nodes6_and_IPv6_peers_read_back()
    {
        var nodes = new[] { new DhtContact(Mnopqr, new IPEndPoint(IPAddress.Parse("2001:db8::7"), 6881)) };
        var peers = new[] { PeerEndpoint.Parse("[2001:db8::8]:51413") };
        var bytes = KrpcCodec.Response([7], Abcdef, nodes, peers, [1], System.Net.Sockets.AddressFamily.InterNetworkV6);

        Assert.Contains("6:nodes638:", Encoding.Latin1.GetString(bytes), StringComparison.Ordinal);
        var response = Assert.IsType<KrpcResponse>(KrpcCodec.Decode(bytes));
        Assert.Empty(response.Nodes);
        Assert.Equal(nodes, response.Nodes6);
        Assert.Equal(nodes, response.NodesOf(System.Net.Sockets.AddressFamily.InterNetworkV6));
        Assert.Equal(peers, response.Values);
    }

    // ---- hostile input

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("d1:ad2:id")]                           // truncated
    [InlineData("le")]                                  // not a dictionary
    [InlineData("d1:y1:qe")]                            // no transaction id
    [InlineData("d1:ti1e1:y1:qe")]                      // transaction id of the wrong type
    [InlineData("d1:t2:aa1:y1:xe")]                     // unknown message type
    [InlineData("d1:t2:aa1:y1:re")]                     // response without "r"
    [InlineData("d1:rle1:t2:aa1:y1:re")]                // "r" of the wrong type
    [InlineData("d1:rd2:id19:abcdefghij012345678e1:t2:aa1:y1:re")] // 19-byte id
    [InlineData("d1:rd2:idi5ee1:t2:aa1:y1:re")]         // integer id
    [InlineData("d1:t40:0123456789012345678901234567890123456789 1:y1:qe")] // not bencode after a long key
    [InlineData("d1:ai1e1:q4:ping1:t2:aa1:y1:qe")]      // arguments of the wrong type: tid known
    public void Malformed_messages_are_refused_with_a_reason(string text)
    {
        var e = Assert.Throws<KrpcFormatException>(() => Decode(text));
        Assert.False(string.IsNullOrEmpty(e.Reason));
    }

    [Fact]
    public void A_transaction_id_longer_than_the_bound_is_refused()
    {
        var longTid = new string('x', KrpcCodec.MaxTransactionIdLength + 1);
        Assert.Throws<KrpcFormatException>(() => Decode($"d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t{longTid.Length}:{longTid}1:y1:qe"));
    }

    [Theory]
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q9:get_peers1:t2:aa1:y1:qe")]                                     // no info_hash
    [InlineData("d1:ad2:id20:abcdefghij01234567899:info_hash3:abce1:q9:get_peers1:t2:aa1:y1:qe")]                      // short info_hash
    [InlineData("d1:ad2:id20:abcdefghij01234567896:targeti7ee1:q9:find_node1:t2:aa1:y1:qe")]                          // integer target
    [InlineData("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti6881ee1:q13:announce_peer1:t2:aa1:y1:qe")] // no token
    [InlineData("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti0e5:token1:xe1:q13:announce_peer1:t2:aa1:y1:qe")] // port 0
    [InlineData("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti70000e5:token1:xe1:q13:announce_peer1:t2:aa1:y1:qe")] // port > 65535
    [InlineData("d1:ad2:id3:abce1:q4:ping1:t2:aa1:y1:qe")]                                                             // short sender id
    public void A_query_with_bad_arguments_keeps_its_transaction_id_for_the_error_reply(string text)
    {
        var e = Assert.Throws<KrpcFormatException>(() => Decode(text));
        Assert.Equal("aa"u8.ToArray(), e.QueryTransactionId);
    }

    [Fact]
    public void Compact_nodes_of_the_wrong_length_are_dropped_and_counted()
    {
        var garbage = new string('n', 25); // one byte short of a node
        var response = Assert.IsType<KrpcResponse>(Decode($"d1:rd2:id20:mnopqrstuvwxyz1234565:nodes25:{garbage}e1:t2:aa1:y1:re"));
        Assert.Empty(response.Nodes);
        Assert.True(response.GarbageEntries > 0);

        var wrongType = Assert.IsType<KrpcResponse>(Decode("d1:rd2:id20:mnopqrstuvwxyz1234565:nodesi3ee1:t2:aa1:y1:re"));
        Assert.Empty(wrongType.Nodes);
        Assert.Equal(1, wrongType.GarbageEntries);
    }

    [Fact]
    public void Unusable_nodes_and_peers_are_dropped_and_counted_while_the_good_ones_stay()
    {
        var good = new DhtContact(Abcdef, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 6881));
        var portZero = new DhtContact(Mnopqr, new IPEndPoint(IPAddress.Parse("192.0.2.2"), 0));
        var unspecified = new DhtContact(Mnopqr, new IPEndPoint(IPAddress.Any, 6881));
        var nodes = DhtContact.ToCompactList([good, portZero, unspecified], System.Net.Sockets.AddressFamily.InterNetwork);
        var body = new Rustorrent.Bencode.BencodeDictionary
        {
            ["id"] = Mnopqr.Span.ToArray(),
            ["nodes"] = nodes,
            ["values"] = new Rustorrent.Bencode.BencodeList { "12345", PeerEndpoint.Parse("203.0.113.5:51413").ToCompact(), 42, "0000\0\0" },
        };
        var message = new Rustorrent.Bencode.BencodeDictionary { ["t"] = "aa", ["y"] = "r", ["r"] = body }.Encode();

        var response = Assert.IsType<KrpcResponse>(KrpcCodec.Decode(message));
        Assert.Equal([good], response.Nodes);
        Assert.Equal([PeerEndpoint.Parse("203.0.113.5:51413")], response.Values);
        Assert.Equal(5, response.GarbageEntries); // two nodes, three peers
    }

    [Fact]
    public void Mangled_messages_never_throw_anything_but_a_format_error()
    {
        var random = new Random(5);
        byte[][] seeds =
        [
            KrpcCodec.GetPeers([1, 2], Abcdef, Mnopqr),
            KrpcCodec.AnnouncePeer([1, 2], Abcdef, Mnopqr, 6881, [1, 2, 3, 4]),
            KrpcCodec.Response([1, 2], Abcdef, [new DhtContact(Mnopqr, new IPEndPoint(IPAddress.Loopback, 6881))],
                [PeerEndpoint.Parse("127.0.0.1:6881")], [5, 6]),
            KrpcCodec.Error([1, 2], 203, "x"),
        ];
        var decoded = 0;
        for (var i = 0; i < 5000; i++)
        {
            var bytes = (byte[])seeds[i % seeds.Length].Clone();
            var flips = random.Next(1, 4);
            for (var f = 0; f < flips; f++)
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            if (random.Next(4) == 0)
                Array.Resize(ref bytes, random.Next(bytes.Length));
            try
            {
                KrpcCodec.Decode(bytes);
                decoded++;
            }
            catch (KrpcFormatException)
            {
            }
        }
        Assert.InRange(decoded, 1, 4999); // some mutations stay valid, most do not
    }

    private static KrpcMessage Decode(string text) => KrpcCodec.Decode(Encoding.Latin1.GetBytes(text));
}
