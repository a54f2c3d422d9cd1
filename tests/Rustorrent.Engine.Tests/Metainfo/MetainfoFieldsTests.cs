using Rustorrent.Bencode;
using Rustorrent.Metainfo;
using static Rustorrent.Engine.Tests.Metainfo.MetainfoTestData;

namespace Rustorrent.Engine.Tests.Metainfo;

/// <summary>What a .torrent says outside its file layout: trackers, web seeds, dates, comments, magnet link.</summary>
public class MetainfoFieldsTests
{
    private static TorrentMetainfo ParseWith(BencodeDictionary extra) =>
        TorrentMetainfo.Parse(Torrent(SingleFileInfo("x.bin", Content(100, 1), 16384), extra));

    [Fact]
    public void Announce_alone_is_one_tier()
    {
        var meta = ParseWith(new BencodeDictionary { ["announce"] = " http://tracker.example/announce " });

        var tier = Assert.Single(meta.Trackers);
        Assert.Equal(["http://tracker.example/announce"], tier);
    }

    [Fact]
    public void Announce_list_tiers_replace_announce_with_blanks_and_duplicates_dropped()
    {
        var meta = ParseWith(new BencodeDictionary
        {
            ["announce"] = "http://ignored/announce",
            ["announce-list"] = List(
                List("http://a/announce", "udp://b:80", "", "http://a/announce"),
                List(),
                List("  ", 5, "udp://b:80"),
                List("udp://c:6969/announce")),
        });

        Assert.Equal(2, meta.Trackers.Count);
        Assert.Equal(["http://a/announce", "udp://b:80"], meta.Trackers[0]);
        Assert.Equal(["udp://c:6969/announce"], meta.Trackers[1]);
    }

    [Fact]
    public void An_announce_list_with_nothing_usable_falls_back_to_announce()
    {
        var meta = ParseWith(new BencodeDictionary
        {
            ["announce"] = "http://fallback/announce",
            ["announce-list"] = List(List(""), List()),
        });

        Assert.Equal(["http://fallback/announce"], Assert.Single(meta.Trackers));

        var notAList = ParseWith(new BencodeDictionary { ["announce"] = "http://fallback/announce", ["announce-list"] = 3 });
        Assert.Equal(["http://fallback/announce"], Assert.Single(notAList.Trackers));
    }

    [Fact]
    public void A_flat_announce_list_gives_a_tier_per_url()
    {
        var meta = ParseWith(new BencodeDictionary { ["announce-list"] = List("http://a/", "http://b/") });

        Assert.Equal([["http://a/"], ["http://b/"]], meta.Trackers.Select(t => t.ToArray()).ToArray());
    }

    [Fact]
    public void No_trackers_is_an_empty_list()
    {
        Assert.Empty(ParseWith(new BencodeDictionary()).Trackers);
        Assert.Empty(ParseWith(new BencodeDictionary { ["announce"] = "   " }).Trackers);
        Assert.Empty(ParseWith(new BencodeDictionary { ["announce"] = 1 }).Trackers);
    }

    [Fact]
    public void Web_seeds_come_from_url_list_and_httpseeds()
    {
        var single = ParseWith(new BencodeDictionary { ["url-list"] = "http://seed/file" });
        Assert.Equal(["http://seed/file"], single.WebSeeds);

        var both = ParseWith(new BencodeDictionary
        {
            ["url-list"] = List("http://a/", "", "http://b/", "http://a/", 7),
            ["httpseeds"] = List("http://h/seed.php", "http://b/"),
        });
        Assert.Equal(["http://a/", "http://b/", "http://h/seed.php"], both.WebSeeds);

        var httpSeedString = ParseWith(new BencodeDictionary { ["httpseeds"] = "http://h/seed.php" });
        Assert.Equal(["http://h/seed.php"], httpSeedString.WebSeeds);

        Assert.Empty(ParseWith(new BencodeDictionary { ["url-list"] = "" }).WebSeeds);
        Assert.Empty(ParseWith(new BencodeDictionary { ["url-list"] = new BencodeDictionary() }).WebSeeds);
    }

    [Fact]
    public void Creation_date_is_unix_seconds_and_absurd_values_are_ignored()
    {
        Assert.Equal(new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero), ParseWith(new BencodeDictionary { ["creation date"] = 1714979289 }).CreationDate);
        Assert.Null(ParseWith(new BencodeDictionary()).CreationDate);
        Assert.Null(ParseWith(new BencodeDictionary { ["creation date"] = 0 }).CreationDate);
        Assert.Null(ParseWith(new BencodeDictionary { ["creation date"] = -5 }).CreationDate);
        Assert.Null(ParseWith(new BencodeDictionary { ["creation date"] = long.MaxValue }).CreationDate);
        Assert.Null(ParseWith(new BencodeDictionary { ["creation date"] = 253_402_300_800 }).CreationDate);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(253_402_300_799), ParseWith(new BencodeDictionary { ["creation date"] = 253_402_300_799 }).CreationDate);
        Assert.Null(ParseWith(new BencodeDictionary { ["creation date"] = "2024-01-01" }).CreationDate);
    }

    [Fact]
    public void Comment_and_created_by_prefer_their_utf8_variants()
    {
        var plain = ParseWith(new BencodeDictionary { ["comment"] = "hello", ["created by"] = "mktorrent 1.1" });
        Assert.Equal("hello", plain.Comment);
        Assert.Equal("mktorrent 1.1", plain.CreatedBy);

        var both = ParseWith(new BencodeDictionary
        {
            ["comment"] = "caf?",
            ["comment.utf-8"] = "café",
            ["created by"] = "x?",
            ["created by.utf-8"] = "xé",
        });
        Assert.Equal("café", both.Comment);
        Assert.Equal("xé", both.CreatedBy);

        var none = ParseWith(new BencodeDictionary { ["comment"] = "", ["created by"] = 5 });
        Assert.Null(none.Comment);
        Assert.Null(none.CreatedBy);
    }

    [Fact]
    public void Invalid_utf8_in_text_fields_becomes_replacement_characters()
    {
        var meta = ParseWith(new BencodeDictionary { ["comment"] = new byte[] { (byte)'a', 0xff, (byte)'b' } });

        Assert.Equal("a\ufffdb", meta.Comment);
    }

    [Fact]
    public void Magnet_link_has_the_hashes_name_trackers_and_seeds()
    {
        var meta = ParseWith(new BencodeDictionary
        {
            ["announce-list"] = List(List("http://a/announce"), List("udp://b:80")),
            ["url-list"] = "http://seed/x.bin",
        });

        var uri = meta.ToMagnetUri();

        Assert.StartsWith($"magnet:?xt=urn:btih:{meta.InfoHashV1!.Value.ToHex()}", uri);
        var link = MagnetLink.Parse(uri);
        Assert.Equal(meta.InfoHashV1, link.InfoHashV1);
        Assert.Null(link.InfoHashV2);
        Assert.Equal("x.bin", link.DisplayName);
        Assert.Equal(["http://a/announce", "udp://b:80"], link.Trackers);
        Assert.Equal(["http://seed/x.bin"], link.WebSeeds);
    }

    [Fact]
    public void Magnet_link_of_a_hybrid_torrent_carries_both_hashes()
    {
        var (info, layers, _) = HybridInfo("data", 16384, new TestFile("a", 40_000, 1), new TestFile("b", 10, 2));
        var meta = TorrentMetainfo.Parse(Torrent(info, new BencodeDictionary { ["piece layers"] = layers }));

        var link = MagnetLink.Parse(meta.ToMagnetUri());

        Assert.Equal(meta.InfoHashV1, link.InfoHashV1);
        Assert.Equal(meta.InfoHashV2, link.InfoHashV2);
        Assert.Contains($"xt=urn:btmh:1220{meta.InfoHashV2!.Value.ToHex()}", meta.ToMagnetUri());
    }
}
