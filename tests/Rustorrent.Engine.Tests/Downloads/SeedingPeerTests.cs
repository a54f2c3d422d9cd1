using System.Buffers.Binary;
using System.Net;
using Rustorrent.Downloads;
using Rustorrent.Engine.Tests.Metainfo;
using Rustorrent.Engine.Tests.Peers.Wire;
using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Downloads;

/// <summary>
/// The upload side byte by byte: a raw peer dials our seeding engine's listener (IPv4 and IPv6) and checks
/// what it is told and sent: have all, reject while choked (BEP 6), unchoke once interested, the right
/// bytes for a request, and a dropped connection for a request past the torrent's end.
/// </summary>
public sealed class SeedingPeerTests : IAsyncLifetime
{
    private const int PieceLength = 32 * 1024;
    private const ulong FastExtension = 0x04;
    private readonly TempDirectory temp = new("engine-seeding");
    private readonly byte[] data = MetainfoTestData.Content(3 * PieceLength + 1000, seed: 7);
    private readonly CancellationTokenSource stop = new();
    private TorrentEngine engine = null!;
    private TorrentMetainfo metainfo = null!;
    private Task<DownloadResult> seeding = null!;

    public async Task InitializeAsync()
    {
        metainfo = TorrentMetainfo.Parse(MetainfoTestData.Torrent(MetainfoTestData.SingleFileInfo("data.bin", data, PieceLength)));
        await File.WriteAllBytesAsync(temp.Combine("data.bin"), data);
        engine = new TorrentEngine(port: 0);
        seeding = new TorrentDownload(engine, metainfo, temp.Path, new DownloadOptions { UseTrackers = false, Seed = true }).RunAsync(null, stop.Token);
        for (var i = 0; i < 200 && !engine.IsListening; i++)
            await Task.Delay(25);
        Assert.True(engine.IsListening);
    }

    public async Task DisposeAsync()
    {
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => seeding.WaitAsync(TimeSpan.FromSeconds(30)));
        await engine.DisposeAsync();
        temp.Dispose();
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task A_peer_is_rejected_while_choked_then_unchoked_and_served_the_right_bytes(string address)
    {
        await using var peer = new RawPeer();
        await peer.ConnectAsync(new IPEndPoint(IPAddress.Parse(address), engine.ListenPort));
        await peer.SendAsync(WireBytes.Handshake(metainfo.PrimaryInfoHash.Span.ToArray(), WireBytes.PeerB, FastExtension));

        var handshake = await peer.ReceiveExactlyAsync(68);
        Assert.Equal(metainfo.PrimaryInfoHash.Span.ToArray(), handshake[28..48]);
        Assert.Equal(14, (await NextMessageAsync(peer)).Id); // have all (BEP 6): we seed every piece

        // Asked before we unchoke: a reject for exactly that block.
        await peer.SendAsync(Request(1, 0, 16384));
        var reject = await NextMessageAsync(peer);
        Assert.Equal(16, reject.Id);
        Assert.Equal(Request(1, 0, 16384)[5..], reject.Body);

        await peer.SendAsync(WireBytes.Message(2)); // interested
        Assert.Equal(1, (await NextMessageAsync(peer)).Id); // unchoke: a slot is free

        await peer.SendAsync(Request(3, 0, 1000));
        var piece = await NextMessageAsync(peer);
        Assert.Equal(7, piece.Id);
        Assert.Equal(3, BinaryPrimitives.ReadInt32BigEndian(piece.Body));
        Assert.Equal(0, BinaryPrimitives.ReadInt32BigEndian(piece.Body.AsSpan(4)));
        Assert.Equal(data[(3 * PieceLength)..], piece.Body[8..]);
    }

    [Fact]
    public async Task A_request_past_the_torrents_end_drops_that_peer_only()
    {
        await using var hostile = new RawPeer();
        await hostile.ConnectAsync(new IPEndPoint(IPAddress.Loopback, engine.ListenPort));
        await hostile.SendAsync(WireBytes.Handshake(metainfo.PrimaryInfoHash.Span.ToArray(), WireBytes.PeerB, FastExtension));
        await hostile.ReceiveExactlyAsync(68);
        await hostile.SendAsync(WireBytes.Message(2));
        // The last piece has 1,000 bytes: a block at 900 of 200 bytes runs past it.
        await hostile.SendAsync(Request(3, 900, 200));
        // Closed (not left to time out), with no block sent.
        var rest = await hostile.ReceiveToEndAsync();
        Assert.DoesNotContain((byte)7, MessageIds(rest));

        // The engine still serves others.
        await using var honest = new RawPeer();
        await honest.ConnectAsync(new IPEndPoint(IPAddress.Loopback, engine.ListenPort));
        await honest.SendAsync(WireBytes.Handshake(metainfo.PrimaryInfoHash.Span.ToArray(), WireBytes.PeerA, FastExtension));
        Assert.Equal(68, (await honest.ReceiveExactlyAsync(68)).Length);
    }

    [Fact]
    public async Task A_handshake_for_a_torrent_the_engine_does_not_run_gets_no_answer()
    {
        await using var peer = new RawPeer();
        await peer.ConnectAsync(new IPEndPoint(IPAddress.Loopback, engine.ListenPort));
        await peer.SendAsync(WireBytes.Handshake(WireBytes.InfoHashBytes, WireBytes.PeerB, FastExtension));
        Assert.Empty(await peer.ReceiveToEndAsync());
    }

    [Fact]
    public async Task A_second_download_of_the_same_torrent_in_the_engine_fails_clearly()
    {
        var second = new TorrentDownload(engine, metainfo, temp.Path, new DownloadOptions { UseTrackers = false, Seed = true });
        var error = await Assert.ThrowsAsync<DownloadFailedException>(() => second.RunAsync(null, CancellationToken.None));
        Assert.Contains("already being downloaded", error.Message, StringComparison.Ordinal);
    }

    private static byte[] Request(int piece, int begin, int length) =>
        WireBytes.Message(6, WireBytes.U32((uint)piece), WireBytes.U32((uint)begin), WireBytes.U32((uint)length));

    private static List<byte> MessageIds(byte[] stream)
    {
        var ids = new List<byte>();
        for (var at = 0; at + 4 <= stream.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(stream.AsSpan(at));
            if (length > 0 && at + 4 < stream.Length)
                ids.Add(stream[at + 4]);
            at += 4 + length;
        }
        return ids;
    }

    private static async Task<(byte Id, byte[] Body)> NextMessageAsync(RawPeer peer)
    {
        while (true)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(await peer.ReceiveExactlyAsync(4));
            if (length == 0)
                continue; // keep-alive
            var message = await peer.ReceiveExactlyAsync(length);
            return (message[0], message[1..]);
        }
    }
}
