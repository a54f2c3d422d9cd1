using System.Net;
using System.Text;
using Rustorrent.Peers.Extensions;

namespace Rustorrent.Engine.Tests.Extensions;

public sealed class ExtensionHandshakeTests
{
    [Fact]
    public void Reads_a_handshake_as_libtorrent_writes_it()
    {
        // libtorrent 2.0's handshake, keys in canonical order (BEP 10's fields plus its own extras).
        var bytes = Encoding.ASCII.GetBytes(
            "d12:complete_agoi-1e1:md11:lt_donthavei7e10:share_modei8e11:upload_onlyi3e12:ut_holepunchi4e11:ut_metadatai2e6:ut_pexi1ee"
            + "13:metadata_sizei31234e1:pi6881e4:reqqi500e11:upload_onlyi0e1:v18:libtorrent 2.0.8.06:yourip4:\u007f\u0000\u0000\u0001e");

        Assert.True(ExtensionHandshake.TryParse(bytes, out var handshake, out var error), error);
        Assert.Equal(2, handshake!.Messages["ut_metadata"]);
        Assert.Equal(1, handshake.Messages["ut_pex"]);
        Assert.Equal(6, handshake.Messages.Count);
        Assert.True(handshake.Supports(ExtensionNames.Metadata));
        Assert.Equal(31234, handshake.MetadataSize);
        Assert.Equal(6881, handshake.ListenPort);
        Assert.Equal(500, handshake.RequestQueueLength);
        Assert.Equal("libtorrent 2.0.8.0", handshake.ClientName);
        Assert.Equal(IPAddress.Loopback, handshake.YourIp);
    }

    [Fact]
    public void Round_trips_every_field_in_canonical_order()
    {
        var ours = new ExtensionHandshake
        {
            Messages = ExtensionIdMap.Default,
            ClientName = "Rustorrent 0.1.0",
            ListenPort = 51413,
            YourIp = IPAddress.IPv6Loopback,
            IPv4 = IPAddress.Parse("192.0.2.7"),
            IPv6 = IPAddress.Parse("2001:db8::1"),
            RequestQueueLength = 250,
            MetadataSize = 40_000,
        };

        var bytes = ours.Encode();

        Assert.StartsWith("d4:ipv44:", Encoding.Latin1.GetString(bytes));
        Assert.Contains("1:md11:ut_metadatai1e6:ut_pexi2ee13:metadata_sizei40000e1:pi51413e4:reqqi250e1:v16:Rustorrent 0.1.06:yourip16:", Encoding.Latin1.GetString(bytes));
        Assert.True(ExtensionHandshake.TryParse(bytes, out var back, out _));
        Assert.Equal(ours.Messages, back!.Messages);
        Assert.Equal(ours.ClientName, back.ClientName);
        Assert.Equal(ours.ListenPort, back.ListenPort);
        Assert.Equal(ours.YourIp, back.YourIp);
        Assert.Equal(ours.IPv4, back.IPv4);
        Assert.Equal(ours.IPv6, back.IPv6);
        Assert.Equal(ours.RequestQueueLength, back.RequestQueueLength);
        Assert.Equal(ours.MetadataSize, back.MetadataSize);
    }

    [Theory]
    [InlineData("", "not bencode")]
    [InlineData("i42e", "not a dictionary")]
    [InlineData("d1:mi1ee", "\"m\" is not a dictionary")]
    [InlineData("d1:md11:ut_metadatai1e", "not bencode")]
    [InlineData("d1:md11:ut_metadatai1eeee", "trailing data")]
    public void Refuses_what_is_not_a_handshake(string text, string reason)
    {
        Assert.False(ExtensionHandshake.TryParse(Encoding.Latin1.GetBytes(text), out var handshake, out var error));
        Assert.Null(handshake);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Ignores_fields_that_are_out_of_range_or_of_the_wrong_type()
    {
        var longName = new string('x', 200);
        var bytes = Encoding.Latin1.GetBytes(
            "d1:md6:bad_idi256e3:negi-1e4:texti1e" + $"200:{longName}i3e" + "11:ut_metadata5:hello6:ut_pexi0ee"
            + "13:metadata_sizei-5e1:pi70000e4:reqqi0e1:vi3e6:yourip3:abce");

        Assert.True(ExtensionHandshake.TryParse(bytes, out var handshake, out var error), error);
        // Only well-formed one-byte ids count; 0 is kept, as it disables an extension (BEP 10).
        Assert.Equal(new Dictionary<string, byte> { ["text"] = 1, ["ut_pex"] = 0 }, handshake!.Messages);
        Assert.False(handshake.Supports(ExtensionNames.Pex));
        Assert.Null(handshake.MetadataSize);
        Assert.Null(handshake.ListenPort);
        Assert.Null(handshake.RequestQueueLength);
        Assert.Null(handshake.ClientName);
        Assert.Null(handshake.YourIp);
    }

    [Fact]
    public void Keeps_at_most_64_extensions_and_cuts_long_client_names()
    {
        var entries = string.Concat(Enumerable.Range(0, 1000).Select(i => $"{$"e{i:D4}".Length}:e{i:D4}i{i % 250 + 1}e").Order(StringComparer.Ordinal));
        var name = new string('v', 1000);
        var bytes = Encoding.Latin1.GetBytes($"d1:md{entries}e1:v1000:{name}e");

        Assert.True(ExtensionHandshake.TryParse(bytes, out var handshake, out var error), error);
        Assert.Equal(ExtensionHandshake.MaxMessages, handshake!.Messages.Count);
        Assert.Equal(ExtensionHandshake.MaxNameLength, handshake.ClientName!.Length);
    }

    [Fact]
    public void A_huge_metadata_size_is_read_as_claimed_for_the_caller_to_refuse()
    {
        Assert.True(ExtensionHandshake.TryParse("d1:md11:ut_metadatai3ee13:metadata_sizei2147483648ee"u8.ToArray(), out var handshake, out _));
        Assert.Equal(2_147_483_648L, handshake!.MetadataSize);
    }

    [Fact]
    public void The_id_map_sends_with_their_ids_and_reads_with_ours()
    {
        var map = new ExtensionIdMap();
        Assert.False(map.RemoteSupports(ExtensionNames.Metadata));

        map.Update(new ExtensionHandshake { Messages = new Dictionary<string, byte> { ["ut_metadata"] = 3, ["ut_pex"] = 9 } });
        Assert.True(map.TryGetRemoteId(ExtensionNames.Metadata, out var metadata));
        Assert.Equal(3, metadata);
        Assert.Equal(ExtensionNames.Metadata, map.LocalName(ExtensionNames.LocalMetadataId));
        Assert.Equal(ExtensionNames.Pex, map.LocalName(ExtensionNames.LocalPexId));
        Assert.Null(map.LocalName(77));

        // A later handshake disables ut_pex and moves ut_metadata (BEP 10).
        map.Update(new ExtensionHandshake { Messages = new Dictionary<string, byte> { ["ut_metadata"] = 4, ["ut_pex"] = 0 } });
        Assert.True(map.TryGetRemoteId(ExtensionNames.Metadata, out metadata));
        Assert.Equal(4, metadata);
        Assert.False(map.RemoteSupports(ExtensionNames.Pex));
    }

    [Fact]
    public void Our_ids_must_be_distinct_and_not_zero()
    {
        Assert.Throws<ArgumentException>(() => new ExtensionIdMap(new Dictionary<string, byte> { ["a"] = 0 }));
        Assert.Throws<ArgumentException>(() => new ExtensionIdMap(new Dictionary<string, byte> { ["a"] = 1, ["b"] = 1 }));
    }
}
