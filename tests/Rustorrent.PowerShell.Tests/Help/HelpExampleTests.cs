using Rustorrent.HelpBuilder.Markdown;
using Rustorrent.HelpBuilder.Model;
using Rustorrent.PowerShell.Tests.Infrastructure;
using Rustorrent.TestKit;

namespace Rustorrent.PowerShell.Tests.Help;

/// <summary>
/// The examples of the help run as written, in a folder holding the .torrent files they name, and produce
/// output without errors; an ```Output block after the code must match what the code outputs. Examples that
/// cannot run here are listed with the reason, so a new example is run unless someone says why not.
/// </summary>
public sealed class HelpExampleTests : IDisposable
{
    private static readonly Dictionary<string, string> NotRun = new(StringComparer.Ordinal)
    {
        ["Get-TorrentInfo/Example 6: Read .torrent files found by Get-ChildItem"] = "Get-ChildItem is not in the test host (only Microsoft.PowerShell.Core)",
        ["Get-TorrentInfo/Example 7: Read info hashes and download a .torrent file from a web server"] = "downloads from the internet",
        ["Get-TorrentInfo/Example 8: Get the metadata of a magnet link and save it as a .torrent file"] = "fetches metadata from peers on the internet",
        ["Resolve-TorrentPeers/Example 1: Find the peers of a .torrent file"] = "asks trackers on the internet",
        ["Resolve-TorrentPeers/Example 2: Wait longer and see how each tracker answers"] = "asks trackers on the internet",
        ["Resolve-TorrentPeers/Example 3: Find peers for an info hash through trackers of your choice"] = "asks trackers on the internet",
        ["Resolve-TorrentPeers/Example 4: Count the swarm"] = "asks trackers on the internet",
        ["Resolve-TorrentPeers/Example 5: Collect the addresses of the peers"] = "asks trackers on the internet",
        ["Resolve-TorrentPeers/Example 7: Find peers for a bare info hash through the DHT, starting from a node you know"] = "asks a DHT node on the internet",
        ["Start-TorrentDownload/Example 1: Download a torrent in the background"] = "downloads from peers on the internet",
        ["Start-TorrentDownload/Example 2: Download every torrent of a list, two at a time"] = "Get-Content is not in the test host, and the downloads need peers on the internet",
        ["Start-TorrentDownload/Example 3: Download in the foreground"] = "downloads from peers on the internet",
        ["Start-TorrentDownload/Example 4: Download from a known peer, only some files"] = "downloads from peers on the internet",
        ["Start-TorrentDownload/Example 5: Fail fast when nobody has the torrent"] = "waits 30 s for peers on the internet",
        ["Start-TorrentDownload/Example 7: Seed after the download, within limits"] = "downloads from and seeds to peers on the internet",
        ["Get-TorrentJob/Example 2: Wait for every download and collect the results"] = "waits for downloads from peers on the internet",
        ["Get-TorrentJob/Example 4: Remove the jobs that ended without completing"] = "needs jobs that failed or were stopped earlier in the session",
        ["Get-TorrentJob/Example 5: Watch the downloads until they end"] = "Format-Table and Start-Sleep are not in the test host, and it waits for downloads",
    };

    private readonly TempDirectory temp = new("help-examples");
    private readonly PowerShellSession shell;

    public HelpExampleTests()
    {
        TestTorrent.Write(temp.Combine("debian-12.9.0-amd64-netinst.iso.torrent"), "debian-12.9.0-amd64-netinst.iso",
            [(["debian-12.9.0-amd64-netinst.iso"], 40_000)], singleFile: true, trackers: ["http://bttracker.debian.org:6969/announce"]);
        TestTorrent.Write(temp.Combine("photos.torrent"), "photos",
            [(["2024", "beach.jpg"], 150_000), (["2024", "CON.jpg"], 20_000), (["..", "..", "escape.jpg"], 10_000)]);
        shell = new PowerShellSession(temp.Path);
    }

    public void Dispose()
    {
        shell.Dispose();
        temp.Dispose();
    }

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
    public void Example_runs_as_written(string command, string title)
    {
        Skip.If(NotRun.TryGetValue($"{command}/{title}", out var reason), reason);
        var example = Parse(command).Examples.Single(e => e.Title == title);
        var code = example.CodeBlocks.Where(b => b.Language == "powershell").Select(b => b.Text).ToList();
        Assert.NotEmpty(code);

        var result = shell.Invoke(string.Join("\n", code));

        Assert.True(result.Errors.Count == 0, $"{command} {title} wrote errors: " + string.Join("; ", result.Errors));
        Assert.NotEmpty(result.Output);
        var expected = example.CodeBlocks.Where(b => b.Language == "Output").Select(b => b.Text.Trim()).ToList();
        if (expected.Count > 0)
            Assert.Equal(string.Join("\n", expected), string.Join("\n", result.Output.Select(o => o.ToString())));
    }

    [Fact]
    public void Every_example_not_run_exists_and_most_examples_run()
    {
        var all = Examples().Select(row => $"{row[0]}/{row[1]}").ToList();

        Assert.All(NotRun.Keys, key => Assert.Contains(key, all));
        Assert.True(all.Count - NotRun.Count >= 6, $"only {all.Count - NotRun.Count} of {all.Count} examples run");
    }
}
