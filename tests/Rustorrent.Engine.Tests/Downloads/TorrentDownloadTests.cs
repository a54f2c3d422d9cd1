using System.Net;
using Rustorrent.Downloads;
using Rustorrent.Metainfo;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Downloads;

/// <summary>The download engine against real and hostile peers on loopback.</summary>
public sealed class TorrentDownloadTests : IDisposable
{
    private const int PieceLength = 32 * 1024;
    private readonly TempDirectory temp = new("engine-download");

    public void Dispose() => temp.Dispose();

    [SkippableFact]
    public async Task A_poisoning_peer_next_to_an_honest_one_is_banned_and_the_download_completes()
    {
        RequiredTool.PythonWithLibtorrent();
        var files = await Payload.CreateAsync(temp.CreateSubdirectory("seed"), PayloadSpec.SingleFile("data.bin", 40 * PieceLength + 77));
        var torrentPath = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(files[0].FullPath, temp.Combine("data.torrent"))
        {
            Version = LibtorrentTorrentVersion.V1,
            PieceLength = PieceLength,
        });
        var metainfo = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(torrentPath));
        await using var honest = await LibtorrentSeeder.StartAsync(torrentPath, temp.Combine("seed"));
        // 127.0.0.2 is loopback too (127/8), and lets the ban name the liar alone.
        await using var liar = new LyingSeeder(IPAddress.Parse("127.0.0.2"), metainfo.PrimaryInfoHash, metainfo.PieceCount);
        using var engine = new TorrentEngine();
        var download = new TorrentDownload(engine, metainfo, temp.Combine("out"), new DownloadOptions
        {
            Peers = [liar.EndPoint, new Rustorrent.Peers.PeerEndpoint(IPAddress.Loopback, honest.Port)],
            UseTrackers = false,
            StallTimeout = TimeSpan.FromSeconds(30),
        });

        var result = await download.RunAsync(null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(files[0].Sha256, Payload.Sha256Of(temp.Combine("out/data.bin")));
        Assert.True(liar.BlocksSent > 0, "the liar was never asked for a block: the test proves nothing");
        Assert.Equal(["127.0.0.2"], result.BannedPeers);
    }
}
