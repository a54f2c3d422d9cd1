using System.Net;
using Rustorrent.Downloads;
using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Downloads;

/// <summary>
/// Whole downloads on loopback between our engine and real clients, both directions: from libtorrent and
/// transmission seeders, to a libtorrent leecher, between two engines, with late and several seeders, and
/// stopped half-way then resumed. Every test checks the bytes on disk by SHA-256.
/// </summary>
public sealed class SwarmTests : IDisposable
{
    private const int PieceLength = 16 * 1024;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private readonly TempDirectory temp = new("engine-swarm");

    public void Dispose() => temp.Dispose();

    [SkippableFact]
    public async Task Downloads_a_multi_file_torrent_from_a_transmission_seeder()
    {
        RequiredTool.TransmissionCli();
        var (files, torrentPath, metainfo) = await MultiFileTorrentAsync();
        // Plaintext preferred: transmission then answers our plain handshake (MSE/PE is not built yet).
        await using var seeder = await TransmissionSeeder.StartAsync(torrentPath, temp.Combine("seed"), encryption: 0);
        using var engine = new TorrentEngine(port: 0);

        var result = await DownloadAsync(engine, metainfo, "out", [Loopback(seeder.Port)]);

        AssertSameFiles(files, temp.Combine("out"));
        Assert.Equal(metainfo.PayloadSize, result.DownloadedBytes);
    }

    [SkippableFact]
    public async Task A_libtorrent_leecher_downloads_from_our_engine_seeding_until_the_ratio()
    {
        RequiredTool.PythonWithLibtorrent();
        var (files, torrentPath, metainfo) = await MultiFileTorrentAsync();
        using var engine = new TorrentEngine(port: 0);
        var seeding = new TorrentDownload(engine, metainfo, temp.Combine("seed"), new DownloadOptions
        {
            UseTrackers = false,
            Seed = true,
            SeedRatio = 1.0,
        });
        var run = seeding.RunAsync(null, CancellationToken.None);
        await WaitUntilAsync(() => engine.IsListening || run.IsCompleted);
        Assert.False(run.IsCompleted, "the seeding engine stopped before anyone connected");

        await using var leecher = await LibtorrentLeecher.StartAsync(torrentPath, temp.Combine("lt"), [new IPEndPoint(IPAddress.Loopback, engine.ListenPort)], exitWhenDone: true);
        await leecher.WaitForDoneAsync(Bound);

        // Seeding ends by itself once a whole torrent's worth was uploaded.
        var result = await run.WaitAsync(Bound);
        AssertSameFiles(files, temp.Combine("lt"));
        Assert.Equal(0, result.DownloadedBytes);
        Assert.True(seeding.UploadedBytes >= metainfo.PayloadSize, $"uploaded {seeding.UploadedBytes} of {metainfo.PayloadSize}");
    }

    [SkippableFact]
    public async Task A_libtorrent_leecher_given_only_a_magnet_gets_the_metadata_and_the_data_from_us()
    {
        RequiredTool.PythonWithLibtorrent();
        var (files, _, metainfo) = await MultiFileTorrentAsync();
        using var engine = new TorrentEngine(port: 0);
        using var stopSeeding = new CancellationTokenSource();
        var seeding = new TorrentDownload(engine, metainfo, temp.Combine("seed"), new DownloadOptions { UseTrackers = false, Seed = true })
            .RunAsync(null, stopSeeding.Token);
        await WaitUntilAsync(() => engine.IsListening || seeding.IsCompleted);
        var magnet = $"magnet:?xt=urn:btih:{metainfo.InfoHashV1!.Value.ToHex()}";

        await using var leecher = await LibtorrentLeecher.StartAsync(magnet, temp.Combine("lt"), [new IPEndPoint(IPAddress.Loopback, engine.ListenPort)], exitWhenDone: true);
        var metadataLine = await leecher.Process.WaitForOutputAsync(l => l.StartsWith("METADATA ", StringComparison.Ordinal), Bound);
        await leecher.WaitForDoneAsync(Bound);

        await stopSeeding.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => seeding.WaitAsync(Bound));
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(metainfo.InfoDictionary.Span)).ToLowerInvariant(), metadataLine.Split(' ')[1].ToLowerInvariant());
        AssertSameFiles(files, temp.Combine("lt"));
    }

    [SkippableFact]
    public async Task A_seeder_known_only_from_another_peers_pex_is_connected()
    {
        RequiredTool.PythonWithLibtorrent();
        var files = await Payload.CreateAsync(temp.CreateSubdirectory("seed"), PayloadSpec.SingleFile("data.bin", 256 * PieceLength));
        var (torrentPath, metainfo) = await TorrentOfAsync(files[0].FullPath, LibtorrentTorrentVersion.V1);
        var keepConnected = new Dictionary<string, string> { ["close_redundant_connections"] = "false" };
        await using var hidden = await LibtorrentSeeder.StartAsync(torrentPath, temp.Combine("seed"), settings: keepConnected);
        // The peer we are told of: it learns the hidden seeder by downloading from it, then serves us slowly
        // (libtorrent limits loopback peers only when told to), so our download is still running when its
        // ut_pex message names the hidden seeder.
        var slow = new Dictionary<string, string>(keepConnected) { ["upload_rate_limit"] = "300000", ["ignore_limits_on_local_network"] = "false" };
        await using var told = await LibtorrentLeecher.StartAsync(torrentPath, temp.Combine("told"), [new IPEndPoint(IPAddress.Loopback, hidden.Port)], settings: slow);
        await told.WaitForDoneAsync(Bound);
        using var engine = new TorrentEngine(port: 0);

        var result = await DownloadAsync(engine, metainfo, "out", [Loopback(told.Port)]);

        Assert.Equal(files[0].Sha256, Payload.Sha256Of(temp.Combine("out/data.bin")));
        // Trackers and the DHT are off and only one peer was given: a second one exists only through ut_pex,
        // either the hidden seeder named to us, or us named to it (then it dials us).
        Assert.True(result.PeersUsed >= 2, $"{result.PeersUsed} peer sessions, {result.PeersFromPex} peers from ut_pex");
    }

    [SkippableFact]
    public async Task Two_engines_swarm_when_the_seeder_joins_late_and_dials_the_leecher()
    {
        var (files, _, metainfo) = await MultiFileTorrentAsync();
        using var leecherEngine = new TorrentEngine(port: 0);
        using var seederEngine = new TorrentEngine(port: 0);
        var leeching = new TorrentDownload(leecherEngine, metainfo, temp.Combine("out"), new DownloadOptions { UseTrackers = false, StallTimeout = TimeSpan.FromSeconds(60) });
        var leech = leeching.RunAsync(null, CancellationToken.None);
        await WaitUntilAsync(() => leecherEngine.IsListening || leech.IsCompleted);

        // Only the seeder knows the other: the leecher gets it as an incoming connection.
        using var stopSeeding = new CancellationTokenSource();
        var seeding = new TorrentDownload(seederEngine, metainfo, temp.Combine("seed"), new DownloadOptions
        {
            UseTrackers = false,
            Seed = true,
            Peers = [Loopback(leecherEngine.ListenPort)],
        });
        var seed = seeding.RunAsync(null, stopSeeding.Token);

        var result = await leech.WaitAsync(Bound);
        await stopSeeding.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => seed.WaitAsync(Bound));
        AssertSameFiles(files, temp.Combine("out"));
        Assert.Equal(1, result.PeersUsed);
        Assert.True(seeding.UploadedBytes >= metainfo.PayloadSize);
    }

    [SkippableFact]
    public async Task A_seeder_that_starts_after_the_download_is_dialled_again_and_used()
    {
        RequiredTool.PythonWithLibtorrent();
        var (files, torrentPath, metainfo) = await MultiFileTorrentAsync();
        var port = FreePort.Next();
        using var engine = new TorrentEngine(port: 0);
        var run = new TorrentDownload(engine, metainfo, temp.Combine("out"), new DownloadOptions
        {
            UseTrackers = false,
            Peers = [Loopback(port)],
            StallTimeout = TimeSpan.FromSeconds(60),
        }).RunAsync(null, CancellationToken.None);
        // The first dial is refused: nobody listens yet.
        await Task.Delay(TimeSpan.FromSeconds(1));
        await using var seeder = await LibtorrentSeeder.StartAsync(torrentPath, temp.Combine("seed"), port);

        await run.WaitAsync(Bound);
        AssertSameFiles(files, temp.Combine("out"));
    }

    [SkippableFact]
    public async Task Downloads_from_two_libtorrent_seeders_and_our_engine_at_once()
    {
        RequiredTool.PythonWithLibtorrent();
        var files = await Payload.CreateAsync(temp.CreateSubdirectory("seed"), PayloadSpec.SingleFile("data.bin", 384 * PieceLength + 5));
        var (torrentPath, metainfo) = await TorrentOfAsync(files[0].FullPath, LibtorrentTorrentVersion.V1);
        await using var first = await LibtorrentSeeder.StartAsync(torrentPath, temp.Combine("seed"));
        await using var second = await LibtorrentSeeder.StartAsync(torrentPath, temp.Combine("seed"));
        using var seederEngine = new TorrentEngine(port: 0);
        using var stopSeeding = new CancellationTokenSource();
        var ours = new TorrentDownload(seederEngine, metainfo, temp.Combine("seed"), new DownloadOptions { UseTrackers = false, Seed = true })
            .RunAsync(null, stopSeeding.Token);
        await WaitUntilAsync(() => seederEngine.IsListening);
        using var engine = new TorrentEngine(port: 0);

        var result = await DownloadAsync(engine, metainfo, "out", [Loopback(first.Port), Loopback(second.Port), Loopback(seederEngine.ListenPort)]);

        await stopSeeding.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ours.WaitAsync(Bound));
        Assert.Equal(files[0].Sha256, Payload.Sha256Of(temp.Combine("out/data.bin")));
        Assert.Equal(3, result.PeersUsed);
        Assert.Equal(metainfo.PayloadSize, result.DownloadedBytes);
    }

    [SkippableFact]
    public async Task A_download_stopped_half_way_resumes_fetching_only_the_missing_pieces()
    {
        var files = await Payload.CreateAsync(temp.CreateSubdirectory("seed"), PayloadSpec.SingleFile("data.bin", 128 * PieceLength + 99));
        var (_, metainfo) = await TorrentOfAsync(files[0].FullPath, LibtorrentTorrentVersion.Hybrid);
        // Our own engine seeds, held to 1 MB/s (libtorrent does not limit loopback peers), so that a stop
        // lands half-way.
        using var seederEngine = new TorrentEngine(port: 0);
        using var stopSeeding = new CancellationTokenSource();
        var seeding = new TorrentDownload(seederEngine, metainfo, temp.Combine("seed"), new DownloadOptions { UseTrackers = false, Seed = true, UploadRateLimit = 1_000_000 })
            .RunAsync(null, stopSeeding.Token);
        await WaitUntilAsync(() => seederEngine.IsListening);
        using var engine = new TorrentEngine(port: 0);
        var options = new DownloadOptions { UseTrackers = false, Peers = [Loopback(seederEngine.ListenPort)] };

        using (var stop = new CancellationTokenSource())
        {
            var halfWay = new Progress(p =>
            {
                if (p.Phase == DownloadPhase.Downloading && p.Fraction >= 0.4)
                    stop.Cancel();
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                new TorrentDownload(engine, metainfo, temp.Combine("out"), options).RunAsync(halfWay, stop.Token).WaitAsync(Bound));
        }
        var resumed = await new TorrentDownload(engine, metainfo, temp.Combine("out"), options).RunAsync(null, CancellationToken.None).WaitAsync(Bound);
        await stopSeeding.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => seeding.WaitAsync(Bound));

        Assert.Equal(files[0].Sha256, Payload.Sha256Of(temp.Combine("out/data.bin")));
        Assert.InRange(resumed.PiecesAlreadyPresent, metainfo.PieceCount * 4 / 10, metainfo.PieceCount - 1);
        Assert.True(resumed.DownloadedBytes < metainfo.PayloadSize * 7 / 10, $"fetched {resumed.DownloadedBytes} of {metainfo.PayloadSize} again");
    }

    [SkippableFact]
    public async Task File_patterns_download_only_the_chosen_files_and_the_pieces_they_need()
    {
        RequiredTool.PythonWithLibtorrent();
        var (files, torrentPath, metainfo) = await MultiFileTorrentAsync();
        await using var seeder = await LibtorrentSeeder.StartAsync(torrentPath, temp.Combine("seed"));
        using var engine = new TorrentEngine(port: 0);
        var run = new TorrentDownload(engine, metainfo, temp.Combine("out"), new DownloadOptions
        {
            UseTrackers = false,
            Peers = [Loopback(seeder.Port)],
            FilePatterns = ["*two-pieces*", "small.txt"],
        }).RunAsync(null, CancellationToken.None);

        var result = await run.WaitAsync(Bound);

        var chosen = files.Where(f => f.RelativePath.Contains("two-pieces", StringComparison.Ordinal) || f.RelativePath.EndsWith("small.txt", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, chosen.Count);
        foreach (var file in chosen)
            Assert.Equal(file.Sha256, Payload.Sha256Of(Path.Combine(temp.Combine("out"), file.RelativePath)));
        Assert.Equal(2, result.Files.Count);
        // Files outside the selection are not created (boundary pieces go to the parts file).
        Assert.False(File.Exists(Path.Combine(temp.Combine("out"), files.Single(f => f.RelativePath.EndsWith("piece-exact.bin", StringComparison.Ordinal)).RelativePath)));
        Assert.True(result.DownloadedBytes < metainfo.PayloadSize);
    }

    /// <summary>The edge-case payload (empty files, nested folders, pieces spanning files) and its v1 torrent, made by libtorrent.</summary>
    private async Task<(IReadOnlyList<PayloadFile> Files, string TorrentPath, TorrentMetainfo Metainfo)> MultiFileTorrentAsync()
    {
        RequiredTool.PythonWithLibtorrent();
        var files = await Payload.CreateAsync(temp.CreateSubdirectory("seed"), PayloadSpec.MultiFileEdgeCases("content", PieceLength));
        var (torrentPath, metainfo) = await TorrentOfAsync(temp.Combine("seed/content"), LibtorrentTorrentVersion.V1);
        return (files, torrentPath, metainfo);
    }

    private async Task<(string TorrentPath, TorrentMetainfo Metainfo)> TorrentOfAsync(string payload, LibtorrentTorrentVersion version)
    {
        var torrentPath = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(payload, temp.Combine("t.torrent"))
        {
            Version = version,
            PieceLength = PieceLength,
        });
        return (torrentPath, TorrentMetainfo.Parse(await File.ReadAllBytesAsync(torrentPath)));
    }

    private async Task<DownloadResult> DownloadAsync(TorrentEngine engine, TorrentMetainfo metainfo, string folder, IReadOnlyList<PeerEndpoint> peers) =>
        await new TorrentDownload(engine, metainfo, temp.Combine(folder), new DownloadOptions
        {
            UseTrackers = false,
            Peers = peers,
            StallTimeout = TimeSpan.FromSeconds(60),
        }).RunAsync(null, CancellationToken.None).WaitAsync(Bound);

    private void AssertSameFiles(IReadOnlyList<PayloadFile> files, string root)
    {
        foreach (var file in files)
        {
            var path = Path.Combine(root, file.RelativePath);
            Assert.True(File.Exists(path), $"{file.RelativePath} is missing");
            Assert.Equal(file.Sha256, Payload.Sha256Of(path));
        }
    }

    private static PeerEndpoint Loopback(int port) => new(IPAddress.Loopback, port);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
            await Task.Delay(50);
    }

    /// <summary>Reports on the caller's thread (unlike <see cref="Progress{T}"/>, no synchronisation context).</summary>
    private sealed class Progress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
