using System.Text;
using Rustorrent.Metainfo;
using Rustorrent.Trackers;
using static Rustorrent.Engine.Tests.Trackers.TrackerTestData;

namespace Rustorrent.Engine.Tests.Trackers;

public class HttpTrackerUrlTests
{
    [Fact]
    public void Every_byte_value_survives_the_query_string_as_the_request_target_sends_it()
    {
        // 13 info hashes of 20 bytes cover all 256 byte values; the Uri we hand to HttpClient must keep each
        // one exactly as we encoded it (HttpClient writes PathAndQuery on the request line).
        for (var start = 0; start < 256; start += 20)
        {
            var bytes = Enumerable.Range(start, 20).Select(i => (byte)(i % 256)).ToArray();
            var uri = HttpTrackerUrl.BuildAnnounce(new Uri("http://tracker.example/announce"), Request() with { InfoHash = new InfoHash(bytes) }, null);

            var expected = new StringBuilder();
            foreach (var b in bytes)
                expected.Append(IsUnreserved(b) ? ((char)b).ToString() : $"%{b:X2}");
            Assert.StartsWith($"/announce?info_hash={expected}&peer_id=", uri.PathAndQuery);
            Assert.Equal(bytes, Unescape(uri.PathAndQuery.Split('&')[0]["/announce?info_hash=".Length..]));
        }
    }

    [Fact]
    public void A_v2_info_hash_goes_out_truncated_to_20_bytes()
    {
        var v2 = new InfoHash(Enumerable.Range(0x41, 32).Select(i => (byte)i).ToArray());

        var uri = HttpTrackerUrl.BuildAnnounce(new Uri("http://t.example/announce"), Request() with { InfoHash = v2 }, null);

        Assert.StartsWith("/announce?info_hash=ABCDEFGHIJKLMNOPQRST&peer_id=", uri.PathAndQuery);
    }

    [Theory]
    [InlineData("http://t.example/announce", "http://t.example/scrape?info_hash=")]
    [InlineData("http://t.example/x/announce", "http://t.example/x/scrape?info_hash=")]
    [InlineData("http://t.example/announce.php", "http://t.example/scrape.php?info_hash=")]
    [InlineData("http://t.example/x/announce?passkey=abc", "http://t.example/x/scrape?passkey=abc&info_hash=")]
    [InlineData("https://t.example:8443/announce/", null)]
    [InlineData("http://t.example/a", null)]
    [InlineData("http://t.example/announce/x", null)]
    [InlineData("http://t.example/my-announce", null)]
    public void Scrape_url_follows_the_bep_48_convention(string announce, string? expectedPrefix)
    {
        var built = HttpTrackerUrl.TryBuildScrape(new Uri(announce), TestInfoHash, out var scrape, out var error);

        if (expectedPrefix is null)
        {
            Assert.False(built);
            Assert.Null(scrape);
            Assert.Contains("does not start with 'announce' (BEP 48)", error);
        }
        else
        {
            Assert.True(built);
            Assert.Null(error);
            Assert.Equal(expectedPrefix + "%00Az0-._~%25%26%3D%2B%20%2F%3F%23%7F%80%C3%FF", scrape!.AbsoluteUri);
        }
    }

    private static bool IsUnreserved(byte b) =>
        b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~';

    private static byte[] Unescape(string encoded)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] == '%')
            {
                bytes.Add(Convert.ToByte(encoded.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.Add((byte)encoded[i]);
            }
        }
        return [.. bytes];
    }
}
