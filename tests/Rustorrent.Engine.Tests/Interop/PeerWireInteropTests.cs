using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.Peers.Wire;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Interop;

/// <summary>
/// Our peer wire against libtorrent on 127.0.0.1: we download pieces from a libtorrent seeder and check
/// them against the torrent's SHA-1s, and a libtorrent leecher downloads a whole file from our connection
/// (libtorrent checks every piece it gets, so it finishing proves our piece messages right).
/// </summary>
public sealed class PeerWireInteropTests : IDisposable
{
    private const int PieceLength = 64 * 1024;
    // 7 whole pieces and a last one of 20,000 bytes: two blocks, the second one short.
    private const long FileLength = 7L * PieceLength + 20_000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TempDirectory temp = new("wire-interop");

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task We_download_the_first_and_the_short_last_piece_from_a_libtorrent_seeder(bool fastExtension)
    {
        RequiredTool.PythonWithLibtorrent();
        var (torrentPath, torrent, _) = await CreateTorrentAsync();
        await using var seeder = await LibtorrentSeeder.StartAsync(torrentPath, temp.Combine("seed"));
        using var timeout = new CancellationTokenSource(Patience);
        var ct = timeout.Token;

        var reserved = PeerReservedBits.ExtensionProtocol | (fastExtension ? PeerReservedBits.FastExtension : 0);
        await using var peer = await PeerConnection.ConnectAsync(
            new PeerEndpoint(IPAddress.Loopback, seeder.Port), new PeerHandshake(torrent.InfoHashV1!.Value, PeerId.Create(), reserved),
            WireLimits.ForTorrent(torrent), cancellationToken: ct);

        // libtorrent 2.0 sets both bits whatever we set.
        Assert.True(peer.RemoteHandshake.SupportsExtensionProtocol, "libtorrent's reserved[5] & 0x10");
        Assert.True(peer.RemoteHandshake.SupportsFastExtension, "libtorrent's reserved[7] & 0x04");
        Assert.Equal(fastExtension, peer.FastExtension);
        if (fastExtension)
            await peer.SendAsync(PeerMessageId.HaveNone, ct);
        await peer.SendAsync(PeerMessageId.Interested, ct);

        var last = torrent.PieceCount - 1;
        var lastLength = (int)(FileLength - (long)last * PieceLength);
        var pieces = new Dictionary<int, byte[]> { [0] = new byte[PieceLength], [last] = new byte[lastLength] };
        var blocks = pieces.SelectMany(p => Blocks(p.Key, p.Value.Length)).ToArray();
        var seen = new List<PeerMessageId>();
        var received = 0;
        var requested = false;
        while (received < blocks.Length)
        {
            Assert.True(await peer.ReceiveAsync(ct), $"libtorrent closed the connection after {string.Join(", ", seen)}");
            var message = peer.Current;
            seen.Add(message.Id);
            switch (message.Id)
            {
                case PeerMessageId.Bitfield:
                    // A seed's bitfield: all 8 pieces, no spare bits (the parser checked those).
                    Assert.False(fastExtension, "with the fast extension a seed sends have all");
                    Assert.Equal(new byte[] { 0xff }, message.Payload.ToArray());
                    break;
                case PeerMessageId.HaveAll:
                    Assert.True(fastExtension);
                    break;
                case PeerMessageId.Unchoke when !requested:
                    await peer.SendRequestsAsync(blocks, ct);
                    requested = true;
                    break;
                case PeerMessageId.Piece:
                    Assert.Equal(ReceivedBlockKind.Requested, peer.CurrentBlockKind);
                    message.Payload.CopyTo(pieces[message.PieceIndex].AsSpan(message.Begin));
                    received++;
                    break;
                case PeerMessageId.Choke:
                    Assert.Fail("libtorrent choked us while we downloaded");
                    break;
            }
        }

        Assert.Contains(fastExtension ? PeerMessageId.HaveAll : PeerMessageId.Bitfield, seen);
        Assert.Equal(0, peer.OutstandingRequestCount);
        foreach (var (index, data) in pieces)
            Assert.Equal(Convert.ToHexStringLower(torrent.GetPieceHash(index)), Convert.ToHexStringLower(SHA1.HashData(data)));
    }

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_libtorrent_leecher_downloads_the_whole_file_from_our_connection(bool fastExtension)
    {
        RequiredTool.PythonWithLibtorrent();
        var (torrentPath, torrent, file) = await CreateTorrentAsync();
        var data = await File.ReadAllBytesAsync(file.FullPath);
        var limits = WireLimits.ForTorrent(torrent);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        // libtorrent dials with MSE/PE encryption first (out_enc_policy 1); we speak plain BEP 3 only.
        await using var leecher = await LibtorrentLeecher.StartAsync(torrentPath, temp.Combine("leech"), peers: [(IPEndPoint)listener.LocalEndpoint],
            settings: new Dictionary<string, string> { ["out_enc_policy"] = "2" });
        using var timeout = new CancellationTokenSource(Patience);
        var ct = timeout.Token;

        var reserved = PeerReservedBits.ExtensionProtocol | (fastExtension ? PeerReservedBits.FastExtension : 0);
        await using var peer = await PeerConnection.AcceptAsync(
            await listener.AcceptSocketAsync(ct), PeerId.Create(), reserved, h => h == torrent.InfoHashV1 ? limits : null, cancellationToken: ct);
        Assert.Equal(torrent.InfoHashV1, peer.InfoHash);
        if (fastExtension)
            await peer.SendAsync(PeerMessageId.HaveAll, ct);
        else
            await peer.SendBitfieldAsync(new byte[] { 0xff }, ct);

        var serving = Task.Run(async () =>
        {
            var served = 0;
            while (await peer.ReceiveAsync(ct))
            {
                var message = peer.Current;
                if (message.Id == PeerMessageId.Interested)
                {
                    await peer.SendAsync(PeerMessageId.Unchoke, ct);
                }
                else if (message.Id == PeerMessageId.Request)
                {
                    var offset = (long)message.PieceIndex * PieceLength + message.Begin;
                    await peer.SendPieceAsync(message.PieceIndex, message.Begin, data.AsMemory((int)offset, message.Length), ct);
                    served++;
                }
            }
            return served;
        }, ct);

        var bytes = await leecher.WaitForDoneAsync(Patience);
        Assert.Equal(FileLength, bytes);
        Assert.Equal(file.Sha256, Payload.Sha256Of(temp.Combine("leech/file.bin")));
        Assert.False(serving.IsFaulted, serving.Exception?.ToString());
    }

    public void Dispose() => temp.Dispose();

    private async Task<(string Path, TorrentMetainfo Torrent, PayloadFile File)> CreateTorrentAsync()
    {
        var files = await Payload.CreateAsync(temp.CreateSubdirectory("seed"), PayloadSpec.SingleFile("file.bin", FileLength, seed: "wire-interop"));
        var torrentPath = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(files[0].FullPath, temp.Combine("file.torrent"))
        {
            Version = LibtorrentTorrentVersion.V1,
            PieceLength = PieceLength,
        });
        var torrent = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(torrentPath));
        Assert.Equal(8, torrent.PieceCount);
        return (torrentPath, torrent, files[0]);
    }

    private static IEnumerable<BlockRequest> Blocks(int piece, int pieceSize)
    {
        for (var begin = 0; begin < pieceSize; begin += WireLimits.StandardBlockLength)
            yield return new BlockRequest(piece, begin, Math.Min(WireLimits.StandardBlockLength, pieceSize - begin));
    }
}
