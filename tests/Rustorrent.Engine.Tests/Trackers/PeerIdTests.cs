using System.Text;
using Rustorrent.Peers;

namespace Rustorrent.Engine.Tests.Trackers;

public class PeerIdTests
{
    [Fact]
    public void Create_is_azureus_style_with_our_client_code_and_version()
    {
        var version = typeof(PeerId).Assembly.GetName().Version!;
        var expectedPrefix = $"-RT{version.Major}{version.Minor}{version.Build}{version.Revision}-";

        var id = PeerId.Create();

        Assert.Equal(expectedPrefix, PeerId.ClientPrefix);
        Assert.Equal("-RT0100-", PeerId.ClientPrefix); // the module is at 0.1.0: update with the version
        Assert.Equal(20, id.Span.Length);
        Assert.Equal(PeerId.ClientPrefix, Encoding.ASCII.GetString(id.Span[..8]));
    }

    [Fact]
    public void Created_ids_differ_in_their_random_part()
    {
        var ids = Enumerable.Range(0, 64).Select(_ => PeerId.Create()).ToArray();

        Assert.Equal(64, ids.Distinct().Count());
        // 12 random bytes each: across 64 ids every byte position takes more than one value.
        for (var i = 8; i < 20; i++)
            Assert.True(ids.Select(id => id.Span[i]).Distinct().Count() > 1, $"byte {i} never changed");
    }

    [Fact]
    public void Equality_is_by_value_and_length_is_checked()
    {
        var bytes = Encoding.ASCII.GetBytes("-RT0100-abcdefghijkl");
        var a = new PeerId(bytes);
        var b = new PeerId(bytes);

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, PeerId.Create());
        Assert.Equal("-RT0100-abcdefghijkl", a.ToString());
        Assert.Equal(Convert.ToHexString(bytes).ToLowerInvariant(), a.ToHex());
        Assert.Throws<ArgumentException>(() => new PeerId(new byte[19]));
        Assert.True(default(PeerId).IsEmpty);
    }

    [Fact]
    public void To_string_escapes_bytes_that_are_not_printable()
    {
        var id = new PeerId([.. "-RT0100-"u8, 0x00, 0x25, 0xff, .. "abcdefghi"u8]);

        Assert.Equal("-RT0100-%00%25%FFabcdefghi", id.ToString());
    }
}
