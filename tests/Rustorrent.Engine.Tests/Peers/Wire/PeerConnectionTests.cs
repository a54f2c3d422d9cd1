using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.Peers.Wire;
using static Rustorrent.Engine.Tests.Peers.Wire.WireBytes;

namespace Rustorrent.Engine.Tests.Peers.Wire;

/// <summary>Connections on 127.0.0.1: two of ours talking, and ours against a scripted hostile peer.</summary>
public class PeerConnectionTests
{
    private const ulong FastAndExtensions = 0x10_0004;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly PeerConnectionOptions Quick = new() { HandshakeTimeout = TimeSpan.FromSeconds(5), ConnectTimeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task Two_connections_handshake_and_agree_on_extensions()
    {
        var (outgoing, incoming) = await PairAsync(PeerHandshake.DefaultReserved, PeerReservedBits.FastExtension);
        await using (outgoing)
        await using (incoming)
        {
            Assert.False(outgoing.IsIncoming);
            Assert.True(incoming.IsIncoming);
            Assert.Equal(TestInfoHash, incoming.InfoHash);
            Assert.Equal(PeerB, outgoing.RemoteHandshake.PeerId);
            Assert.Equal(PeerA, incoming.RemoteHandshake.PeerId);
            Assert.True(outgoing.RemoteHandshake.SupportsFastExtension);
            Assert.False(outgoing.RemoteHandshake.SupportsExtensionProtocol);
            Assert.True(incoming.RemoteHandshake.SupportsExtensionProtocol);
            Assert.True(outgoing.FastExtension);
            Assert.True(incoming.FastExtension);
            Assert.False(outgoing.ExtensionProtocol);
            Assert.False(incoming.ExtensionProtocol);
            Assert.Equal(Limits.PieceCount, incoming.Limits.PieceCount);
        }
    }

    [Fact]
    public async Task Requests_go_out_in_one_batch_and_pieces_come_back_matched()
    {
        var (leecher, seeder) = await PairAsync();
        await using var _ = leecher;
        await using var __ = seeder;
        var blocks = new[] { new BlockRequest(0, 0, 16384), new BlockRequest(0, 16384, 16384), new BlockRequest(39, 0, LastPieceLength) };

        await seeder.SendAsync(PeerMessageId.HaveAll);
        await seeder.SendAsync(PeerMessageId.Unchoke);
        await leecher.SendAsync(PeerMessageId.Interested);
        await leecher.SendRequestsAsync(blocks);
        Assert.Equal(3, leecher.OutstandingRequestCount);

        Assert.Equal(PeerMessageId.Interested, (await NextAsync(seeder)).Id);
        foreach (var block in blocks)
        {
            var request = await NextAsync(seeder);
            Assert.Equal(PeerMessageId.Request, request.Id);
            Assert.Equal(block, request.Block);
            await seeder.SendPieceAsync(block.PieceIndex, block.Begin, Block(block.Length, block.Begin + block.PieceIndex));
        }

        Assert.Equal(PeerMessageId.HaveAll, (await NextAsync(leecher)).Id);
        Assert.Equal(PeerMessageId.Unchoke, (await NextAsync(leecher)).Id);
        foreach (var block in blocks)
        {
            var piece = await NextAsync(leecher);
            Assert.Equal(PeerMessageId.Piece, piece.Id);
            Assert.Equal(block, piece.Block);
            Assert.Equal(ReceivedBlockKind.Requested, leecher.CurrentBlockKind);
            Assert.Equal(Block(block.Length, block.Begin + block.PieceIndex), piece.Payload.ToArray());
        }
        Assert.Equal(0, leecher.OutstandingRequestCount);
    }

    [Fact]
    public async Task A_piece_for_a_block_never_requested_ends_the_connection()
    {
        await using var raw = new RawPeer();
        await using var connection = await ConnectToRawAsync(raw, FastAndExtensions);
        await connection.SendRequestsAsync(new[] { new BlockRequest(0, 0, 16384) });
        await raw.SendAsync([.. Message(1), .. Message(7, U32(0), U32(16384), Block(16384, 1))]);

        Assert.Equal(PeerMessageId.Unchoke, (await NextAsync(connection)).Id);
        var e = await Assert.ThrowsAsync<PeerProtocolException>(async () => await connection.ReceiveAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(PeerProtocolError.UnrequestedBlock, e.Error);
        Assert.Equal(raw.EndPoint, e.Peer);
        Assert.Equal($"Peer {raw.EndPoint}: piece for piece 0 offset 16,384 (16,384 bytes), a block never requested", e.Message);
    }

    [Fact]
    public async Task A_cancelled_block_may_still_arrive_and_is_marked_cancelled()
    {
        await using var raw = new RawPeer();
        await using var connection = await ConnectToRawAsync(raw, reserved: 0);
        var block = new BlockRequest(3, 0, 16384);
        await connection.SendRequestsAsync(new[] { block });
        Assert.True(await connection.SendCancelAsync(block));
        Assert.False(await connection.SendCancelAsync(block));
        Assert.Equal(0, connection.OutstandingRequestCount);

        var sent = await raw.ReceiveExactlyAsync(34);
        Assert.Equal([.. Message(6, U32(3), U32(0), U32(16384)), .. Message(8, U32(3), U32(0), U32(16384))], sent);
        await raw.SendAsync(Message(7, U32(3), U32(0), Block(16384, 5)));
        Assert.Equal(PeerMessageId.Piece, (await NextAsync(connection)).Id);
        Assert.Equal(ReceivedBlockKind.Cancelled, connection.CurrentBlockKind);
    }

    [Fact]
    public async Task A_choke_without_the_fast_extension_hands_back_the_pending_requests()
    {
        await using var raw = new RawPeer();
        await using var connection = await ConnectToRawAsync(raw, reserved: 0);
        var blocks = new[] { new BlockRequest(1, 0, 16384), new BlockRequest(2, 0, 16384) };
        await connection.SendRequestsAsync(blocks);
        await raw.SendAsync([.. Message(0), .. Message(2)]);

        Assert.Equal(PeerMessageId.Choke, (await NextAsync(connection)).Id);
        Assert.Equal(blocks, connection.RequestsDroppedByChoke.OrderBy(b => b.PieceIndex));
        Assert.Equal(0, connection.OutstandingRequestCount);
        Assert.Equal(PeerMessageId.Interested, (await NextAsync(connection)).Id);
        Assert.Empty(connection.RequestsDroppedByChoke);
    }

    [Fact]
    public async Task With_the_fast_extension_a_choke_keeps_requests_and_a_reject_clears_one()
    {
        await using var raw = new RawPeer();
        await using var connection = await ConnectToRawAsync(raw, FastAndExtensions);
        var blocks = new[] { new BlockRequest(1, 0, 16384), new BlockRequest(2, 0, 16384) };
        await connection.SendRequestsAsync(blocks);
        await raw.SendAsync([.. Message(0), .. Message(16, U32(1), U32(0), U32(16384)), .. Message(16, U32(1), U32(0), U32(16384))]);

        Assert.Equal(PeerMessageId.Choke, (await NextAsync(connection)).Id);
        Assert.Empty(connection.RequestsDroppedByChoke);
        Assert.Equal(2, connection.OutstandingRequestCount);
        Assert.Equal(PeerMessageId.Reject, (await NextAsync(connection)).Id);
        Assert.Equal(1, connection.OutstandingRequestCount);
        var e = await Assert.ThrowsAsync<PeerProtocolException>(async () => await connection.ReceiveAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(PeerProtocolError.UnrequestedBlock, e.Error);
        Assert.EndsWith("reject for piece 1 offset 0 (16,384 bytes), a block never requested", e.Message);
    }

    [Fact]
    public async Task A_handshake_for_another_info_hash_is_refused()
    {
        await using var raw = new RawPeer();
        var connecting = ConnectAsync(raw.EndPoint);
        await raw.AcceptAsync();
        var other = Enumerable.Repeat((byte)0xEE, 20).ToArray();
        await raw.SendAsync(Handshake(other, PeerB));

        var e = await Assert.ThrowsAsync<PeerProtocolException>(() => connecting.WaitAsync(Patience));
        Assert.Equal(PeerProtocolError.InfoHashMismatch, e.Error);
        Assert.Equal($"Peer {raw.EndPoint}: handshake for info hash {Convert.ToHexStringLower(other)}, not {TestInfoHash}", e.Message);
        // Our handshake went out first (BEP 3), then the connection was closed.
        Assert.Equal(new PeerHandshake(TestInfoHash, PeerA).ToArray(), (await raw.ReceiveToEndAsync())[..68]);
    }

    [Fact]
    public async Task Something_that_is_not_a_handshake_is_refused_at_once()
    {
        await using var raw = new RawPeer();
        var connecting = ConnectAsync(raw.EndPoint);
        await raw.AcceptAsync();
        await raw.SendAsync("HTTP/1.1 400 Bad Request\r\n"u8.ToArray());

        var e = await Assert.ThrowsAsync<PeerProtocolException>(() => connecting.WaitAsync(Patience));
        Assert.Equal(PeerProtocolError.NotBitTorrent, e.Error);
    }

    [Fact]
    public async Task An_incoming_handshake_for_a_torrent_we_do_not_serve_gets_no_answer()
    {
        using var listener = Listen(out var endPoint);
        await using var raw = new RawPeer();
        await raw.ConnectAsync(endPoint);
        var other = Enumerable.Repeat((byte)0xEE, 20).ToArray();
        await raw.SendAsync(Handshake(other, PeerB, FastAndExtensions));
        var asked = new List<InfoHash>();

        var e = await Assert.ThrowsAsync<PeerProtocolException>(async () =>
            await PeerConnection.AcceptAsync(await listener.AcceptSocketAsync(), PeerA, PeerHandshake.DefaultReserved, h => { asked.Add(h); return null; }, Quick).WaitAsync(Patience));

        Assert.Equal(PeerProtocolError.UnknownInfoHash, e.Error);
        Assert.EndsWith($"handshake for info hash {Convert.ToHexStringLower(other)}, a torrent we do not serve", e.Message);
        Assert.Equal([new InfoHash(other)], asked);
        Assert.Empty(await raw.ReceiveToEndAsync());
    }

    [Fact]
    public async Task A_connection_to_ourselves_is_refused()
    {
        using var listener = Listen(out var endPoint);
        var connecting = PeerConnection.ConnectAsync(new PeerEndpoint(endPoint.Address, endPoint.Port), new PeerHandshake(TestInfoHash, PeerA), Limits, Quick);
        var accepting = PeerConnection.AcceptAsync(await listener.AcceptSocketAsync(), PeerA, PeerHandshake.DefaultReserved, _ => Limits, Quick);

        var e = await Assert.ThrowsAsync<PeerProtocolException>(() => accepting.WaitAsync(Patience));
        Assert.Equal(PeerProtocolError.SelfConnection, e.Error);
        await Assert.ThrowsAnyAsync<Exception>(() => connecting.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_silent_peer_times_out_in_the_handshake()
    {
        await using var raw = new RawPeer();
        var stopwatch = Stopwatch.StartNew();
        var connecting = PeerConnection.ConnectAsync(raw.EndPoint, new PeerHandshake(TestInfoHash, PeerA), Limits, Quick with { HandshakeTimeout = TimeSpan.FromMilliseconds(300) });
        await raw.AcceptAsync();
        await raw.SendAsync(Handshake(InfoHashBytes, PeerB)[..30]);

        var e = await Assert.ThrowsAsync<PeerProtocolException>(() => connecting.WaitAsync(Patience));
        Assert.Equal(PeerProtocolError.HandshakeTimeout, e.Error);
        Assert.EndsWith("no complete handshake within 0.3 s (30 of its 68 bytes received)", e.Message);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_refused_connect_is_a_socket_error()
    {
        // A port that was listening a moment ago and no longer is.
        int port;
        await using (var raw = new RawPeer())
            port = raw.EndPoint.Port;
        await Assert.ThrowsAsync<SocketException>(() =>
            PeerConnection.ConnectAsync(new PeerEndpoint(IPAddress.Loopback, port), new PeerHandshake(TestInfoHash, PeerA), Limits, Quick).WaitAsync(Patience));
    }

    [Fact]
    public async Task A_peer_silent_after_the_handshake_times_out_idle()
    {
        await using var raw = new RawPeer();
        var options = Quick with { IdleTimeout = TimeSpan.FromMilliseconds(400), KeepAliveInterval = TimeSpan.FromMinutes(10) };
        await using var connection = await ConnectToRawAsync(raw, 0, options);
        await raw.SendAsync([0, 0, 0, 0]);
        Assert.Equal(PeerMessageId.KeepAlive, (await NextAsync(connection)).Id);
        var stopwatch = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<PeerProtocolException>(async () => await connection.ReceiveAsync().AsTask().WaitAsync(Patience));

        Assert.Equal(PeerProtocolError.IdleTimeout, e.Error);
        Assert.EndsWith("no message (not even a keep-alive) for 0.4 s", e.Message);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Keep_alives_go_out_when_we_have_been_quiet()
    {
        await using var raw = new RawPeer();
        var options = Quick with { KeepAliveInterval = TimeSpan.FromMilliseconds(200) };
        await using var connection = await ConnectToRawAsync(raw, 0, options);

        Assert.Equal(new byte[8], await raw.ReceiveExactlyAsync(8));
    }

    [Fact]
    public async Task A_bitfield_after_other_messages_is_refused_but_the_extension_handshake_may_precede_it()
    {
        await using var raw = new RawPeer();
        await using var connection = await ConnectToRawAsync(raw, FastAndExtensions);
        await raw.SendAsync([.. Message(20, [0], "de"u8.ToArray()), .. Message(5, new byte[5]), .. Message(1), .. Message(5, new byte[5])]);

        Assert.Equal(PeerMessageId.Extended, (await NextAsync(connection)).Id);
        Assert.Equal(PeerMessageId.Bitfield, (await NextAsync(connection)).Id);
        Assert.Equal(PeerMessageId.Unchoke, (await NextAsync(connection)).Id);
        var e = await Assert.ThrowsAsync<PeerProtocolException>(async () => await connection.ReceiveAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(PeerProtocolError.UnexpectedMessage, e.Error);
        Assert.EndsWith("bitfield after other messages; it may only come first (BEP 3, BEP 6)", e.Message);
    }

    [Theory]
    [InlineData(14, "have all")]
    [InlineData(17, "allowed fast")]
    public async Task Fast_extension_messages_are_refused_when_it_was_not_agreed(byte id, string name)
    {
        await using var raw = new RawPeer();
        await using var connection = await ConnectToRawAsync(raw, reserved: 0x10_0000);
        await raw.SendAsync(id == 14 ? Message(14) : Message(17, U32(1)));

        var e = await Assert.ThrowsAsync<PeerProtocolException>(async () => await connection.ReceiveAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(PeerProtocolError.UnexpectedMessage, e.Error);
        Assert.EndsWith($"{name} without the fast extension agreed in the handshake (BEP 6)", e.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await connection.SendAsync(PeerMessageId.HaveNone));
    }

    [Fact]
    public async Task A_hostile_message_fails_the_receive_with_the_peer_named()
    {
        await using var raw = new RawPeer();
        await using var connection = await ConnectToRawAsync(raw, FastAndExtensions);
        await raw.SendAsync([.. Message(5, [0xff, 0xff, 0xff, 0xff])]);

        var e = await Assert.ThrowsAsync<PeerProtocolException>(async () => await connection.ReceiveAsync().AsTask().WaitAsync(Patience));
        Assert.Equal($"Peer {raw.EndPoint}: bitfield of 4 bytes for a torrent of 40 pieces needs 5", e.Message);
    }

    [Fact]
    public async Task A_clean_close_ends_the_receive_loop_and_dispose_wakes_a_pending_receive()
    {
        await using var raw = new RawPeer();
        var connection = await ConnectToRawAsync(raw, 0);
        await raw.SendAsync(Message(2));
        Assert.Equal(PeerMessageId.Interested, (await NextAsync(connection)).Id);
        var pending = connection.ReceiveAsync().AsTask();
        await Task.Delay(50);
        Assert.False(pending.IsCompleted);

        await connection.DisposeAsync().AsTask().WaitAsync(Patience);

        await Assert.ThrowsAnyAsync<Exception>(() => pending.WaitAsync(Patience));
        Assert.Throws<ObjectDisposedException>(() => connection.ReceiveAsync());
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await connection.SendAsync(PeerMessageId.Interested));

        await using var raw2 = new RawPeer();
        await using var second = await ConnectToRawAsync(raw2, 0);
        raw2.Close();
        Assert.False(await second.ReceiveAsync().AsTask().WaitAsync(Patience));
    }

    private static async Task<PeerMessage> NextAsync(PeerConnection connection)
    {
        Assert.True(await connection.ReceiveAsync().AsTask().WaitAsync(Patience), "the connection closed");
        return connection.Current;
    }

    private static Task<PeerConnection> ConnectAsync(PeerEndpoint endPoint, PeerConnectionOptions? options = null) =>
        PeerConnection.ConnectAsync(endPoint, new PeerHandshake(TestInfoHash, PeerA), Limits, options ?? Quick);

    /// <summary>Our connection to a raw peer that answered with a correct handshake with these reserved bits.</summary>
    private static async Task<PeerConnection> ConnectToRawAsync(RawPeer raw, ulong reserved, PeerConnectionOptions? options = null)
    {
        var connecting = ConnectAsync(raw.EndPoint, options);
        await raw.AcceptAsync();
        Assert.Equal(new PeerHandshake(TestInfoHash, PeerA).ToArray(), await raw.ReceiveExactlyAsync(68));
        await raw.SendAsync(Handshake(InfoHashBytes, PeerB, reserved));
        return await connecting.WaitAsync(Patience);
    }

    private static TcpListener Listen(out IPEndPoint endPoint)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        endPoint = (IPEndPoint)listener.LocalEndpoint;
        return listener;
    }

    private static async Task<(PeerConnection Outgoing, PeerConnection Incoming)> PairAsync(
        PeerReservedBits outgoingReserved = PeerHandshake.DefaultReserved, PeerReservedBits incomingReserved = PeerHandshake.DefaultReserved)
    {
        using var listener = Listen(out var endPoint);
        var connecting = PeerConnection.ConnectAsync(new PeerEndpoint(endPoint.Address, endPoint.Port), new PeerHandshake(TestInfoHash, PeerA, outgoingReserved), Limits, Quick);
        var accepted = await listener.AcceptSocketAsync().WaitAsync(Patience);
        var incoming = await PeerConnection.AcceptAsync(accepted, PeerB, incomingReserved, h => h == TestInfoHash ? Limits : null, Quick).WaitAsync(Patience);
        return (await connecting.WaitAsync(Patience), incoming);
    }
}
