using System.Management.Automation;
using Rustorrent.PowerShell.Tests.Infrastructure;
using Rustorrent.TestKit;

namespace Rustorrent.PowerShell.Tests;

/// <summary>
/// Resolve-TorrentPeers against Debian's opentracker (HTTP and UDP) on 127.0.0.1, with a python3-libtorrent
/// seeder that announced itself there: the cmdlet must find that seeder over both protocols.
/// </summary>
public sealed class ResolveTorrentPeersTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempDirectory temp = new("resolve");
    private PowerShellSession shell = null!;
    private Opentracker tracker = null!;
    private LibtorrentSeeder seeder = null!;
    private string torrentPath = "";
    private string infoHash = "";
    private Exception? missingTool;

    public async Task InitializeAsync()
    {
        try
        {
            RequiredTool.PythonWithLibtorrent();
            RequiredTool.Opentracker();
        }
        catch (Exception e) when (e is SkipException or RequiredToolMissingException)
        {
            missingTool = e; // thrown again inside each test, where it skips (or, under CI, fails) that test
            return;
        }
        var files = await Payload.CreateAsync(temp.CreateSubdirectory("seed"), PayloadSpec.SingleFile("payload.bin", 200_000));
        // The info hash does not depend on the trackers: learn it first, whitelist it, then name the tracker.
        var bare = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(files[0].FullPath, temp.Combine("bare.torrent")) { Version = LibtorrentTorrentVersion.V1 });
        infoHash = (await LibtorrentTool.DumpAsync(bare)).InfoHashV1!;
        tracker = await Opentracker.StartAsync([infoHash]);
        torrentPath = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(files[0].FullPath, temp.Combine("payload.torrent"))
        {
            Version = LibtorrentTorrentVersion.V1,
            TrackerTiers = [[tracker.HttpAnnounceUrl.ToString()], [tracker.UdpAnnounceUrl.ToString()]],
        });
        seeder = await LibtorrentSeeder.StartAsync(torrentPath, temp.Combine("seed"), announceToTrackers: true);
        await seeder.Process.WaitForOutputAsync(l => l.StartsWith("TRACKER_REPLY", StringComparison.Ordinal), Patience);
        shell = new PowerShellSession(temp.Path);
    }

    public async Task DisposeAsync()
    {
        shell?.Dispose();
        if (seeder is not null)
            await seeder.DisposeAsync();
        if (tracker is not null)
            await tracker.DisposeAsync();
        temp.Dispose();
    }

    /// <summary>Every test starts here: a missing program skips the test on a developer's machine and fails it under CI.</summary>
    private void RequireTools()
    {
        if (missingTool is not null)
            throw missingTool;
    }

    private static dynamic SinglePeer(PowerShellResult result)
    {
        var peer = Assert.Single(result.ThrowOnError().OutputOf("TorrentPeer"));
        return peer;
    }

    [SkippableFact]
    public void Finds_the_seeder_from_a_torrent_file_piped_from_Get_TorrentInfo()
    {
        RequireTools();
        var peer = SinglePeer(shell.Invoke("Get-TorrentInfo -LiteralPath $args[0] | Resolve-TorrentPeers -Timeout 10", torrentPath));

        Assert.Equal(seeder.Port, (int)peer.Port);
        Assert.Equal("127.0.0.1", peer.Address.ToString());
        Assert.Equal($"127.0.0.1:{seeder.Port}", (string)peer.EndPoint);
        Assert.Equal("Tracker", peer.Source.ToString());
        Assert.Equal(infoHash, (string)peer.InfoHash);
        Assert.Equal("payload.bin", (string)peer.TorrentName);
        Assert.Contains((string)peer.SourceUri, new[] { tracker.HttpAnnounceUrl.ToString(), tracker.UdpAnnounceUrl.ToString() });
    }

    [SkippableFact]
    public void Finds_the_seeder_over_udp_from_a_magnet_link()
    {
        RequireTools();
        var magnet = $"magnet:?xt=urn:btih:{infoHash}&dn=payload&tr={Uri.EscapeDataString(tracker.UdpAnnounceUrl.ToString())}";
        var peer = SinglePeer(shell.Invoke("$args[0] | Resolve-TorrentPeers -Timeout 10", magnet));

        Assert.Equal(seeder.Port, (int)peer.Port);
        Assert.Equal(tracker.UdpAnnounceUrl.ToString(), (string)peer.SourceUri);
        Assert.Equal("payload", (string)peer.TorrentName);
    }

    [SkippableFact]
    public void Finds_the_seeder_over_http_from_a_bare_hash_with_an_added_tracker()
    {
        RequireTools();
        var peer = SinglePeer(shell.Invoke("Resolve-TorrentPeers -InfoHash $args[0] -Tracker $args[1] -Timeout 10", infoHash, tracker.HttpAnnounceUrl.ToString()));

        Assert.Equal(seeder.Port, (int)peer.Port);
        Assert.Equal(tracker.HttpAnnounceUrl.ToString(), (string)peer.SourceUri);
    }

    [SkippableFact]
    public void Scrape_reports_the_swarm_per_tracker()
    {
        RequireTools();
        var result = shell.Invoke("Resolve-TorrentPeers -LiteralPath $args[0] -Scrape -Timeout 10", torrentPath).ThrowOnError();

        var scrapes = result.Output.Where(o => o.BaseObject.GetType().Name == "TrackerScrape").Select(o => (dynamic)o.BaseObject).ToList();
        Assert.Equal(2, scrapes.Count);
        Assert.All(scrapes, s => Assert.True((long)s.Seeders >= 1, $"{s.Tracker}: {s.Seeders} seeders"));
        Assert.Equal(
            new[] { tracker.HttpAnnounceUrl.ToString(), tracker.UdpAnnounceUrl.ToString() }.Order(),
            scrapes.Select(s => (string)s.Tracker).Order());
        Assert.Single(result.Output, o => o.BaseObject.GetType().Name == "TorrentPeer");
    }

    [SkippableFact]
    public void A_dead_tracker_is_a_warning_and_the_others_still_give_peers()
    {
        RequireTools();
        var dead = $"udp://127.0.0.1:{FreePort.Next()}/announce";
        var result = shell.Invoke("Get-TorrentInfo -LiteralPath $args[0] | Resolve-TorrentPeers -Tracker $args[1] -Timeout 5", torrentPath, dead);

        Assert.Equal(seeder.Port, (int)SinglePeer(result).Port);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains(dead, warning.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void No_answer_at_all_is_an_error_for_that_torrent_and_the_next_input_still_runs()
    {
        RequireTools();
        var dead = $"http://127.0.0.1:{FreePort.Next()}/announce";
        var magnet = $"magnet:?xt=urn:btih:{infoHash}&tr={Uri.EscapeDataString(dead)}";
        var noTracker = "0123456789abcdef0123456789abcdef01234567";
        var result = shell.Invoke("$args[0], $args[1], $args[2] | Resolve-TorrentPeers -Timeout 5 -NoDht", magnet, noTracker, torrentPath);

        Assert.Equal(seeder.Port, (int)Assert.Single(result.OutputOf("TorrentPeer")).Port);
        Assert.Equal(2, result.Errors.Count);
        Assert.StartsWith("NoTrackerAnswered,", result.Errors[0].FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.ConnectionError, result.Errors[0].CategoryInfo.Category);
        Assert.Contains(dead, result.Errors[0].ToString(), StringComparison.Ordinal);
        Assert.StartsWith("NoPeerSource,", result.Errors[1].FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("names no tracker and the DHT is off", result.Errors[1].ToString(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_bare_info_hash_that_the_dht_does_not_know_is_a_no_peers_error()
    {
        RequireTools();
        var result = shell.Invoke("Resolve-TorrentPeers -InfoHash $args[0] -Timeout 3", "0123456789abcdef0123456789abcdef01234567");

        Assert.Empty(result.OutputOf("TorrentPeer"));
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("NoPeersFound,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("The DHT found no peer", error.ToString(), StringComparison.Ordinal);
    }
}
