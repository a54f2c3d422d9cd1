using System.Globalization;
using Rustorrent.PowerShell.Tests.Infrastructure;
using Rustorrent.TestKit;

namespace Rustorrent.PowerShell.Tests;

/// <summary>
/// Magnet links and bare info hashes end to end through the hosted engine: the metadata comes from a
/// python3-libtorrent seeder (found through opentracker, or through a DHT of libtorrent nodes on 127.0.0.1),
/// then the download, checked by sha256; Get-TorrentInfo -ResolveMetadata saves a .torrent libtorrent reads.
/// </summary>
public sealed class MagnetDownloadTests : IDisposable
{
    private const int PieceLength = 32 * 1024;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory temp = new("magnet");
    private PowerShellSession? shell;

    public void Dispose()
    {
        shell?.Dispose();
        temp.Dispose();
    }

    private PowerShellSession Shell => shell ??= new PowerShellSession(temp.Path);

    [SkippableFact]
    public async Task A_magnet_whose_tracker_knows_a_seeder_downloads_and_its_metadata_saves_as_a_torrent()
    {
        RequiredTool.PythonWithLibtorrent();
        RequiredTool.Opentracker();
        var files = await Payload.CreateAsync(temp.CreateSubdirectory("seed"), PayloadSpec.MultiFileEdgeCases("album", PieceLength, seed: "magnet"));
        var bare = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(temp.Combine("seed/album"), temp.Combine("bare.torrent")) { Version = LibtorrentTorrentVersion.Hybrid, PieceLength = PieceLength });
        var infoHash = (await LibtorrentTool.DumpAsync(bare)).InfoHashV1!;
        await using var tracker = await Opentracker.StartAsync([infoHash]);
        var torrent = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(temp.Combine("seed/album"), temp.Combine("album.torrent"))
        {
            Version = LibtorrentTorrentVersion.Hybrid,
            PieceLength = PieceLength,
            TrackerTiers = [[tracker.HttpAnnounceUrl.ToString()]],
        });
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent, temp.Combine("seed"), announceToTrackers: true);
        await seeder.Process.WaitForOutputAsync(l => l.StartsWith("TRACKER_REPLY", StringComparison.Ordinal), Patience);
        var magnet = $"magnet:?xt=urn:btih:{infoHash}&dn=album&tr={Uri.EscapeDataString(tracker.HttpAnnounceUrl.ToString())}";

        var info = Assert.Single(Shell.Invoke("Get-TorrentInfo -Uri $args[0] -ResolveMetadata -NoDht -Timeout 60 -OutFile $args[1]", magnet, temp.Combine("fetched.torrent")).ThrowOnError().OutputOf("TorrentInfo"));
        Assert.True((bool)info.HasMetadata);
        Assert.Equal(files.Count, (int)info.FileCount);
        var dump = await LibtorrentTool.DumpAsync(temp.Combine("fetched.torrent"));
        Assert.Equal(infoHash, dump.InfoHashV1);

        var result = Shell.Invoke("Start-TorrentDownload -Uri $args[0] -Destination $args[1] -NoDht -StallTimeout 60 -Wait", magnet, temp.Combine("out")).ThrowOnError();

        Assert.Single(result.OutputOf("TorrentDownloadResult"));
        foreach (var file in files)
            Assert.Equal(file.Sha256, Payload.Sha256Of(Path.Combine(temp.Combine("out"), file.RelativePath)));
    }

    [SkippableFact]
    public async Task A_bare_info_hash_downloads_as_a_job_with_peers_and_metadata_from_the_dht_alone()
    {
        RequiredTool.PythonWithLibtorrent();
        var files = await Payload.CreateAsync(temp.CreateSubdirectory("seed"), PayloadSpec.SingleFile("data.bin", 20 * PieceLength + 17));
        var torrent = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(files[0].FullPath, temp.Combine("data.torrent")) { Version = LibtorrentTorrentVersion.V1, PieceLength = PieceLength });
        var infoHash = (await LibtorrentTool.DumpAsync(torrent)).InfoHashV1!;
        // Three libtorrent DHT nodes; the last one looks the hash up, so we know when the seeder is findable.
        await using var dht = await LibtorrentDhtNode.StartAsync(nodes: 3, getPeersHex: infoHash);
        var bootstrap = string.Join(',', dht.Ports.Select(p => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture)));
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent, temp.Combine("seed"), settings: new Dictionary<string, string>
        {
            ["enable_dht"] = "true",
            ["dht_bootstrap_nodes"] = bootstrap,
            ["dht_restrict_routing_ips"] = "false",
            ["dht_restrict_search_ips"] = "false",
            ["dht_prefer_verified_node_ids"] = "false",
            ["dht_enforce_node_id"] = "false",
            ["dht_ignore_dark_internet"] = "false",
        });
        await dht.WaitForPeerAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, seeder.Port), Patience);

        var result = Shell.Invoke("Start-TorrentDownload -InfoHash $args[0] -Destination $args[1] -DhtBootstrap ($args[2] -split ',') -StallTimeout 60 | Wait-Job -Timeout 120 | Receive-Job",
            infoHash, temp.Combine("out"), bootstrap).ThrowOnError();

        var done = Assert.Single(result.OutputOf("TorrentDownloadResult"));
        Assert.Equal("data.bin", (string)done.Name);
        Assert.Equal(files[0].Sha256, Payload.Sha256Of(temp.Combine("out/data.bin")));
    }
}
