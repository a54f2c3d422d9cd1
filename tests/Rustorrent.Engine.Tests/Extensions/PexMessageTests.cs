using System.Net;
using System.Text;
using Rustorrent.Peers;
using Rustorrent.Peers.Extensions;

namespace Rustorrent.Engine.Tests.Extensions;

public sealed class PexMessageTests
{
    [Fact]
    public void Reads_libtorrents_format()
    {
        // As libtorrent's ut_pex writes it: added, added.f, added6, added6.f, dropped, dropped6 (BEP 11).
        byte[] payload =
        [
            .. "d5:added12:"u8, 127, 0, 0, 1, 0x1a, 0xe1, 10, 0, 0, 2, 0xc8, 0xd5,
            .. "7:added.f2:"u8, 0x12, 0x02,
            .. "6:added618:"u8, .. IPAddress.IPv6Loopback.GetAddressBytes(), 0x1f, 0x90,
            .. "8:added6.f1:"u8, 0x01,
            .. "7:dropped6:"u8, 192, 168, 1, 9, 0x00, 0x50,
            .. "8:dropped60:e"u8,
        ];

        Assert.True(PexMessage.TryParse(payload, out var message, out var error), error);
        Assert.Equal(
            [
                new PexPeer(new PeerEndpoint(IPAddress.Loopback, 6881), PexFlags.Reachable | PexFlags.Seed),
                new PexPeer(new PeerEndpoint(IPAddress.Parse("10.0.0.2"), 51413), PexFlags.Seed),
                new PexPeer(new PeerEndpoint(IPAddress.IPv6Loopback, 8080), PexFlags.PrefersEncryption),
            ],
            message!.Added);
        Assert.Equal([new PeerEndpoint(IPAddress.Parse("192.168.1.9"), 80)], message.Dropped);
        Assert.Equal(0, message.IgnoredEntries);
    }

    [Fact]
    public void Round_trips_IPv4_and_IPv6_peers_with_their_flags()
    {
        var original = new PexMessage(
            [
                new PexPeer(new PeerEndpoint(IPAddress.Parse("203.0.113.5"), 6881), PexFlags.Reachable),
                new PexPeer(new PeerEndpoint(IPAddress.Parse("2001:db8::7"), 6882), PexFlags.Seed | PexFlags.SupportsUtp),
            ],
            [new PeerEndpoint(IPAddress.Parse("198.51.100.1"), 1), new PeerEndpoint(IPAddress.Parse("2001:db8::9"), 2)]);

        var bytes = original.Encode();

        Assert.StartsWith("d5:added6:", Encoding.Latin1.GetString(bytes));
        Assert.True(PexMessage.TryParse(bytes, out var back, out _));
        Assert.Equal(original.Added, back!.Added);
        Assert.Equal(original.Dropped, back.Dropped);
    }

    [Fact]
    public void Without_IPv6_peers_only_the_IPv4_keys_are_written()
    {
        var bytes = new PexMessage([new PexPeer(new PeerEndpoint(IPAddress.Loopback, 258), PexFlags.None)], []).Encode();
        Assert.Equal("d5:added6:\u007f\u0000\u0000\u0001\u0001\u00027:added.f1:\u00007:dropped0:e", Encoding.Latin1.GetString(bytes));
    }

    [Fact]
    public void Refuses_to_write_more_than_50_added_or_dropped_peers()
    {
        var many = Enumerable.Range(1, 51).Select(i => new PeerEndpoint(IPAddress.Loopback, i)).ToArray();
        Assert.Throws<InvalidOperationException>(() => new PexMessage(many.Select(p => new PexPeer(p, PexFlags.None)).ToArray(), []).Encode());
        Assert.Throws<InvalidOperationException>(() => new PexMessage([], many).Encode());
    }

    [Fact]
    public void Reads_at_most_100_entries_of_each_list_and_counts_the_rest()
    {
        var added = Enumerable.Range(1, 5000).SelectMany(i => new PeerEndpoint(IPAddress.Parse("10.1.0.1"), i).ToCompact()).ToArray();
        var dropped = Enumerable.Range(1, 300).SelectMany(i => new PeerEndpoint(IPAddress.Parse("10.2.0.1"), i).ToCompact()).ToArray();
        byte[] payload = [.. Encoding.ASCII.GetBytes($"d5:added{added.Length}:"), .. added, .. Encoding.ASCII.GetBytes($"7:dropped{dropped.Length}:"), .. dropped, (byte)'e'];

        Assert.True(PexMessage.TryParse(payload, out var message, out _));
        Assert.Equal(PexMessage.MaxReceivedPerList, message!.Added.Count);
        Assert.Equal(PexMessage.MaxReceivedPerList, message.Dropped.Count);
        Assert.Equal(5000 - 100 + 300 - 100, message.IgnoredEntries);
        Assert.Equal(1, message.Added[0].EndPoint.Port);
    }

    [Fact]
    public void Skips_port_0_and_takes_missing_flags_as_none()
    {
        byte[] payload = [.. "d5:added12:"u8, 1, 2, 3, 4, 0, 0, 5, 6, 7, 8, 0, 9, .. "e"u8];
        Assert.True(PexMessage.TryParse(payload, out var message, out _));
        Assert.Equal([new PexPeer(new PeerEndpoint(IPAddress.Parse("5.6.7.8"), 9), PexFlags.None)], message!.Added);
        Assert.Equal(1, message.IgnoredEntries);
    }

    [Theory]
    [InlineData("d5:added5:abcdee", "\"added\" list is 5 bytes")]
    [InlineData("d6:added66:abcdefe", "\"added6\" list is 6 bytes")]
    [InlineData("d7:dropped7:abcdefge", "\"dropped\" list is 7 bytes")]
    [InlineData("d8:dropped66:abcdefe", "\"dropped6\" list is 6 bytes")]
    [InlineData("l5:addede", "not a dictionary")]
    [InlineData("d5:added", "not bencode")]
    public void Refuses_malformed_messages(string text, string reason)
    {
        Assert.False(PexMessage.TryParse(Encoding.Latin1.GetBytes(text), out var message, out var error));
        Assert.Null(message);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Ignores_lists_of_the_wrong_type()
    {
        Assert.True(PexMessage.TryParse("d5:addedi3e7:droppedlee"u8.ToArray(), out var message, out _));
        Assert.True(message!.IsEmpty);
    }
}
