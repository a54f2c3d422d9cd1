using System.Management.Automation;
using System.Xml.Linq;
using Rustorrent.PowerShell.Tests.Infrastructure;
using Rustorrent.TestKit;

namespace Rustorrent.PowerShell.Tests.Jobs;

/// <summary>
/// Get-TorrentJob's filters and live properties, the job format view, and the argument completers of
/// Get-TorrentJob -Name and Start-TorrentDownload -File as TabExpansion2 offers them. The jobs here dial a
/// port nobody listens on, so they stay running (and known) until the test removes them.
/// </summary>
public sealed class GetTorrentJobTests : IAsyncLifetime
{
    private readonly JobTestBed bed = new();
    private readonly Dictionary<string, SeededTorrent> torrents = [];

    public async Task InitializeAsync()
    {
        if (!File.Exists("/usr/bin/python3"))
            return; // the tests skip themselves through RequiredTool
        foreach (var name in new[] { "alpha.bin", "beta.bin" })
            torrents[name] = await bed.CreateAsync(name, 256 * 1024);
    }

    public Task DisposeAsync() => bed.DisposeAsync().AsTask();

    private PowerShellSession Shell => bed.Shell;

    private IReadOnlyList<dynamic> StartTwo()
    {
        var deadPeer = $"127.0.0.1:{FreePort.Next()}";
        var alpha = Shell.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -Peer $args[2] -Name 'alpha [1]' -StallTimeout 600",
            torrents["alpha.bin"].Torrent, bed.Out, deadPeer).ThrowOnError();
        var beta = Shell.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -Peer $args[2] -StallTimeout 600",
            torrents["beta.bin"].Torrent, bed.Out, deadPeer).ThrowOnError();
        var jobs = alpha.OutputOf("TorrentJob").Concat(beta.OutputOf("TorrentJob")).ToList();
        JobTestBed.Until(() => jobs.All(j => ((string)j.StatusMessage).StartsWith("0 B of", StringComparison.Ordinal)), "both jobs to look for peers");
        return jobs;
    }

    private List<string> Names(string script, params object?[] arguments) =>
        [.. Shell.Invoke(script, arguments).ThrowOnError().OutputOf("TorrentJob").Select(j => (string)j.Name)];

    [SkippableFact]
    public void Lists_the_sessions_torrent_jobs_filtered_by_name_id_info_hash_and_state()
    {
        RequiredTool.PythonWithLibtorrent();
        var jobs = StartTwo();
        var (alpha, beta) = (jobs[0], jobs[1]);

        Assert.Equal(["alpha [1]", "beta.bin"], Names("Get-TorrentJob"));
        Assert.Equal(["alpha [1]"], Names("Get-TorrentJob -Name 'alpha [1]'")); // brackets: the exact name, not a pattern
        Assert.Equal(["alpha [1]"], Names("Get-TorrentJob a*"));
        Assert.Equal(["beta.bin"], Names("Get-TorrentJob -Id $args[0]", (int)beta.Id));
        Assert.Equal(["beta.bin"], Names("Get-TorrentInfo -LiteralPath $args[0] | Get-TorrentJob", torrents["beta.bin"].Torrent));
        Assert.Equal(["alpha [1]"], Names("Get-TorrentJob -InfoHash $args[0]", torrents["alpha.bin"].InfoHash.ToUpperInvariant()));
        Assert.Equal(["alpha [1]", "beta.bin"], Names("Get-TorrentJob -State Running"));
        Assert.Empty(Names("Get-TorrentJob -State Completed"));
        Assert.Empty(Names("Get-TorrentJob -Name z*"));
        var missing = Shell.Invoke("Get-TorrentJob -Name nothing, beta.bin");
        Assert.Equal(["beta.bin"], missing.OutputOf("TorrentJob").Select(j => (string)j.Name));
        var error = Assert.Single(missing.Errors);
        Assert.StartsWith("TorrentJobNotFound,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);

        // The built-in job cmdlets see the same jobs, through the module's job source adapter.
        Assert.Equal(["alpha [1]"], Names("Get-Job -Name 'alpha [1]'"));
        Assert.Equal(["alpha [1]", "beta.bin"], Names("Get-Job | Where-Object PSJobTypeName -eq TorrentJob"));
        Assert.Equal(["beta.bin"], Names("Get-Job -Filter @{ InfoHash = $args[0]; State = 'Running' }", torrents["beta.bin"].InfoHash));
        Assert.Equal(["alpha [1]"], Names("Get-Job -Filter @{ Destination = $args[0]; Name = 'al*' }", bed.Out));

        // Live status as properties.
        Assert.Equal(torrents["alpha.bin"].InfoHash, (string)alpha.InfoHash);
        Assert.Equal(bed.Out, (string)alpha.Destination);
        Assert.Equal(bed.Out, (string)alpha.Location);
        Assert.Equal(256 * 1024, (long)alpha.Size);
        Assert.Equal(0, (long)alpha.Downloaded);
        Assert.Equal(0.0, (double)alpha.PercentComplete);
        Assert.Equal(1, (int)alpha.KnownPeers);
        Assert.Equal(0, (int)alpha.ConnectedPeers);
        Assert.Null((TimeSpan?)alpha.Eta);
        Assert.Equal("Running", (string)Shell.Invoke("$args[0].State", (object)alpha).ThrowOnError().Output.Single().ToString());

        Shell.Invoke("Get-TorrentJob | Stop-Job").ThrowOnError();
        Assert.Equal(["alpha [1]", "beta.bin"], Names("Get-TorrentJob -State Stopped"));
    }

    [SkippableFact]
    public void The_table_view_reads_like_a_download_manager()
    {
        RequiredTool.PythonWithLibtorrent();
        var alpha = StartTwo()[0];
        var view = XDocument.Load(Path.Combine(RepoPaths.Root, "src", "Rustorrent.PowerShell", "Rustorrent.format.ps1xml"))
            .Descendants("View").Single(v => (string?)v.Element("Name") == "TorrentJob");
        var labels = view.Descendants("TableColumnHeader").Select(h => (string)h.Element("Label")!).ToList();
        var items = view.Descendants("TableColumnItem").ToList();

        var cells = new Dictionary<string, string>();
        for (var i = 0; i < labels.Count; i++)
        {
            var result = items[i].Element("ScriptBlock") is { } script
                ? Shell.Invoke("$args[0] | ForEach-Object ([scriptblock]::Create($args[1]))", (object)alpha, script.Value).ThrowOnError()
                : Shell.Invoke("$args[0].($args[1])", (object)alpha, items[i].Element("PropertyName")!.Value).ThrowOnError();
            cells[labels[i]] = string.Join(" ", result.Output.Select(o => o?.ToString()));
        }

        Assert.Equal(["Id", "Name", "State", "Progress", "Size", "Down", "Up", "Peers", "ETA"], labels);
        Assert.Equal("alpha [1]", cells["Name"]);
        Assert.Equal("Running", cells["State"]);
        Assert.Equal("0.0%", cells["Progress"]);
        Assert.Equal("0 B / 256 KiB", cells["Size"]);
        Assert.Equal("", cells["Down"]);
        Assert.Equal("0/1", cells["Peers"]);
        Assert.Equal("-", cells["ETA"]);
    }

    [SkippableFact]
    public void Get_TorrentJob_Name_completes_the_names_of_the_sessions_jobs()
    {
        RequiredTool.PythonWithLibtorrent();
        StartTwo();

        Assert.Equal(["'alpha [1]'", "beta.bin"], Complete("Get-TorrentJob -Name "));
        Assert.Equal(["'alpha [1]'"], Complete("Get-TorrentJob -Name al"));
        Assert.Equal(["'alpha [1]'"], Complete("Get-TorrentJob 'al"));
        Assert.Empty(Complete("Get-TorrentJob -Name x"));
    }

    [Fact]
    public void Start_TorrentDownload_File_completes_the_files_of_the_torrent_given()
    {
        TestTorrent.Write(bed.Temp.Combine("album.torrent"), "Album", [(["disc 1", "01 intro.flac"], 1000), (["disc 1", "02.flac"], 1000), (["cover.jpg"], 100)]);
        Shell.Invoke("$script:album = Get-TorrentInfo album.torrent").ThrowOnError();
        string[] all = ["cover.jpg", "'disc 1/01 intro.flac'", "'disc 1/02.flac'"];

        Assert.Equal(all, Complete("Start-TorrentDownload -Path album.torrent -File "));
        Assert.Equal(all, Complete("Start-TorrentDownload -Path alb*.torrent -File "));
        Assert.Equal(["'disc 1/01 intro.flac'", "'disc 1/02.flac'"], Complete("Start-TorrentDownload -LiteralPath ./album.torrent -File di"));
        Assert.Equal(["'disc 1/01 intro.flac'", "'disc 1/02.flac'"], Complete("Start-TorrentDownload album.torrent -File *.flac"));
        Assert.Equal(["'disc 1/02.flac'"], Complete("Start-TorrentDownload -InputObject $album -File 02"));
        Assert.Equal(["cover.jpg"], Complete("'album.torrent' | Start-TorrentDownload -File c"));
        Assert.Equal(["cover.jpg"], Complete("Get-TorrentInfo -LiteralPath album.torrent | Start-TorrentDownload -File c"));
        Assert.Empty(Complete("Start-TorrentDownload -Path missing.torrent -File "));
        Assert.Empty(Complete("Start-TorrentDownload -Uri https://example.org/x.torrent -File "));
    }

    /// <summary>What TabExpansion2 offers at the end of <paramref name="input"/>.</summary>
    private List<string> Complete(string input) =>
        [.. Shell.Invoke("(TabExpansion2 -inputScript $args[0] -cursorColumn $args[0].Length).CompletionMatches | ForEach-Object CompletionText", input)
            .ThrowOnError().Output.Select(o => o.ToString())];
}
