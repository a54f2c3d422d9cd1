using System.Globalization;
using System.Net;
using Rustorrent.TestKit;

namespace Rustorrent.PowerShell.Tests.Examples;

/// <summary>
/// The swarm the documentation's examples talk about, on 127.0.0.1: an opentracker, a python3-libtorrent seeder
/// for each torrent the examples name (debian.iso, album, photos), a small libtorrent DHT that knows the debian
/// seeder, and a web server for the .torrent files. The payloads are sized so that the README's sample tables
/// (debian.iso 4.77 MiB in 20 pieces, album 5.36 MiB in 3 files and 22 pieces) are what the module really shows.
/// Started once for every example test (a collection fixture) and stopped at the end; every process has a bounded lifetime.
/// </summary>
public sealed class ExampleFixtures : IAsyncLifetime
{
    private const int BigPieceLength = 256 * 1024;
    private const int SmallPieceLength = 16 * 1024;
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TempDirectory temp = new("examples");
    private readonly List<IAsyncDisposable> processes = [];
    private readonly Dictionary<string, TorrentFixture> torrents = new(StringComparer.Ordinal);
    private LoopbackFileServer? web;
    private Task? dhtReady;

    /// <summary>Null when the tools are installed and everything started; otherwise why the examples cannot run.</summary>
    public string? Unavailable { get; private set; }

    public Opentracker Tracker { get; private set; } = null!;

    public LibtorrentDhtNode Dht { get; private set; } = null!;

    internal ExampleSubstitutions Substitutions { get; private set; } = null!;

    /// <summary>The seeded torrents by their name: "debian.iso", "album", "photos" (and "rare", which nobody seeds).</summary>
    internal TorrentFixture Torrent(string name) => torrents[name];

    /// <summary>Completes once the DHT's lookups find the debian seeder; examples that ask the DHT wait for it.</summary>
    public Task DhtReady => dhtReady ?? Task.CompletedTask;

    public async Task InitializeAsync()
    {
        try
        {
            RequiredTool.PythonWithLibtorrent();
            RequiredTool.Opentracker();
        }
        catch (SkipException e) // a developer machine without the tools; under CI=true a missing tool throws and fails the tests
        {
            Unavailable = e.Message;
            return;
        }

        var seed = temp.CreateSubdirectory("seed");
        var payloads = await Task.WhenAll(
            Payload.CreateAsync(seed, PayloadSpec.SingleFile("debian.iso", 5_001_000, "debian")),
            Payload.CreateAsync(seed, new PayloadSpec("album",
            [
                new("album/01 - Overture.flac", 2_500_000),
                new("album/02 - Finale.flac", 2_600_000),
                new("album/cover.jpg", 520_000),
            ])),
            // CON is a reserved name on Windows: the module saves that file under a safe name (OriginalPath is set).
            Payload.CreateAsync(seed, new PayloadSpec("photos",
            [
                new("photos/2024/beach.jpg", 150_000),
                new("photos/2024/CON.jpg", 20_000),
                new("photos/2024/notes.txt", 10_000),
            ])),
            Payload.CreateAsync(seed, PayloadSpec.SingleFile("rare.bin", 100_000, "rare")));
        var layouts = new (string Name, string Payload, int PieceLength, IReadOnlyList<PayloadFile> Files)[]
        {
            ("debian.iso", Path.Combine(seed, "debian.iso"), BigPieceLength, payloads[0]),
            ("album", Path.Combine(seed, "album"), BigPieceLength, payloads[1]),
            ("photos", Path.Combine(seed, "photos"), SmallPieceLength, payloads[2]),
            ("rare", Path.Combine(seed, "rare.bin"), SmallPieceLength, payloads[3]),
        };

        // The info hash does not depend on the trackers, so a bare torrent gives the hashes the tracker must
        // allow before it starts (Debian's opentracker is whitelist-only), and the real one names its port.
        var hashes = await Task.WhenAll(layouts.Select(async l =>
        {
            var bare = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(l.Payload, temp.Combine(l.Name + ".bare.torrent"))
            { Version = LibtorrentTorrentVersion.V1, PieceLength = l.PieceLength });
            return (await LibtorrentTool.DumpAsync(bare)).InfoHashV1!;
        }));
        Tracker = await Opentracker.StartAsync(hashes, Lifetime);
        processes.Add(Tracker);
        Dht = await LibtorrentDhtNode.StartAsync(nodes: 3, getPeersHex: hashes[0], maxLifetime: Lifetime);
        processes.Add(Dht);

        for (var i = 0; i < layouts.Length; i++)
        {
            var (name, payload, pieceLength, files) = layouts[i];
            // debian.torrent also names a UDP tracker nobody runs, as the README's sample output shows.
            IReadOnlyList<IReadOnlyList<string>> tiers = name == "debian.iso"
                ? [[Tracker.UdpAnnounceUrl.ToString()], [Tracker.HttpAnnounceUrl.ToString()], ["udp://127.0.0.1:1/announce"]]
                : [[Tracker.HttpAnnounceUrl.ToString()]];
            var path = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(payload, temp.Combine(name + ".torrent"))
            { Version = LibtorrentTorrentVersion.V1, PieceLength = pieceLength, TrackerTiers = tiers });
            torrents[name] = new TorrentFixture(name, path, hashes[i], files);
        }

        var dhtSettings = new Dictionary<string, string>
        {
            ["enable_dht"] = "true",
            ["dht_bootstrap_nodes"] = string.Join(',', Dht.Ports.Select(p => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture))),
            // libtorrent's DHT refuses several nodes on one address unless told otherwise (loopback tests).
            ["dht_restrict_routing_ips"] = "false",
            ["dht_restrict_search_ips"] = "false",
            ["dht_prefer_verified_node_ids"] = "false",
            ["dht_enforce_node_id"] = "false",
            ["dht_ignore_dark_internet"] = "false",
        };
        // photos is served slowly (about 3 s for its 176 KiB; libtorrent limits loopback peers only when told
        // to), so that the examples that stop its download just after starting it find it still running.
        var slowSettings = new Dictionary<string, string> { ["upload_rate_limit"] = "50000", ["ignore_limits_on_local_network"] = "false" };
        var seeders = await Task.WhenAll(new[] { "debian.iso", "album", "photos" }.Select(async name =>
        {
            var seeder = await LibtorrentSeeder.StartAsync(torrents[name].Path, seed, announceToTrackers: true,
                settings: name switch { "debian.iso" => dhtSettings, "photos" => slowSettings, _ => null }, maxLifetime: Lifetime);
            lock (processes)
                processes.Add(seeder);
            await seeder.Process.WaitForOutputAsync(l => l.StartsWith("TRACKER_REPLY", StringComparison.Ordinal), Patience);
            return (name, seeder);
        }));
        foreach (var (name, seeder) in seeders)
            torrents[name] = torrents[name] with { Seeder = seeder.EndPoint };
        dhtReady = Dht.WaitForPeerAsync(torrents["debian.iso"].Seeder!, Patience);

        web = new LoopbackFileServer(temp.Path);
        Substitutions = ExampleSubstitutions.For(this, web);
    }

    /// <summary>
    /// A fresh folder for one example, holding what the examples name: the .torrent files (debian.torrent and
    /// debian-12.9.0-amd64-netinst.iso.torrent are the same torrent), lists of torrents for Get-Content, and
    /// ./Downloads with two of them (the examples' ~/Downloads).
    /// </summary>
    public string NewWorkingFolder(TempDirectory owner)
    {
        var folder = owner.CreateSubdirectory("work");
        File.Copy(torrents["debian.iso"].Path, Path.Combine(folder, "debian.torrent"));
        File.Copy(torrents["debian.iso"].Path, Path.Combine(folder, "debian-12.9.0-amd64-netinst.iso.torrent"));
        File.Copy(torrents["album"].Path, Path.Combine(folder, "album.torrent"));
        File.Copy(torrents["photos"].Path, Path.Combine(folder, "photos.torrent"));
        File.Copy(torrents["rare"].Path, Path.Combine(folder, "rare.torrent"));
        var downloads = Directory.CreateDirectory(Path.Combine(folder, "Downloads")).FullName;
        File.Copy(torrents["debian.iso"].Path, Path.Combine(downloads, "debian.torrent"));
        File.Copy(torrents["album"].Path, Path.Combine(downloads, "album.torrent"));
        var debianMagnet = Magnet(torrents["debian.iso"], Tracker.HttpAnnounceUrl);
        File.WriteAllLines(Path.Combine(folder, "magnets.txt"), [debianMagnet, torrents["album"].InfoHash]);
        File.WriteAllLines(Path.Combine(folder, "torrents.txt"), ["./album.torrent", "./debian.torrent"]);
        File.WriteAllLines(Path.Combine(folder, "magnets-and-files.txt"), [debianMagnet, "./album.torrent", "./photos.torrent"]);
        return folder;
    }

    private static string Magnet(TorrentFixture torrent, Uri tracker) =>
        $"magnet:?xt=urn:btih:{torrent.InfoHash}&dn={Uri.EscapeDataString(torrent.Name)}&tr={Uri.EscapeDataString(tracker.ToString())}";

    public async Task DisposeAsync()
    {
        web?.Dispose();
        List<IAsyncDisposable> started;
        lock (processes)
            started = [.. processes];
        foreach (var process in Enumerable.Reverse(started))
            await process.DisposeAsync();
        temp.Dispose();
    }
}

/// <summary>One torrent of the fixtures: its .torrent file, info hash, the files it holds and who seeds it.</summary>
internal sealed record TorrentFixture(string Name, string Path, string InfoHash, IReadOnlyList<PayloadFile> Files)
{
    public IPEndPoint? Seeder { get; init; }
}
