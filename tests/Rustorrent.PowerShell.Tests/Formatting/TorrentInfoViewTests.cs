using Rustorrent.PowerShell.Tests.Infrastructure;
using Rustorrent.TestKit;

namespace Rustorrent.PowerShell.Tests.Formatting;

/// <summary>
/// The views of what Get-TorrentInfo outputs (TorrentInfo, its Files and Trackers) as Out-Default renders them
/// at 120 columns: sizes in binary units, info hashes shortened in tables and whole in the list view, and no
/// line wider than the terminal even for names far longer than it.
/// </summary>
public sealed class TorrentInfoViewTests : IDisposable
{
    private static readonly string LongName = "a-very-long-release-name-" + new string('x', 150);
    private readonly TempDirectory temp = new("format-info");
    private readonly TestTorrent.Written album;
    private readonly TestTorrent.Written longOne;
    private readonly TestTorrent.Written photos;

    public TorrentInfoViewTests()
    {
        album = TestTorrent.Write(temp.Combine("album.torrent"), "album", [(["cd1", "01 intro.flac"], 2_000_000), (["02 song.flac"], 3_620_000)],
            trackers: ["http://127.0.0.1:1/announce", "udp://127.0.0.1:2/announce"]);
        photos = TestTorrent.Write(temp.Combine("photos.torrent"), "photos", [(["2024", "beach.jpg"], 150_000), (["2024", "CON.jpg"], 20_000)]);
        longOne = TestTorrent.Write(temp.Combine("long.torrent"), LongName, [([LongName, LongName + ".bin"], 70_000), (["b.bin"], 1)],
            trackers: ["http://tracker.example/" + new string('p', 200)]);
    }

    public void Dispose() => temp.Dispose();

    [Fact]
    public void The_table_shows_binary_sizes_and_a_shortened_hash_within_120_columns()
    {
        using var session = new RenderingSession();

        var text = session.Render("Get-TorrentInfo -LiteralPath $args[0], $args[1]; Get-TorrentInfo -InfoHash $args[2]",
            album.Path, longOne.Path, "0123456789abcdef0123456789abcdef01234567");

        Screen.AssertFits(text);
        Assert.Equal(["Size", "Files", "Pieces", "InfoHash", "Version", "Name"], Screen.TableHeaders(text));
        Assert.Matches(@"^ +5\.36 MiB +2 +344 " + album.InfoHash[..16] + "… V1 +album *$", Screen.Row(text, "album"));
        Assert.DoesNotContain(album.InfoHash, text, StringComparison.Ordinal);
        // A name longer than the terminal is cut at its edge, and the columns before it stay.
        Assert.Matches(@"^ +68\.4 KiB +2 +5 " + longOne.InfoHash[..16] + "… V1 +a-very-long-release-name-x+…$", Screen.Row(text, "a-very-long-release-name-"));
        // A bare info hash has no metadata: its size and counts are unknown, not zero.
        Assert.Matches(@"^ +\? +\? 0123456789abcdef… V1 +0123456789abcdef0123456789abcdef01234567 *$", Screen.Row(text, "0123456789abcdef…"));
    }

    [Fact]
    public void The_list_view_shows_the_whole_hash_the_exact_size_and_every_tracker_within_120_columns()
    {
        using var session = new RenderingSession(listViewsFirst: true);

        var text = session.Render("Get-TorrentInfo -LiteralPath $args[0]", album.Path);
        var wrapped = session.Render("Get-TorrentInfo -LiteralPath $args[0]", longOne.Path);

        Screen.AssertFits(text);
        Screen.AssertFits(wrapped);
        Assert.Equal(album.InfoHash, Screen.ListValue(text, "InfoHash"));
        Assert.Equal("5.36 MiB (5,620,000 bytes)", Screen.ListValue(text, "TotalSize"));
        Assert.Equal("16.0 KiB", Screen.ListValue(text, "PieceLength"));
        Assert.Equal("[0] http://127.0.0.1:1/announce", Screen.ListValue(text, "Trackers"));
        Assert.Contains(Screen.Lines(text), l => l.Trim() == "[1] udp://127.0.0.1:2/announce");
        Assert.Equal(longOne.InfoHash, Screen.ListValue(wrapped, "InfoHash"));
        // A value longer than the terminal wraps in the list instead of running past the edge.
        Assert.Contains(LongName[..60], string.Concat(Screen.Lines(wrapped).Select(l => l.Trim())), StringComparison.Ordinal);
    }

    [Fact]
    public void The_files_table_is_grouped_by_torrent_with_sizes_and_piece_ranges_within_120_columns()
    {
        using var session = new RenderingSession();

        var text = session.Render("(Get-TorrentInfo -LiteralPath $args).Files", album.Path, longOne.Path, photos.Path);

        Screen.AssertFits(text);
        Assert.Equal(["Size", "Offset", "Pieces", "Path"], Screen.TableHeaders(text));
        Assert.Contains(Screen.Lines(text), l => l.Trim() == "Torrent: album");
        Assert.Matches(@"^ +1\.91 MiB +0 +0-122 cd1/01 intro\.flac *$", Screen.Row(text, "01 intro.flac"));
        Assert.Matches(@"^ +3\.45 MiB +2000000 +122-343 02 song\.flac *$", Screen.Row(text, "02 song.flac"));
        Assert.Matches(@"^ +68\.4 KiB +0 +0-4 a-very-long-release-name-x+…$", Screen.Row(text, "0-4 a-very-long"));
        Assert.Matches(@"^ +1 B +70000 +4 b\.bin *$", Screen.Row(text, "b.bin"));
        // A name the torrent gave unsafely is shown as written to disk, with the torrent's own text beside it.
        Assert.Matches(@"^ +19\.5 KiB +\d+ +[-\d]+ 2024/_CON\.jpg \(renamed from '2024/CON\.jpg'\) *$", Screen.Row(text, "CON.jpg"));
    }

    [Fact]
    public void The_trackers_table_shows_tiers_and_cuts_a_long_url_at_120_columns()
    {
        using var session = new RenderingSession();

        var text = session.Render("(Get-TorrentInfo -LiteralPath $args[0]).Trackers; (Get-TorrentInfo -LiteralPath $args[1]).Trackers", album.Path, longOne.Path);

        Screen.AssertFits(text);
        Assert.Equal(["Tier", "Uri"], Screen.TableHeaders(text));
        Assert.Matches(@"^ +1 udp://127\.0\.0\.1:2/announce *$", Screen.Row(text, "udp://"));
        Assert.Contains("http://tracker.example/ppp", Screen.Row(text, "tracker.example"), StringComparison.Ordinal);
    }
}
