using Rustorrent.Bencode;
using Rustorrent.Peers;
using Rustorrent.Trackers;
using static Rustorrent.Engine.Tests.Trackers.TrackerTestData;

namespace Rustorrent.Engine.Tests.Trackers;

/// <summary>Announce and scrape bodies read directly, for the cases that need no network.</summary>
public class HttpTrackerResponseReaderTests
{
    private static readonly Uri Tracker = new("http://tracker.example/announce");

    private static readonly byte[] PortZero = [5, 6, 7, 8, 0, 0];

    [Fact]
    public void Compact_peers_drop_duplicates_port_zero_and_unspecified_addresses()
    {
        var body = Encode(new BencodeDictionary
        {
            ["peers"] = Compact("1.2.3.4:1", "1.2.3.4:1").Concat(PortZero).Concat(Compact("0.0.0.0:80", "1.2.3.4:2")).ToArray(),
        });

        var response = HttpTrackerResponseReader.ReadAnnounce(Tracker, body, 100);

        Assert.Equal([Peer("1.2.3.4:1"), Peer("1.2.3.4:2")], response.Peers);
        Assert.Equal(AnnounceResponse.DefaultInterval, response.Interval);
    }

    [Fact]
    public void Peers_beyond_the_limit_are_dropped()
    {
        var many = Enumerable.Range(1, 500).Select(i => $"10.0.{i / 256}.{i % 256}:6881").ToArray();
        var body = Encode(new BencodeDictionary { ["peers"] = Compact(many), ["peers6"] = Compact("[::2]:1") });

        var response = HttpTrackerResponseReader.ReadAnnounce(Tracker, body, 200);

        Assert.Equal(200, response.Peers.Count);
        Assert.Equal(Peer(many[199]), response.Peers[^1]);
    }

    [Fact]
    public void Dictionary_peers_skip_host_names_bad_ports_and_malformed_entries()
    {
        var peers = new BencodeList
        {
            new BencodeDictionary { ["ip"] = "peer.example.org", ["port"] = 1 },
            new BencodeDictionary { ["ip"] = "1.2.3.4", ["port"] = 70000 },
            new BencodeDictionary { ["ip"] = "1.2.3.4", ["port"] = "80" },
            new BencodeDictionary { ["ip"] = "010.1.1.1", ["port"] = 80 },
            new BencodeDictionary { ["port"] = 80 },
            "not a dictionary",
            new BencodeDictionary { ["ip"] = "9.9.9.9", ["port"] = 99 },
        };
        var body = Encode(new BencodeDictionary { ["peers"] = peers });

        var response = HttpTrackerResponseReader.ReadAnnounce(Tracker, body, 100);

        Assert.Equal([Peer("9.9.9.9:99")], response.Peers);
    }

    [Theory]
    [InlineData("d5:peers5:abcdee", "'peers' at byte 8 is 5 bytes, not a whole number of 6-byte peers")]
    [InlineData("d6:peers66:abcdefe", "'peers6' at byte 9 is 6 bytes, not a whole number of 18-byte peers")]
    [InlineData("d5:peersi5ee", "'peers' at byte 8 is an integer, not a byte string or a list")]
    [InlineData("d6:peers6lee", "'peers6' at byte 9 is a list, not a byte string")]
    [InlineData("d8:intervali-1ee", "'interval' is -1 seconds, outside 0 to 2147483647")]
    [InlineData("d8:intervali2147483648ee", "'interval' is 2147483648 seconds, outside 0 to 2147483647")]
    [InlineData("d8:interval4:1800e", "'interval' at byte 11 is a byte string, not an integer")]
    [InlineData("d12:min intervallee", "'min interval' at byte 16 is a list, not an integer")]
    [InlineData("d8:completei-5ee", "'complete' is negative (-5)")]
    [InlineData("d10:tracker idi1ee", "'tracker id' at byte 14 is an integer, not a byte string")]
    [InlineData("le", "the reply is a list, not a dictionary")]
    [InlineData("i42e", "the reply is an integer, not a dictionary")]
    public void Malformed_fields_are_invalid_responses_that_say_what_and_where(string body, string reason)
    {
        var error = Assert.Throws<TrackerException>(() => HttpTrackerResponseReader.ReadAnnounce(Tracker, Ascii(body), 100));

        Assert.Equal(TrackerErrorKind.InvalidResponse, error.Kind);
        Assert.Equal(reason, error.Reason);
        Assert.Equal(Tracker, error.Tracker);
    }

    [Fact]
    public void A_warning_longer_than_the_text_limit_is_refused()
    {
        var body = Encode(new BencodeDictionary { ["warning message"] = new string('w', TrackerText.MaxLength + 1) });

        var error = Assert.Throws<TrackerException>(() => HttpTrackerResponseReader.ReadAnnounce(Tracker, body, 100));

        Assert.Equal("'warning message' is 1025 bytes long, more than 1024", error.Reason);
    }

    [Fact]
    public void Control_characters_in_tracker_text_are_replaced()
    {
        var body = Encode(new BencodeDictionary { ["failure reason"] = "bad\u001b[2Jthing\r\nhere" });

        var error = Assert.Throws<TrackerException>(() => HttpTrackerResponseReader.ReadAnnounce(Tracker, body, 100));

        Assert.Equal(TrackerErrorKind.TrackerFailure, error.Kind);
        Assert.Equal("the tracker refused: bad [2Jthing  here", error.Reason);
    }

    [Fact]
    public void Failure_reason_wins_over_everything_else_in_the_reply()
    {
        var body = Encode(new BencodeDictionary { ["failure reason"] = "nope", ["peers"] = Compact("1.2.3.4:5"), ["interval"] = 10 });

        var error = Assert.Throws<TrackerException>(() => HttpTrackerResponseReader.ReadAnnounce(Tracker, body, 100));

        Assert.Equal("the tracker refused: nope", error.Reason);
    }

    [Fact]
    public void Deep_nesting_is_refused_without_recursion()
    {
        var body = Ascii("d5:peers" + new string('l', 5000) + new string('e', 5000) + "e");

        var error = Assert.Throws<TrackerException>(() => HttpTrackerResponseReader.ReadAnnounce(Tracker, body, 100));

        Assert.Equal(TrackerErrorKind.InvalidResponse, error.Kind);
        Assert.Contains("nested more than 16 deep", error.Reason);
    }

    [Fact]
    public void Scrape_reply_counts_default_to_zero_and_a_wrong_type_is_named()
    {
        var files = new BencodeDictionary { [InfoHashBytes] = new BencodeDictionary { ["complete"] = 4 } };
        var scrape = HttpTrackerResponseReader.ReadScrape(Tracker, Encode(new BencodeDictionary { ["files"] = files }), TestInfoHash.Truncated);
        Assert.Equal(new ScrapeResponse { Seeders = 4 }, scrape);

        var bad = new BencodeDictionary { [InfoHashBytes] = new BencodeDictionary { ["incomplete"] = "x" } };
        var error = Assert.Throws<TrackerException>(() =>
            HttpTrackerResponseReader.ReadScrape(Tracker, Encode(new BencodeDictionary { ["files"] = bad }), TestInfoHash.Truncated));
        Assert.Equal(TrackerErrorKind.InvalidResponse, error.Kind);
        Assert.EndsWith("is a byte string, not an integer", error.Reason);

        var noFiles = Assert.Throws<TrackerException>(() => HttpTrackerResponseReader.ReadScrape(Tracker, Ascii("de"), TestInfoHash.Truncated));
        Assert.Equal("the scrape reply has no 'files' dictionary", noFiles.Reason);
    }

    [Fact]
    public void Tracker_id_keeps_its_exact_bytes()
    {
        byte[] id = [0x00, 0x80, 0xff, (byte)'x'];
        var response = HttpTrackerResponseReader.ReadAnnounce(Tracker, Encode(new BencodeDictionary { ["tracker id"] = id }), 100);

        Assert.Equal(id, System.Text.Encoding.Latin1.GetBytes(response.TrackerId!));
    }

    [Fact]
    public void Ipv6_compact_peers_read_in_order()
    {
        var body = Encode(new BencodeDictionary { ["peers6"] = Compact("[2001:db8::1]:1", "[fe80::1]:65535") });

        var response = HttpTrackerResponseReader.ReadAnnounce(Tracker, body, 100);

        Assert.Equal([new PeerEndpoint(System.Net.IPAddress.Parse("2001:db8::1"), 1), Peer("[fe80::1]:65535")], response.Peers);
    }
}
