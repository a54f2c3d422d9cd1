using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Interop;

/// <summary>
/// The test kit itself: processes really die, waits are really bounded, payloads are really deterministic,
/// and the real tools (opentracker, libtorrent seeding and leeching) work on loopback as the interop tests assume.
/// </summary>
public sealed class TestKitTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly TempDirectory temp = new("testkit");

    [Fact]
    public async Task ManagedProcess_dispose_kills_the_whole_tree()
    {
        int grandchild;
        using (var shell = ManagedProcess.Start("/bin/sh", ["-c", "sleep 300 & echo child $!; wait"]))
        {
            var line = await shell.WaitForOutputAsync(l => l.StartsWith("child ", StringComparison.Ordinal), Patience);
            grandchild = int.Parse(line.AsSpan(6), CultureInfo.InvariantCulture);
            Assert.True(IsAlive(grandchild), "the grandchild should run until the parent is disposed");
        }
        Assert.True(await EventuallyAsync(() => !IsAlive(grandchild)), $"pid {grandchild} (sleep 300) survived Dispose of its parent");
    }

    [Fact]
    public async Task ManagedProcess_is_killed_when_its_lifetime_runs_out()
    {
        using var sleeper = ManagedProcess.Start("/bin/sleep", ["300"], new ManagedProcessOptions { MaxLifetime = TimeSpan.FromSeconds(1) });
        await sleeper.WaitForExitAsync(Patience);
        Assert.True(sleeper.KilledAtMaxLifetime);
        Assert.NotEqual(0, sleeper.ExitCode);
    }

    [Fact]
    public async Task WaitForOutput_times_out_with_the_output_so_far()
    {
        using var p = ManagedProcess.Start("/bin/sh", ["-c", "echo first; echo second >&2; sleep 300"]);
        await p.WaitForOutputAsync(l => l == "second", Patience);
        var e = await Assert.ThrowsAsync<TimeoutException>(() => p.WaitForOutputAsync(l => l == "never", TimeSpan.FromMilliseconds(300)));
        Assert.Contains("first", e.Message);
        Assert.Contains("err: second", e.Message);
    }

    [Fact]
    public async Task WaitForOutput_fails_at_once_when_the_process_exits_first()
    {
        using var p = ManagedProcess.Start("/bin/sh", ["-c", "echo bye; exit 7"]);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => p.WaitForOutputAsync(l => l == "never", TimeSpan.FromSeconds(30)));
        Assert.Contains("exited with code 7", e.Message);
        Assert.Contains("bye", e.Message);
    }

    [Fact]
    public async Task Output_is_bounded_and_lines_split_on_cr_and_lf()
    {
        using var flood = ManagedProcess.Start("/bin/sh", ["-c", "printf 'a\\r\\nb\\rc\\n'; head -c 3000000 /dev/zero | tr '\\0' x; echo; echo end"],
            new ManagedProcessOptions { MaxOutputChars = 64 * 1024 });
        Assert.Equal(0, await flood.WaitForExitAsync(Patience));
        Assert.True(flood.OutputTruncated);
        Assert.True(flood.Output.Length <= 64 * 1024 + 100, $"kept {flood.Output.Length} chars");
        Assert.EndsWith("end\n", flood.StandardOutput);

        var result = await ManagedProcess.RunAsync("/bin/sh", ["-c", "printf 'a\\r\\nb\\rc\\n'"], Patience);
        Assert.Equal("a\nb\nc\n", result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_kills_and_throws_past_its_timeout()
    {
        var e = await Assert.ThrowsAsync<TimeoutException>(() => ManagedProcess.RunAsync("/bin/sleep", ["300"], TimeSpan.FromMilliseconds(300)));
        Assert.Contains("sleep 300", e.Message);
    }

    [Fact]
    public void FreePort_hands_out_distinct_bindable_ports()
    {
        var ports = Enumerable.Range(0, 20).Select(_ => FreePort.Next()).ToList();
        Assert.Equal(ports.Count, ports.Distinct().Count());
        foreach (var port in ports.Take(3))
        {
            using var tcp = new TcpListener(IPAddress.Loopback, port);
            tcp.Start();
            using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
        }
    }

    [Fact]
    public void TempDirectory_is_deleted_on_dispose()
    {
        string path;
        using (var dir = new TempDirectory())
        {
            path = dir.Path;
            Assert.StartsWith(TempDirectory.Root, path, StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(dir.CreateSubdirectory("a/b"), "f.txt"), "x");
        }
        Assert.False(Directory.Exists(path));
    }

    [Fact]
    public async Task Payload_is_deterministic_and_hashed()
    {
        var spec = PayloadSpec.MultiFileEdgeCases("root", 16 * 1024, seed: "kit");
        var first = await Payload.CreateAsync(temp.CreateSubdirectory("one"), spec);
        var second = await Payload.CreateAsync(temp.CreateSubdirectory("two"), spec);
        var other = await Payload.CreateAsync(temp.CreateSubdirectory("three"), spec with { Seed = "other" });

        Assert.Equal(first.Select(f => f.Sha256), second.Select(f => f.Sha256));
        Assert.All(first, f =>
        {
            Assert.Equal(f.Length, new FileInfo(f.FullPath).Length);
            Assert.Equal(f.Sha256, Payload.Sha256Of(f.FullPath));
        });
        var nonEmpty = first.Zip(other).Where(p => p.First.Length > 0).ToList();
        Assert.All(nonEmpty, p => Assert.NotEqual(p.First.Sha256, p.Second.Sha256));
        // Known answer: SHA-256 of nothing, so an empty file really is empty.
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", first.Single(f => f.RelativePath == "root/empty.bin").Sha256);
    }

    [Fact]
    public void Missing_tool_skips_on_a_developer_machine_and_fails_on_CI()
    {
        var skip = RequiredTool.Missing("'nothing-here' was not found on PATH", "nothing-here", ci: false);
        Assert.IsType<SkipException>(skip);
        Assert.Contains("apt-get install nothing-here", skip.Message);

        var fail = RequiredTool.Missing("'nothing-here' was not found on PATH", "nothing-here", ci: true);
        Assert.IsType<RequiredToolMissingException>(fail);
        Assert.Contains("apt-get install nothing-here", fail.Message);
        Assert.Contains("CI=true", fail.Message);
    }

    [SkippableFact]
    public async Task Opentracker_serves_only_whitelisted_hashes_and_reloads()
    {
        var known = new string('a', 40);
        var later = new string('b', 40);
        await using var tracker = await Opentracker.StartAsync([known]);
        using var http = new HttpClient { Timeout = Patience };

        Assert.Contains("8:interval", await AnnounceAsync(http, tracker, known));
        Assert.Contains("not authorized", await AnnounceAsync(http, tracker, later));

        tracker.UpdateWhitelist([known, later]);
        Assert.True(await EventuallyAsync(async () => (await AnnounceAsync(http, tracker, later)).Contains("8:interval")),
            "opentracker did not serve a hash added to its whitelist after SIGHUP");
    }

    [SkippableFact]
    public async Task Libtorrent_seeder_and_leecher_transfer_a_torrent_on_loopback()
    {
        var files = await Payload.CreateAsync(temp.CreateSubdirectory("seed"), PayloadSpec.MultiFileEdgeCases("data", 16 * 1024));
        var torrent = await LibtorrentTool.CreateTorrentAsync(
            new LibtorrentCreateOptions(temp.Combine("seed/data"), temp.Combine("data.torrent")) { PieceLength = 16 * 1024 });

        await using var seeder = await LibtorrentSeeder.StartAsync(torrent, temp.Combine("seed"));
        await using var leecher = await LibtorrentLeecher.StartAsync(torrent, temp.Combine("leech"), peers: [seeder.EndPoint]);
        var bytes = await leecher.WaitForDoneAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(files.Sum(f => f.Length), bytes);
        Assert.All(files, f => Assert.Equal(f.Sha256, Payload.Sha256Of(temp.Combine("leech/" + f.RelativePath))));
    }

    [SkippableFact]
    public async Task Libtorrent_peers_find_each_other_through_opentracker()
    {
        var files = await Payload.CreateAsync(temp.CreateSubdirectory("seed"), PayloadSpec.SingleFile("file.bin", 100_000));
        var torrentPath = temp.Combine("file.torrent");
        await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(files[0].FullPath, torrentPath) { Version = LibtorrentTorrentVersion.V1 });
        var hash = (await LibtorrentTool.DumpAsync(torrentPath)).InfoHashV1!;
        await using var tracker = await Opentracker.StartAsync([hash]);
        // A second torrent file for the same payload, now naming the tracker.
        var announced = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(files[0].FullPath, temp.Combine("announced.torrent"))
        {
            Version = LibtorrentTorrentVersion.V1,
            TrackerTiers = [[tracker.HttpAnnounceUrl.ToString()]],
        });
        Assert.Equal(hash, (await LibtorrentTool.DumpAsync(announced)).InfoHashV1);

        await using var seeder = await LibtorrentSeeder.StartAsync(announced, temp.Combine("seed"), announceToTrackers: true);
        await seeder.Process.WaitForOutputAsync(l => l.StartsWith("TRACKER_REPLY", StringComparison.Ordinal), Patience);
        await using var leecher = await LibtorrentLeecher.StartAsync(announced, temp.Combine("leech"), announceToTrackers: true);
        await leecher.WaitForDoneAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(files[0].Sha256, Payload.Sha256Of(temp.Combine("leech/file.bin")));
    }

    public void Dispose() => temp.Dispose();

    private static async Task<string> AnnounceAsync(HttpClient http, Opentracker tracker, string infoHashHex)
    {
        var infoHash = string.Concat(Convert.FromHexString(infoHashHex).Select(b => "%" + b.ToString("X2", CultureInfo.InvariantCulture)));
        var url = $"{tracker.HttpAnnounceUrl}?info_hash={infoHash}&peer_id=-RT0001-000000000000&port=6881&uploaded=0&downloaded=0&left=0&compact=1";
        var bytes = await http.GetByteArrayAsync(url);
        return Encoding.Latin1.GetString(bytes);
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            // A zombie has exited; only its parent's bookkeeping is left.
            return !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static Task<bool> EventuallyAsync(Func<bool> condition) => EventuallyAsync(() => Task.FromResult(condition()));

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
                return true;
            await Task.Delay(50);
        }
        return false;
    }
}
