using System.Net;
using System.Text;
using Rustorrent.Bencode;
using Rustorrent.Dht;
using Rustorrent.Peers;

namespace Rustorrent.Engine.Tests.Dht;

/// <summary>A live node on 127.0.0.1 fed bad datagrams from a raw socket: it drops and counts them, and goes on answering.</summary>
public sealed class DhtNodeHostileInputTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly NodeId Asker = NodeId.Random();

    [Fact]
    public async Task Malformed_datagrams_are_counted_and_the_node_still_answers()
    {
        await using var node = await StartAsync();
        using var socket = new KrpcTestSocket();
        string[] junk =
        [
            "garbage",
            "d1:ad2:id",                         // truncated bencode
            "le",                                // a list, not a dictionary
            "d1:ti1e1:y1:qe",                    // transaction id of the wrong type
            "d1:rd2:id20:abcdefghij0123456789e1:t2:zz1:y1:xe", // unknown message type
            "i99999999999999999999999e",         // integer overflow
            new string('l', 500) + new string('e', 500), // nesting far deeper than any KRPC message
        ];
        foreach (var text in junk)
            await socket.SendAsync(Encoding.Latin1.GetBytes(text), node.LocalEndPoint);

        var reply = await socket.AskAsync(KrpcCodec.Ping([7, 7], Asker), node.LocalEndPoint);

        var pong = Assert.IsType<KrpcResponse>(reply);
        Assert.Equal([7, 7], pong.TransactionId);
        Assert.Equal(node.Id, pong.Sender);
        // The ping was read after every junk datagram: UDP on loopback keeps their order.
        Assert.Equal(junk.Length, node.Counters.MalformedPackets);
        Assert.Null(await socket.ReceiveReplyAsync(TimeSpan.FromMilliseconds(300))); // junk gets no reply
    }

    [Fact]
    public async Task A_query_with_wrong_arguments_gets_a_protocol_error()
    {
        await using var node = await StartAsync();
        using var socket = new KrpcTestSocket();

        var reply = await socket.AskAsync(Encoding.Latin1.GetBytes("d1:ad2:id20:abcdefghij0123456789e1:q9:get_peers1:t2:ab1:y1:qe"), node.LocalEndPoint);

        var error = Assert.IsType<KrpcError>(reply);
        Assert.Equal(KrpcError.Protocol, error.Code);
        Assert.Equal("ab"u8.ToArray(), error.TransactionId);
        Assert.Equal(1, node.Counters.MalformedPackets);
    }

    [Fact]
    public async Task An_unknown_method_gets_error_204()
    {
        await using var node = await StartAsync();
        using var socket = new KrpcTestSocket();

        var reply = await socket.AskAsync(Encoding.Latin1.GetBytes("d1:ad2:id20:abcdefghij0123456789e1:q6:vote!!1:t2:ab1:y1:qe"), node.LocalEndPoint);

        Assert.Equal(KrpcError.MethodUnknown, Assert.IsType<KrpcError>(reply).Code);
    }

    [Fact]
    public async Task An_oversized_datagram_is_dropped_unread()
    {
        await using var node = await StartAsync();
        using var socket = new KrpcTestSocket();
        // A valid ping but for a padding key that makes it larger than any KRPC message.
        var padded = new BencodeDictionary
        {
            ["a"] = new BencodeDictionary { ["id"] = Asker.Span.ToArray() },
            ["pad"] = new byte[DhtNode.MaxPacketSize],
            ["q"] = "ping",
            ["t"] = "aa",
            ["y"] = "q",
        }.Encode();

        await socket.SendAsync(padded, node.LocalEndPoint);
        var reply = await socket.AskAsync(KrpcCodec.Ping([1, 1], Asker), node.LocalEndPoint);

        Assert.Equal([1, 1], reply.TransactionId); // the padded ping got no answer: the next reply is for this one
        Assert.Equal(1, node.Counters.OversizedPackets);
        Assert.Equal(1, node.Counters.QueriesAnswered);
    }

    [Fact]
    public async Task A_flood_from_one_address_is_rate_limited()
    {
        const int Burst = 20;
        const int Flood = 300;
        await using var node = await StartAsync(o => o with { QueryBurstPerSource = Burst, QueriesPerSecondPerSource = 1 });
        using var socket = new KrpcTestSocket();
        var started = DateTime.UtcNow;

        for (var i = 0; i < Flood; i++)
        {
            await socket.SendAsync(KrpcCodec.Ping([(byte)(i >> 8), (byte)i], Asker), node.LocalEndPoint);
            // In bursts the socket buffer can take: a datagram lost before the node reads it would prove nothing.
            if (i % 25 == 24)
                await WaitUntilAsync(() => node.Counters.QueriesReceived == i + 1, () => node.Counters.ToString());
        }
        await WaitUntilAsync(() => node.Counters.QueriesReceived == Flood, () => node.Counters.ToString());
        var seconds = (DateTime.UtcNow - started).TotalSeconds;

        var replies = 0;
        while (await socket.ReceiveReplyAsync(TimeSpan.FromMilliseconds(300)) is not null)
            replies++;
        Assert.Equal(node.Counters.QueriesAnswered, replies);
        Assert.InRange(replies, Burst, Burst + (int)Math.Ceiling(seconds) + 1);
        Assert.Equal(Flood - replies, node.Counters.RateLimited);
    }

    [Fact]
    public async Task Garbage_from_a_node_we_ask_is_counted_and_its_good_peers_still_used()
    {
        using var fake = new KrpcTestSocket();
        await using var node = await StartAsync(o => o with { BootstrapNodes = [fake.EndPoint.ToString()] });
        var infoHash = new Rustorrent.Metainfo.InfoHash(new byte[20]);
        var good = PeerEndpoint.Parse("127.0.0.1:6881");
        using var cts = new CancellationTokenSource(Bound);

        var answering = Task.Run(async () =>
        {
            // Answer every query with 25-byte "nodes" (not a multiple of 26), short and odd "values" and one good peer.
            while (await ReceiveOrNullAsync(fake) is { } query)
            {
                var message = KrpcCodec.Decode(query.Data);
                var body = new BencodeDictionary
                {
                    ["id"] = NodeId.Random().Span.ToArray(),
                    ["nodes"] = new byte[25],
                    ["token"] = "tk",
                    ["values"] = new BencodeList { "12345", new byte[18], good.ToCompact(), 5 },
                };
                var reply = new BencodeDictionary { ["t"] = message.TransactionId, ["y"] = "r", ["r"] = body }.Encode();
                await fake.SendAsync(reply, query.From);
            }
        });

        var peers = new List<PeerEndpoint>();
        await foreach (var peer in node.GetPeersAsync(infoHash, cts.Token))
            peers.Add(peer);

        Assert.Equal([good], peers);
        Assert.False(answering.IsFaulted, answering.Exception?.ToString());
        Assert.True(node.Counters.GarbageEntries >= 4, node.Counters.ToString());
        Assert.Equal(0, node.Counters.MalformedPackets);
    }

    [Fact]
    public async Task Answers_from_an_address_we_did_not_ask_are_ignored()
    {
        using var asked = new KrpcTestSocket();
        using var intruder = new KrpcTestSocket();
        await using var node = await StartAsync(o => o with { QueryTimeout = TimeSpan.FromSeconds(2) });

        var ping = node.PingAsync(asked.EndPoint);
        var query = await asked.ReceiveAsync(Bound);
        Assert.NotNull(query);
        var transactionId = KrpcCodec.Decode(query.Value.Data).TransactionId;
        await intruder.SendAsync(KrpcCodec.Response(transactionId, NodeId.Random()), node.LocalEndPoint);
        await intruder.SendAsync(KrpcCodec.Response([9, 9, 9], NodeId.Random()), node.LocalEndPoint);

        Assert.False(await ping); // only the intruder answered: a timeout
        Assert.Equal(2, node.Counters.UnexpectedResponses);
        Assert.Equal(1, node.Counters.Timeouts);
        Assert.Equal(0, node.NodeCount);
    }

    /// <summary>Null once the socket is closed at the end of the test.</summary>
    private static async Task<(byte[] Data, IPEndPoint From)?> ReceiveOrNullAsync(KrpcTestSocket socket)
    {
        try
        {
            return await socket.ReceiveAsync(Bound);
        }
        catch (Exception e) when (e is ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            return null;
        }
    }

    private static async Task<DhtNode> StartAsync(Func<DhtNodeOptions, DhtNodeOptions>? configure = null)
    {
        var options = new DhtNodeOptions
        {
            BindEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            UseDefaultRouters = false,
            QueryTimeout = TimeSpan.FromSeconds(2),
            LookupTimeout = TimeSpan.FromSeconds(10),
        };
        return await DhtNode.StartAsync(configure?.Invoke(options) ?? options);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, Func<string> describe)
    {
        using var cts = new CancellationTokenSource(Bound);
        while (!condition())
        {
            if (cts.IsCancellationRequested)
                Assert.Fail("not reached within " + Bound + ": " + describe());
            await Task.Delay(20, CancellationToken.None);
        }
    }
}
