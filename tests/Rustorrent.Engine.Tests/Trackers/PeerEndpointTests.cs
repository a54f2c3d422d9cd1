using System.Net;
using Rustorrent.Peers;

namespace Rustorrent.Engine.Tests.Trackers;

public class PeerEndpointTests
{
    [Theory]
    [InlineData("192.0.2.1:6881", "192.0.2.1", 6881, "192.0.2.1:6881")]
    [InlineData(" 10.0.0.255:1 ", "10.0.0.255", 1, "10.0.0.255:1")]
    [InlineData("[::1]:65535", "::1", 65535, "[::1]:65535")]
    [InlineData("[2001:DB8::1]:80", "2001:db8::1", 80, "[2001:db8::1]:80")]
    [InlineData("[::ffff:192.0.2.7]:99", "192.0.2.7", 99, "192.0.2.7:99")]
    public void Parses_address_and_port(string text, string address, int port, string formatted)
    {
        var endpoint = PeerEndpoint.Parse(text);

        Assert.Equal(IPAddress.Parse(address), endpoint.Address);
        Assert.Equal(port, endpoint.Port);
        Assert.Equal(formatted, endpoint.ToString());
        Assert.Equal(endpoint, PeerEndpoint.Parse(formatted));
    }

    [Theory]
    [InlineData("", "expected address:port")]
    [InlineData("192.0.2.1", "expected address:port")]
    [InlineData("192.0.2.1:0", "the port '0' is not a number from 1 to 65535")]
    [InlineData("192.0.2.1:65536", "the port '65536' is not a number from 1 to 65535")]
    [InlineData("192.0.2.1:+80", "the port '+80' is not a number from 1 to 65535")]
    [InlineData("192.0.2.1:", "the port '' is not a number from 1 to 65535")]
    [InlineData("::1:6881", "write an IPv6 address in brackets")]
    [InlineData("[::1]6881", "must be followed by ':port'")]
    [InlineData("[::1", "must be followed by ':port'")]
    [InlineData("[1.2.3.4]:80", "only IPv6 addresses go in brackets")]
    [InlineData("example.org:80", "'example.org' is not an IP address")]
    [InlineData("1:80", "'1' is not an IP address")]
    [InlineData("1.2.3:80", "'1.2.3' is not an IP address")]
    [InlineData("0x7f.0.0.1:80", "'0x7f.0.0.1' is not an IP address")]
    [InlineData("010.0.0.1:80", "'010.0.0.1' is not an IP address")]
    [InlineData("256.0.0.1:80", "'256.0.0.1' is not an IP address")]
    [InlineData("1.2.3.4.5:80", "'1.2.3.4.5' is not an IP address")]
    public void Refuses_what_is_not_an_endpoint_and_says_why(string text, string reason)
    {
        Assert.False(PeerEndpoint.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
        var thrown = Assert.Throws<FormatException>(() => PeerEndpoint.Parse(text));
        Assert.Contains($"'{text}'", thrown.Message);
    }

    [Fact]
    public void Compact_forms_round_trip_with_big_endian_ports()
    {
        byte[] v4 = [192, 0, 2, 1, 0x1a, 0xe1];
        byte[] v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xfe];

        var a = PeerEndpoint.ReadCompact(v4);
        var b = PeerEndpoint.ReadCompact(v6);

        Assert.Equal(PeerEndpoint.Parse("192.0.2.1:6881"), a);
        Assert.Equal(PeerEndpoint.Parse("[2001:db8::1]:65534"), b);
        Assert.Equal(v4, a.ToCompact());
        Assert.Equal(v6, b.ToCompact());
        Assert.Equal(6, a.CompactLength);
        Assert.Equal(18, b.CompactLength);
        Assert.Throws<ArgumentException>(() => PeerEndpoint.ReadCompact(v4.AsSpan(0, 5)));
        Assert.Throws<ArgumentException>(() => a.WriteCompact(new byte[5]));
    }

    [Fact]
    public void Equality_is_by_value_and_ipv4_mapped_addresses_are_ipv4()
    {
        var plain = new PeerEndpoint(IPAddress.Parse("10.1.2.3"), 80);
        var mapped = new PeerEndpoint(IPAddress.Parse("::ffff:10.1.2.3"), 80);

        Assert.Equal(plain, mapped);
        Assert.True(plain == mapped);
        Assert.Equal(plain.GetHashCode(), mapped.GetHashCode());
        Assert.False(mapped.IsIPv6);
        Assert.NotEqual(plain, new PeerEndpoint(IPAddress.Parse("10.1.2.3"), 81));
        Assert.True(plain != new PeerEndpoint(IPAddress.Parse("10.1.2.4"), 80));
        Assert.Single(new HashSet<PeerEndpoint> { plain, mapped, PeerEndpoint.Parse("10.1.2.3:80") });
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.1.2.3"), 80), plain.ToIPEndPoint());
    }

    [Fact]
    public void Constructor_refuses_ports_out_of_range()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PeerEndpoint(IPAddress.Loopback, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PeerEndpoint(IPAddress.Loopback, 65536));
        Assert.Equal("0.0.0.0:0", default(PeerEndpoint).ToString());
    }
}
