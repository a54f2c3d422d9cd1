using System.Globalization;
using System.Text.RegularExpressions;
using Rustorrent.PowerShell.Tests.Infrastructure;
using Rustorrent.TestKit;

namespace Rustorrent.PowerShell.Tests.Formatting;

/// <summary>
/// The views of live objects as Out-Default renders them at 120 columns: a TorrentJob while it downloads from a
/// slowed python3-libtorrent seeder (rates per second, ETA as a time span), its TorrentDownloadResult, and the
/// TorrentPeer and TrackerScrape objects Resolve-TorrentPeers gets from opentracker.
/// </summary>
public sealed class DownloadViewTests : IAsyncDisposable
{
    private const int PieceLength = 32 * 1024;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private const string Eta = @"(\d+s|\d+m\d\ds|\d+h\d\dm|\d+d\d\dh)";
    private readonly TempDirectory temp = new("format-download");
    private readonly List<IAsyncDisposable> fixtures = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var fixture in Enumerable.Reverse(fixtures))
            await fixture.DisposeAsync();
        temp.Dispose();
    }

    private async Task<(string Torrent, PayloadFile File, string Hash)> CreateAsync(string name, long length, IReadOnlyList<IReadOnlyList<string>>? trackers = null)
    {
        var folder = temp.CreateSubdirectory("seed-" + name);
        var file = (await Payload.CreateAsync(folder, PayloadSpec.SingleFile(name, length, seed: name))).Single();
        var torrent = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(file.FullPath, temp.Combine(name + ".torrent"))
        {
            Version = LibtorrentTorrentVersion.V1,
            PieceLength = PieceLength,
            TrackerTiers = trackers ?? [],
        });
        return (torrent, file, (await LibtorrentTool.DumpAsync(torrent)).InfoHashV1!);
    }

    [SkippableFact]
    public async Task A_running_job_shows_rates_per_second_and_an_eta_and_its_result_a_duration_within_120_columns()
    {
        RequiredTool.PythonWithLibtorrent();
        var name = "slow-" + new string('n', 130) + ".bin";
        var (torrent, file, hash) = await CreateAsync(name, 3 * 1024 * 1024);
        // Loopback peers are "local": libtorrent exempts them from its rate limit unless told otherwise.
        var seeder = await LibtorrentSeeder.StartAsync(torrent, Path.GetDirectoryName(file.FullPath)!, maxLifetime: TimeSpan.FromMinutes(3),
            settings: new Dictionary<string, string> { ["upload_rate_limit"] = "400000", ["ignore_limits_on_local_network"] = "false" });
        fixtures.Add(seeder);
        using var tables = new RenderingSession();
        using var lists = new RenderingSession(listViewsFirst: true);

        var job = Assert.Single(tables.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -Peer $args[2] -NoDht",
            torrent, temp.Combine("out"), $"127.0.0.1:{seeder.Port}").ThrowOnError().Output);
        try
        {
            // The rates and the ETA come and go with the data flow: the views are read when a frame shows them.
            var runningRow = @"^ +\d+ slow-n{30}… Running +\d+\.\d% +[\d.]+ [KM]iB / 3\.00 MiB +[\d.]+ [KM]iB/s +1/1 +" + Eta + "$";
            var table = RenderUntil(tables, "Get-TorrentJob", text => Screen.Lines(text).Any(l => Regex.IsMatch(l, runningRow)), "a running job's row with a rate and an ETA", job);
            var list = RenderUntil(lists, "$args[0]", text => Regex.IsMatch(Screen.ListValue(text, "Eta"), "^" + Eta + "$") && Screen.ListValue(text, "DownloadRate").Length > 0,
                "a running job's details with a rate and an ETA", job);

            Screen.AssertFits(table);
            Assert.Equal(["Id", "Name", "State", "Progress", "Size", "Down", "Up", "Peers", "ETA"], Screen.TableHeaders(table));
            // The name is cut at its column's width so that every other column stays on the line.
            Assert.Matches(runningRow, Screen.Row(table, "Running"));
            Screen.AssertFits(list);
            Assert.Equal(hash, Screen.ListValue(list, "InfoHash"));
            Assert.Matches(@"^[\d.]+ [KM]iB/s$", Screen.ListValue(list, "DownloadRate"));
            Assert.Matches("^" + Eta + "$", Screen.ListValue(list, "Eta"));
            Assert.Matches(@"^[\d.]+ [KM]iB of 3\.00 MiB$", Screen.ListValue(list, "Downloaded"));

            var results = tables.Invoke("$args[0] | Wait-Job -Timeout 90 | Receive-Job", job).ThrowOnError().Output;
            var result = Assert.Single(results);
            var resultTable = tables.Render("$args[0]", result);
            var resultList = lists.Render("$args[0]", result);

            Screen.AssertFits(resultTable);
            Assert.Equal(["Size", "Duration", "Rate", "Peers", "Name"], Screen.TableHeaders(resultTable));
            Assert.Matches(@"^ +3\.00 MiB +00:00:\d\d\.\d +[\d.]+ [KM]iB/s +1 slow-n+…$", Screen.Row(resultTable, "slow-"));
            Screen.AssertFits(resultList);
            Assert.Equal(hash, Screen.ListValue(resultList, "InfoHash"));
            Assert.Equal("3.00 MiB (3,145,728 bytes)", Screen.ListValue(resultList, "Size"));
            Assert.Matches(@"^00:00:\d\d\.\d$", Screen.ListValue(resultList, "Duration"));
            Assert.Matches(@"^[\d.]+ [KM]iB/s$", Screen.ListValue(resultList, "AverageRate"));
            Assert.Equal(file.Sha256, Payload.Sha256Of(temp.Combine("out/" + name)));
        }
        finally
        {
            tables.Invoke("Get-Job | Remove-Job -Force");
        }
    }

    [SkippableFact]
    public async Task Peers_and_scrapes_are_grouped_under_the_torrent_with_a_shortened_hash_within_120_columns()
    {
        RequiredTool.PythonWithLibtorrent();
        RequiredTool.Opentracker();
        // The info hash does not cover the trackers: made once to whitelist it, then again naming the tracker.
        var (_, _, hash) = await CreateAsync("shared.bin", 100_000);
        var tracker = await Opentracker.StartAsync([hash]);
        fixtures.Add(tracker);
        var (torrent, file, _) = await CreateAsync("shared.bin", 100_000, [[tracker.HttpAnnounceUrl.ToString()]]);
        var seeder = await LibtorrentSeeder.StartAsync(torrent, Path.GetDirectoryName(file.FullPath)!, announceToTrackers: true);
        fixtures.Add(seeder);
        await seeder.Process.WaitForOutputAsync(l => l.StartsWith("TRACKER_REPLY", StringComparison.Ordinal), Patience);
        using var tables = new RenderingSession();

        var text = tables.Render("Resolve-TorrentPeers -LiteralPath $args[0] -NoDht -Timeout 10", torrent);
        var scrape = tables.Render("Resolve-TorrentPeers -LiteralPath $args[0] -NoDht -Scrape -Timeout 10 | Where-Object { $_ -is [Rustorrent.PowerShell.TrackerScrape] }", torrent);

        Screen.AssertFits(text);
        Assert.Contains(Screen.Lines(text), l => l.Trim() == $"Torrent: shared.bin ({hash[..16]}…)");
        Assert.Equal(["EndPoint", "Source", "SourceUri"], Screen.TableHeaders(text));
        Assert.Matches($@"^127\.0\.0\.1:{seeder.Port} +Tracker +{System.Text.RegularExpressions.Regex.Escape(tracker.HttpAnnounceUrl.ToString())} *$",
            Screen.Row(text, $"127.0.0.1:{seeder.Port}"));
        Assert.DoesNotContain(hash, text, StringComparison.Ordinal);
        Screen.AssertFits(scrape);
        Assert.Equal(["Seeders", "Leechers", "Completed", "Tracker"], Screen.TableHeaders(scrape));
        Assert.Matches(@"^ +1 +\d+ +\d+ http://127\.0\.0\.1:" + tracker.Port.ToString(CultureInfo.InvariantCulture) + "/announce *$", Screen.Row(scrape, "http://"));
    }

    /// <summary>Renders <paramref name="script"/> until <paramref name="shows"/> holds for the text; fails after
    /// <see cref="Patience"/> with the last text rendered.</summary>
    private static string RenderUntil(RenderingSession session, string script, Func<string, bool> shows, string what, params object?[] arguments)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var text = session.Render(script, arguments);
            if (shows(text))
                return text;
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"Gave up after {Patience.TotalSeconds:0} s waiting for {what}; last rendered:\n{text}");
            Thread.Sleep(50);
        }
    }
}
