using Rustorrent.HelpBuilder.Markdown;
using Rustorrent.HelpBuilder.Model;
using Rustorrent.PowerShell.Tests.Examples;
using Rustorrent.PowerShell.Tests.Infrastructure;

namespace Rustorrent.PowerShell.Tests.Help;

/// <summary>
/// The examples of the help run as written against a swarm on 127.0.0.1 (<see cref="ExampleFixtures"/>): the
/// trackers, peers, DHT nodes, web servers and info hashes they name are rewritten to the fixtures'
/// (<see cref="ExampleSubstitutions"/>), in a folder holding the files they name. Each must end without
/// errors (or with the error its text promises), output something, download the real bytes where it
/// downloads; an ```Output block after the code must match what the code outputs. Examples that cannot run
/// here are listed with the reason, so a new example is run unless someone says why not.
/// </summary>
[Collection(ExampleCollection.Name)]
public sealed class HelpExampleTests(ExampleFixtures fixtures)
{
    /// <summary>Examples that cannot run here, with the reason (none today: every example runs against the fixtures).</summary>
    private static readonly Dictionary<string, string> NotRun = new(StringComparer.Ordinal);

    /// <summary>What each example needs before it and does beyond outputting something; the others use the default.</summary>
    private static readonly Dictionary<string, ExampleExpectation> Expectations = new(StringComparer.Ordinal)
    {
        ["Get-TorrentInfo/Example 7: Read info hashes and download a .torrent file from a web server"] = new()
        {
            Check = (run, _, _) => Assert.Equal([false, false, true], run.Output.Select(o => (bool)((dynamic)o.BaseObject).HasMetadata)),
        },
        ["Get-TorrentInfo/Example 8: Get the metadata of a magnet link and save it as a .torrent file"] = new()
        {
            Prelude = "[System.IO.File]::Delete([System.IO.Path]::Combine($PWD.ProviderPath, 'debian.torrent'))",
            Check = (run, session, _) => Assert.Equal(Hash(run), Single(session.Invoke("(Get-TorrentInfo ./debian.torrent).InfoHash", Patience))),
        },
        ["Resolve-TorrentPeers/Example 1: Find the peers of a .torrent file"] = FindsSeeder("debian.iso"),
        ["Resolve-TorrentPeers/Example 2: Wait longer and see how each tracker answers"] = FindsSeeder("debian.iso"),
        ["Resolve-TorrentPeers/Example 3: Find peers for an info hash through trackers of your choice"] = FindsSeeder("debian.iso"),
        ["Resolve-TorrentPeers/Example 4: Count the swarm"] = new()
        {
            // Only scrapes, and the tracker that answers counts the seeder.
            Check = (run, _, _) =>
            {
                Assert.All(run.Output, o => Assert.Equal("Rustorrent.PowerShell.TrackerScrape", o.BaseObject.GetType().FullName));
                Assert.Contains(run.Output, o => (int)((dynamic)o.BaseObject).Seeders >= 1);
            },
        },
        ["Resolve-TorrentPeers/Example 5: Collect the addresses of the peers"] = new()
        {
            OutputsNothing = true,
            Check = (_, session, swarm) => Assert.Contains(SeederOf(swarm, "debian.iso"), session.Invoke("$endpoints", Patience).Output.Select(o => o.ToString())),
        },
        ["Resolve-TorrentPeers/Example 7: Find peers for a bare info hash through the DHT, starting from a node you know"] = FindsSeeder("debian.iso") with { UsesDht = true },
        ["Start-TorrentDownload/Example 1: Download a torrent in the background"] = new() { Downloads = [new("downloads", "debian.iso")] },
        ["Start-TorrentDownload/Example 2: Download every torrent of a list, two at a time"] = new()
        {
            Downloads = [new("downloads", "debian.iso"), new("downloads", "album"), new("downloads", "photos", "beach.jpg")],
        },
        ["Start-TorrentDownload/Example 3: Download in the foreground"] = new() { Downloads = [new("downloads", "debian.iso")] },
        ["Start-TorrentDownload/Example 4: Download from a known peer, only some files"] = new() { Downloads = [new("music", "album", "*.flac")] },
        ["Start-TorrentDownload/Example 5: Fail fast when nobody has the torrent"] = new() { ExpectedError = "DownloadFailed" },
        ["Start-TorrentDownload/Example 6: Stop a download and continue it later"] = new()
        {
            Check = (run, session, _) =>
            {
                Assert.Equal(["Stopped", "NotStarted|Running|Completed"], [.. run.Output.Select(o => State(o) == "Stopped" ? "Stopped" : "NotStarted|Running|Completed")]);
                Assert.Equal("Completed", ExampleRunner.WaitForResult(session, "(Get-TorrentJob)[-1]"));
            },
            Downloads = [new("downloads", "photos", "beach.jpg")],
        },
        ["Start-TorrentDownload/Example 7: Seed after the download, within limits"] = new()
        {
            // Complete, and still running: it seeds on.
            Check = (_, session, _) => Assert.Equal("Running", ExampleRunner.WaitForResult(session, "(Get-TorrentJob)[-1]")),
            Downloads = [new("downloads", "debian.iso")],
        },
        ["Get-TorrentJob/Example 3: Stop the downloads of a torrent"] = new()
        {
            Check = (run, _, _) => Assert.Equal("Stopped", State(Assert.Single(run.Output))),
        },
        ["Get-TorrentJob/Example 2: Wait for every download and collect the results"] = new()
        {
            Prelude = "$null = Start-TorrentDownload ./album.torrent -Destination ./downloads",
            Downloads = [new("downloads", "album")],
        },
        ["Get-TorrentJob/Example 4: Remove the jobs that ended without completing"] = new()
        {
            Prelude = "$null = Start-TorrentDownload ./photos.torrent -Destination ./downloads | Stop-Job -PassThru | Wait-Job -Timeout 30",
            Check = (run, session, _) =>
            {
                Assert.StartsWith("photos: ", run.Output[0].ToString(), StringComparison.Ordinal);
                Assert.Empty(session.Invoke("Get-TorrentJob", Patience).Output);
            },
        },
        ["Get-TorrentJob/Example 5: Watch the downloads until they end"] = new()
        {
            // Slow enough that the loop sees it running at least once.
            Prelude = "$null = Start-TorrentDownload ./album.torrent -Destination ./downloads -DownloadRateLimit 2MB",
            Downloads = [new("downloads", "album")],
        },
    };

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static ExampleExpectation FindsSeeder(string torrent) => new()
    {
        Check = (run, _, swarm) => Assert.Contains(SeederOf(swarm, torrent), run.Output.Select(o => o.ToString())),
    };

    private static string SeederOf(ExampleFixtures swarm, string torrent) => swarm.Torrent(torrent).Seeder!.ToString();

    private static string State(System.Management.Automation.PSObject job) => ((dynamic)job.BaseObject).JobStateInfo.State.ToString();

    private static string Hash(ExampleRun run) => (string)((dynamic)Assert.Single(run.Output).BaseObject).InfoHash;

    private static string Single(ExampleRun run) => Assert.Single(run.Output).ToString();

    public static TheoryData<string, string> Examples()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "docs", "en-US"), "*.md").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (name.StartsWith("about_", StringComparison.Ordinal))
                continue;
            foreach (var example in Parse(name).Examples)
                data.Add(name, example.Title);
        }
        return data;
    }

    private static CommandHelp Parse(string command) =>
        CommandHelpParser.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "en-US", command + ".md")), command + ".md");

    [SkippableTheory]
    [MemberData(nameof(Examples))]
    public async Task Example_runs_as_written(string command, string title)
    {
        var key = $"{command}/{title}";
        Skip.If(NotRun.TryGetValue(key, out var reason), reason);
        Skip.If(fixtures.Unavailable is not null, fixtures.Unavailable);
        var example = Parse(command).Examples.Single(e => e.Title == title);
        var code = example.CodeBlocks.Where(b => b.Language == "powershell").Select(b => b.Text).ToList();
        Assert.NotEmpty(code);
        var expected = example.CodeBlocks.Where(b => b.Language == "Output").Select(b => b.Text.Trim()).ToList();

        await ExampleRunner.RunAsync(fixtures, key, string.Join("\n", code), Expectations.GetValueOrDefault(key, ExampleExpectation.Default),
            expected.Count == 0 ? null : (run, _) => Assert.Equal(string.Join("\n", expected), string.Join("\n", run.Output.Select(o => o.ToString()))));
    }

    [Fact]
    public void Every_example_not_run_exists_and_most_examples_run()
    {
        var all = Examples().Select(row => $"{row[0]}/{row[1]}").ToList();

        Assert.All(NotRun.Keys, key => Assert.Contains(key, all));
        Assert.All(Expectations.Keys, key => Assert.Contains(key, all));
        Assert.True(all.Count - NotRun.Count >= 6, $"only {all.Count - NotRun.Count} of {all.Count} examples run");
    }
}
