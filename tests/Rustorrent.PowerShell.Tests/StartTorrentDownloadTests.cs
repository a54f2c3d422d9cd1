using System.Management.Automation;
using Rustorrent.PowerShell.Tests.Infrastructure;
using Rustorrent.TestKit;

namespace Rustorrent.PowerShell.Tests;

/// <summary>
/// Start-TorrentDownload -Wait (the foreground form; jobs are tested in Jobs/) through the hosted engine, downloading from a real python3-libtorrent seeder on
/// 127.0.0.1; every file's sha256 is compared with the source.
/// </summary>
public sealed class StartTorrentDownloadTests : IDisposable
{
    private const int PieceLength = 32 * 1024;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempDirectory temp = new("download");
    private PowerShellSession? shell;

    public void Dispose()
    {
        shell?.Dispose();
        temp.Dispose();
    }

    private PowerShellSession Shell => shell ??= new PowerShellSession(temp.Path);

    private async Task<(string Torrent, IReadOnlyList<PayloadFile> Files)> MakeTorrentAsync(PayloadSpec spec, string payloadName, LibtorrentTorrentVersion version, IReadOnlyList<IReadOnlyList<string>>? trackers = null)
    {
        var files = await Payload.CreateAsync(temp.CreateSubdirectory("seed"), spec);
        var torrent = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(temp.Combine("seed/" + payloadName), temp.Combine(payloadName + ".torrent"))
        {
            Version = version,
            PieceLength = PieceLength,
            TrackerTiers = trackers ?? [],
        });
        return (torrent, files);
    }

    private void AssertSameFiles(IReadOnlyList<PayloadFile> source, string downloadFolder)
    {
        foreach (var file in source)
        {
            var copy = Path.Combine(downloadFolder, file.RelativePath);
            Assert.True(File.Exists(copy), $"missing {copy}");
            Assert.Equal(file.Sha256, Payload.Sha256Of(copy));
        }
    }

    [SkippableFact]
    public async Task Seeds_on_the_given_port_to_a_libtorrent_leecher_until_the_ratio_then_completes()
    {
        RequiredTool.PythonWithLibtorrent();
        var (torrent, files) = await MakeTorrentAsync(PayloadSpec.MultiFileEdgeCases("album", PieceLength), "album", LibtorrentTorrentVersion.V1);
        var port = FreePort.Next();

        var job = Assert.Single(Shell.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -Port $args[2] -SeedRatio 1 -NoDht",
            torrent, temp.Combine("seed"), port).ThrowOnError().Output);
        await using var leecher = await LibtorrentLeecher.StartAsync(torrent, temp.Combine("lt"), [new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port)], exitWhenDone: true);
        await leecher.WaitForDoneAsync(TimeSpan.FromSeconds(60));

        var result = Shell.Invoke("$args[0] | Wait-Job -Timeout 60 | Receive-Job", job).ThrowOnError();
        AssertSameFiles(files, temp.Combine("lt"));
        Assert.Equal("Completed", Shell.Invoke("$args[0].State.ToString()", job).ThrowOnError().Output.Single().ToString());
        var done = Assert.Single(result.OutputOf("TorrentDownloadResult"));
        Assert.Equal(0L, (long)done.Downloaded);
    }

    [SkippableFact]
    public async Task A_seeding_job_outputs_its_result_when_the_download_completes_and_seeds_on_until_stopped()
    {
        RequiredTool.PythonWithLibtorrent();
        var (torrent, files) = await MakeTorrentAsync(PayloadSpec.MultiFileEdgeCases("album", PieceLength), "album", LibtorrentTorrentVersion.Hybrid);
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent, temp.Combine("seed"));

        var job = Assert.Single(Shell.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -Peer $args[2] -Seed -NoDht",
            torrent, temp.Combine("out"), $"127.0.0.1:{seeder.Port}").ThrowOnError().Output);
        PowerShellResult? early = null;
        for (var i = 0; i < 600 && (early is null || early.OutputOf("TorrentDownloadResult").Count == 0); i++)
        {
            await Task.Delay(100);
            early = Shell.Invoke("$args[0] | Receive-Job -Keep", job).ThrowOnError();
        }

        Assert.Single(early!.OutputOf("TorrentDownloadResult"));
        AssertSameFiles(files, temp.Combine("out"));
        Assert.Equal("Running", Shell.Invoke("$args[0].State.ToString()", job).ThrowOnError().Output.Single().ToString());
        var stopped = Shell.Invoke("$args[0] | Stop-Job; $args[0] | Receive-Job; $args[0].State.ToString()", job).ThrowOnError();
        Assert.Equal("Stopped", stopped.Output[^1].ToString());
    }

    [SkippableTheory]
    [InlineData(LibtorrentTorrentVersion.V1)]
    [InlineData(LibtorrentTorrentVersion.Hybrid)]
    public async Task Downloads_a_multi_file_torrent_from_a_libtorrent_seeder(LibtorrentTorrentVersion version)
    {
        RequiredTool.PythonWithLibtorrent();
        var (torrent, files) = await MakeTorrentAsync(PayloadSpec.MultiFileEdgeCases("album", PieceLength), "album", version);
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent, temp.Combine("seed"));

        var result = Shell.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -Peer $args[2] -Wait -StallTimeout 30",
            torrent, temp.Combine("out"), $"127.0.0.1:{seeder.Port}").ThrowOnError();

        var done = Assert.Single(result.OutputOf("TorrentDownloadResult"));
        Assert.Equal(temp.Combine("out/album"), (string)done.Path);
        Assert.Equal(files.Sum(f => f.Length), (long)done.Downloaded - PaddingBytes(torrent));
        Assert.Equal(1, (int)done.Peers);
        AssertSameFiles(files, temp.Combine("out"));
        Assert.Contains(result.Progress, p => p.RecordType == ProgressRecordType.Completed);
    }

    [SkippableFact]
    public async Task Finds_the_seeder_through_opentracker_and_resumes_after_damage_fetching_only_that_piece()
    {
        RequiredTool.PythonWithLibtorrent();
        RequiredTool.Opentracker();
        var spec = PayloadSpec.SingleFile("data.bin", 10 * PieceLength + 123);
        var (bare, _) = await MakeTorrentAsync(spec, "data.bin", LibtorrentTorrentVersion.V1);
        var hash = (await LibtorrentTool.DumpAsync(bare)).InfoHashV1!;
        await using var tracker = await Opentracker.StartAsync([hash]);
        var (torrent, files) = await MakeTorrentAsync(spec, "data.bin", LibtorrentTorrentVersion.V1, [[tracker.HttpAnnounceUrl.ToString()]]);
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent, temp.Combine("seed"), announceToTrackers: true);
        await seeder.Process.WaitForOutputAsync(l => l.StartsWith("TRACKER_REPLY", StringComparison.Ordinal), Patience);

        var first = Shell.Invoke("Get-TorrentInfo -LiteralPath $args[0] | Start-TorrentDownload -Destination $args[1] -Wait -StallTimeout 30", torrent, temp.Combine("out")).ThrowOnError();
        Assert.Equal(0, (int)Assert.Single(first.OutputOf("TorrentDownloadResult")).PiecesAlreadyPresent);
        AssertSameFiles(files, temp.Combine("out"));

        // One flipped byte in piece 3: a second start keeps the 10 good pieces and fetches only that one.
        var copy = temp.Combine("out/data.bin");
        using (var stream = File.Open(copy, FileMode.Open))
        {
            stream.Position = 3 * PieceLength + 5;
            var b = stream.ReadByte();
            stream.Position--;
            stream.WriteByte((byte)~b);
        }
        var second = Shell.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -Wait -StallTimeout 30", torrent, temp.Combine("out")).ThrowOnError();
        var resumed = Assert.Single(second.OutputOf("TorrentDownloadResult"));
        Assert.Equal(10, (int)resumed.PiecesAlreadyPresent);
        Assert.Equal(PieceLength, (long)resumed.Downloaded);
        AssertSameFiles(files, temp.Combine("out"));
    }

    [SkippableFact]
    public async Task A_torrent_with_no_reachable_peer_fails_at_the_stall_timeout_and_a_magnet_nobody_has_fails_to_get_metadata()
    {
        RequiredTool.PythonWithLibtorrent();
        var (torrent, _) = await MakeTorrentAsync(PayloadSpec.SingleFile("lonely.bin", 50_000), "lonely.bin", LibtorrentTorrentVersion.V1);

        var result = Shell.Invoke(
            "$args[0], 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567' | Start-TorrentDownload -Destination $args[1] -Peer $args[2] -Wait -StallTimeout 2",
            torrent, temp.Combine("out"), $"127.0.0.1:{FreePort.Next()}");

        Assert.Empty(result.Output);
        Assert.Equal(2, result.Errors.Count);
        Assert.StartsWith("DownloadFailed,", result.Errors[0].FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("made no progress for 2 s", result.Errors[0].ToString(), StringComparison.Ordinal);
        Assert.StartsWith("MetadataNotFound,", result.Errors[1].FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("Peers tried: 127.0.0.1:", result.Errors[1].ToString(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task WhatIf_downloads_nothing()
    {
        RequiredTool.PythonWithLibtorrent();
        var (torrent, _) = await MakeTorrentAsync(PayloadSpec.SingleFile("file.bin", 1000), "file.bin", LibtorrentTorrentVersion.V1);

        var result = Shell.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -WhatIf", torrent, temp.Combine("out")).ThrowOnError();
        var foreground = Shell.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -WhatIf -Wait", torrent, temp.Combine("out")).ThrowOnError();

        Assert.Empty(result.Output);
        Assert.Empty(foreground.Output);
        Assert.Empty(Shell.Invoke("Get-Job").ThrowOnError().Output);
        Assert.False(Directory.Exists(temp.Combine("out")));
    }

    [Fact]
    public void A_malformed_Peer_stops_the_cmdlet_before_any_download()
    {
        var torrent = TestTorrent.Write(temp.Combine("x.torrent"), "x", [(["a.bin"], 1000)]);

        var result = Shell.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -Peer 'not-an-endpoint' -Wait", torrent.Path, temp.Combine("out"));

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("InvalidPeer,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("not-an-endpoint", error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("out")));
    }

    /// <summary>Bytes of BEP 47 padding in the torrent's piece space (they travel on the wire as zeros).</summary>
    private static long PaddingBytes(string torrent) =>
        LibtorrentTool.DumpAsync(torrent).GetAwaiter().GetResult().Files.Where(f => f.IsPadding).Sum(f => f.Size);
}
