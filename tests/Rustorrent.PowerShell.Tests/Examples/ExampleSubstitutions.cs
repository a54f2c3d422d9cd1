using System.Globalization;

namespace Rustorrent.PowerShell.Tests.Examples;

/// <summary>
/// What the examples name on the internet (trackers, peers, DHT nodes, web servers, info hashes) and the
/// loopback fixture that stands in for each, so an example reads as users would write it and still runs for
/// real here. Applied in order, by plain text replacement, to the example's code and to its sample output.
/// </summary>
internal sealed class ExampleSubstitutions
{
    private ExampleSubstitutions(IReadOnlyList<Substitution> table) => Table = table;

    public IReadOnlyList<Substitution> Table { get; }

    public static ExampleSubstitutions For(ExampleFixtures fixtures, LoopbackFileServer web)
    {
        var http = fixtures.Tracker.HttpAnnounceUrl.ToString();
        var udp = fixtures.Tracker.UdpAnnounceUrl.ToString();
        var trackerPort = fixtures.Tracker.Port.ToString(CultureInfo.InvariantCulture);
        var debian = fixtures.Torrent("debian.iso");
        var album = fixtures.Torrent("album");
        var dhtNode = "127.0.0.1:" + fixtures.Dht.Ports[0].ToString(CultureInfo.InvariantCulture);
        var table = new List<Substitution>
        {
            // Trackers, as written and percent-encoded in magnet links.
            new("http://bttracker.debian.org:6969/announce", http, "Debian's tracker"),
            new("http%3A%2F%2Fbttracker.debian.org%3A6969%2Fannounce", Uri.EscapeDataString(http), "Debian's tracker in a magnet"),
            new("udp%3A%2F%2Fexplodie.org%3A6969", Uri.EscapeDataString(udp), "a public UDP tracker in a magnet"),
            new("udp%3A%2F%2Ftracker.example%3A6969", Uri.EscapeDataString(udp), "a UDP tracker in a magnet"),
            new("udp://tracker.opentrackr.org:1337/announce", udp, "a public UDP tracker"),
            new("https://tracker.example.org/announce", http, "an HTTPS tracker (opentracker speaks HTTP)"),
            new("127.0.0.1:16969", "127.0.0.1:" + trackerPort, "the README's local tracker"),
            new("127.0.0.1%3A16969", "127.0.0.1%3A" + trackerPort, "the README's local tracker in a magnet"),
            // Peers and DHT nodes.
            new("192.0.2.10:6881", album.Seeder!.ToString(), "a peer that has the album"),
            new("127.0.0.1:17002", album.Seeder!.ToString(), "the README's peer that has the album"),
            new("127.0.0.1:17001", debian.Seeder!.ToString(), "the README's peer that has debian.iso"),
            new("dht.example.net:6881", dhtNode, "a DHT node"),
            new("127.0.0.1:16881", dhtNode, "the README's DHT node"),
            // Web servers holding .torrent files.
            new("https://cdimage.debian.org/debian-cd/current/amd64/bt-cd/debian-12.9.0-amd64-netinst.iso.torrent",
                web.Url("debian.iso.torrent").ToString(), "Debian's .torrent download"),
            new("https://example.org/files/debian.torrent", web.Url("debian.iso.torrent").ToString(), "a .torrent on a web server"),
            // The module's listening port: 51413 may be taken on this machine.
            new("-Port 51413", "-Port " + TestKit.FreePort.Next().ToString(CultureInfo.InvariantCulture), "a listening port of the user's choice"),
            // The user's folder.
            new("~/Downloads", "./Downloads", "the user's download folder"),
        };
        // Info hashes: the whole hash in code, and the 16 digits the tables show ("6cdaf80e1d20ecab…").
        foreach (var (documented, torrent) in new[]
        {
            ("dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c", debian),
            ("6cdaf80e1d20ecab33eafadb567890b5e73fc812", debian),
            ("ce994ed488f39a43", album),
        })
        {
            table.Add(new(documented, torrent.InfoHash[..documented.Length], "the info hash of " + torrent.Name));
            if (documented.Length > 16)
                table.Add(new(documented[..16] + "…", torrent.InfoHash[..16] + "…", "the info hash of " + torrent.Name + " in a table"));
        }
        return new ExampleSubstitutions(table);
    }

    public string Apply(string text)
    {
        foreach (var substitution in Table)
            text = text.Replace(substitution.Documented, substitution.Fixture, StringComparison.Ordinal);
        return text;
    }
}

/// <param name="Documented">The text in the documentation.</param>
/// <param name="Fixture">What the test runs instead.</param>
/// <param name="What">What the documented text stands for.</param>
internal sealed record Substitution(string Documented, string Fixture, string What);
