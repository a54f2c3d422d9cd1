using System.Globalization;
using System.Net;
using Rustorrent.Downloads;
using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Downloads;

/// <summary>A download in a process of its own (tests/Rustorrent.EngineHost) killed with SIGKILL half-way:
/// starting again over its files keeps every piece it had verified and fetches only the rest.</summary>
public sealed class KilledProcessTests : IDisposable
{
    private const int PieceLength = 16 * 1024;
    private const int PieceCount = 256;
    private readonly TempDirectory temp = new("engine-killed");

    public void Dispose() => temp.Dispose();

    [SkippableFact]
    public async Task A_download_killed_half_way_resumes_keeping_its_verified_pieces()
    {
        RequiredTool.PythonWithLibtorrent();
        var files = await Payload.CreateAsync(temp.CreateSubdirectory("seed"), PayloadSpec.SingleFile("data.bin", PieceCount * PieceLength - 10));
        var torrentPath = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(files[0].FullPath, temp.Combine("t.torrent"))
        {
            Version = LibtorrentTorrentVersion.V1,
            PieceLength = PieceLength,
        });
        var metainfo = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(torrentPath));
        await using var seeder = await LibtorrentSeeder.StartAsync(torrentPath, temp.Combine("seed"));

        // Held to 1 MB/s so that the kill lands half-way (4 MiB in about 4 s).
        var host = Path.Combine(AppContext.BaseDirectory, "Rustorrent.EngineHost.dll");
        await using (var process = ManagedProcess.Start(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet",
            [host, "download", torrentPath, temp.Combine("out"), seeder.Port.ToString(CultureInfo.InvariantCulture), "1000000"],
            new ManagedProcessOptions { MaxLifetime = TimeSpan.FromSeconds(60) }))
        {
            await process.WaitForOutputAsync(line => line.StartsWith("VERIFIED ", StringComparison.Ordinal) && int.Parse(line[9..], CultureInfo.InvariantCulture) >= PieceCount / 3, TimeSpan.FromSeconds(45));
            process.SendSignal(9); // SIGKILL: no cleanup of any kind
            await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
            Assert.DoesNotContain("DONE", process.StandardOutput, StringComparison.Ordinal);
        }

        using var engine = new TorrentEngine(port: 0);
        var result = await new TorrentDownload(engine, metainfo, temp.Combine("out"), new DownloadOptions
        {
            UseTrackers = false,
            Peers = [new PeerEndpoint(IPAddress.Loopback, seeder.Port)],
        }).RunAsync(null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(files[0].Sha256, Payload.Sha256Of(temp.Combine("out/data.bin")));
        Assert.InRange(result.PiecesAlreadyPresent, PieceCount / 3, PieceCount - 1);
        Assert.Equal(metainfo.PayloadSize - metainfo.PayloadSize * result.PiecesAlreadyPresent / PieceCount, result.DownloadedBytes, tolerance: PieceLength);
    }
}
