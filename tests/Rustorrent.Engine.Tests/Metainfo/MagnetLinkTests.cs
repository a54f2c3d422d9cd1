using Rustorrent.Metainfo;

namespace Rustorrent.Engine.Tests.Metainfo;

public class MagnetLinkTests
{
    // Hex and RFC 4648 base32 of the same SHA-1 hash (base32 computed independently with Python's base64.b32encode).
    private const string Hex = "dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c";
    private const string Base32 = "3WBFL3G4PSSV7MF37AJSHWDQMLNR63I4";

    // SHA-256("rustorrent"), as a BEP 52 v2 info hash.
    private const string V2Hex = "eed0e98d16bc4f8c553705c16a6b50d77ea3c82009dd5ed4d5a0f849b27e512c";
    private const string OtherHex = "0123456789abcdef0123456789abcdef01234567";

    private static string ErrorOf(string uri)
    {
        Assert.False(MagnetLink.TryParse(uri, out var link, out var error));
        Assert.Null(link);
        var thrown = Assert.Throws<FormatException>(() => MagnetLink.Parse(uri));
        Assert.Equal(error, thrown.Message);
        return error;
    }

    private static void AssertRejected(string uri, string expectedReasonFragment)
    {
        var error = ErrorOf(uri);
        Assert.StartsWith($"'{MagnetLink.Shorten(uri)}' is not a valid magnet link: ", error);
        Assert.Contains(expectedReasonFragment, error);
    }

    // ---- the info hash ----

    [Fact]
    public void Parses_hex_btih()
    {
        var link = MagnetLink.Parse($"magnet:?xt=urn:btih:{Hex}");
        Assert.Equal(Convert.FromHexString(Hex), link.InfoHashV1!.Value.Span.ToArray());
        Assert.Null(link.InfoHashV2);
        Assert.Equal(link.InfoHashV1, link.PrimaryInfoHash);
        Assert.Null(link.DisplayName);
        Assert.Empty(link.Trackers);
        Assert.Empty(link.WebSeeds);
        Assert.Empty(link.Peers);
        Assert.Null(link.ExactLength);
        Assert.Empty(link.SelectedFiles);
    }

    [Fact]
    public void Base32_and_hex_btih_name_the_same_hash()
    {
        var fromHex = MagnetLink.Parse($"magnet:?xt=urn:btih:{Hex}");
        var fromBase32 = MagnetLink.Parse($"magnet:?xt=urn:btih:{Base32}");
        var fromLowerBase32 = MagnetLink.Parse($"magnet:?xt=urn:btih:{Base32.ToLowerInvariant()}");
        var fromUpperHex = MagnetLink.Parse($"magnet:?xt=urn:btih:{Hex.ToUpperInvariant()}");
        Assert.Equal(fromHex.PrimaryInfoHash, fromBase32.PrimaryInfoHash);
        Assert.Equal(fromHex.PrimaryInfoHash, fromLowerBase32.PrimaryInfoHash);
        Assert.Equal(fromHex.PrimaryInfoHash, fromUpperHex.PrimaryInfoHash);
        // The canonical form is always hex.
        Assert.Equal($"magnet:?xt=urn:btih:{Hex}", fromBase32.ToUri());
    }

    [Fact]
    public void Same_btih_twice_in_both_forms_is_accepted()
    {
        var link = MagnetLink.Parse($"magnet:?xt=urn:btih:{Hex}&xt=urn:btih:{Base32}");
        Assert.Equal(Hex, link.InfoHashV1!.Value.ToHex());
    }

    [Fact]
    public void Parses_btmh_v2_only()
    {
        var link = MagnetLink.Parse($"magnet:?xt=urn:btmh:1220{V2Hex}");
        Assert.Null(link.InfoHashV1);
        Assert.Equal(V2Hex, link.InfoHashV2!.Value.ToHex());
        Assert.Equal(InfoHashVersion.V2, link.PrimaryInfoHash.Version);
        Assert.Equal(link.InfoHashV2, link.PrimaryInfoHash);
        Assert.Equal($"magnet:?xt=urn:btmh:1220{V2Hex}", link.ToUri());
    }

    [Fact]
    public void Parses_hybrid_link_and_prefers_v1_as_primary()
    {
        var link = MagnetLink.Parse($"magnet:?xt=urn:btmh:1220{V2Hex.ToUpperInvariant()}&xt=urn:btih:{Hex}");
        Assert.Equal(Hex, link.InfoHashV1!.Value.ToHex());
        Assert.Equal(V2Hex, link.InfoHashV2!.Value.ToHex());
        Assert.Equal(link.InfoHashV1, link.PrimaryInfoHash);
        Assert.Equal($"magnet:?xt=urn:btih:{Hex}&xt=urn:btmh:1220{V2Hex}", link.ToUri());
    }

    [Fact]
    public void Two_different_btih_are_rejected() =>
        AssertRejected($"magnet:?xt=urn:btih:{Hex}&xt=urn:btih:{OtherHex}", $"two different v1 info hashes ({Hex} and {OtherHex})");

    [Fact]
    public void Two_different_btmh_are_rejected() =>
        AssertRejected($"magnet:?xt=urn:btmh:1220{V2Hex}&xt=urn:btmh:1220{new string('0', 64)}", "two different v2 info hashes");

    [Theory]
    [InlineData("dd8255ecdc7ca55fb0bbf81323d87062db1f6d1", "got 39 characters")]
    [InlineData("dd8255ecdc7ca55fb0bbf81323d87062db1f6d1cc", "got 41 characters")]
    [InlineData("zz8255ecdc7ca55fb0bbf81323d87062db1f6d1c", "got 40 characters with invalid ones")]
    [InlineData("3WBFL3G4PSSV7MF37AJSHWDQMLNR63I1", "got 32 characters with invalid ones")] // '1' is not base32
    [InlineData("", "got 0 characters")]
    [InlineData(" dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c", "got 41 characters")] // values are strict: no trimming
    public void Bad_btih_is_rejected_naming_the_hash(string hash, string fragment)
    {
        var error = ErrorOf($"magnet:?xt=urn:btih:{hash}");
        Assert.Contains($"'{hash}' in xt=urn:btih: must be 40 hexadecimal or 32 base32 characters", error);
        Assert.Contains(fragment, error);
    }

    [Fact]
    public void V2_hash_under_btih_is_rejected() =>
        AssertRejected($"magnet:?xt=urn:btih:{V2Hex}", "got 64 characters");

    [Theory]
    [InlineData("1114" + "00112233445566778899aabbccddeeff00112233", "'1114")] // SHA-1 multihash: not what BEP 52 allows
    [InlineData("1320" + V2Hex, "'1320")] // SHA-512 code
    [InlineData(V2Hex, "is not SHA-256")] // no multihash header at all
    public void Btmh_that_is_not_sha256_is_rejected_naming_it(string multihash, string fragment)
    {
        var error = ErrorOf($"magnet:?xt=urn:btmh:{multihash}");
        Assert.Contains("in xt=urn:btmh: is not SHA-256 (it must start with 1220, BEP 52)", error);
        Assert.Contains(fragment, error);
    }

    [Theory]
    [InlineData("1220" + "abc", "got 3 characters")]
    [InlineData("1220" + "zz" + "d0e98d16bc4f8c553705c16a6b50d77ea3c82009dd5ed4d5a0f849b27e512c", "with invalid ones")]
    [InlineData("1220" + V2Hex + "00", "got 66 characters")]
    public void Btmh_with_bad_digest_is_rejected(string multihash, string fragment)
    {
        var error = ErrorOf($"magnet:?xt=urn:btmh:{multihash}");
        Assert.Contains("in xt=urn:btmh: must be 64 hexadecimal characters", error);
        Assert.Contains(fragment, error);
    }

    [Theory]
    [InlineData("magnet:?xt=urn:sha1:YNCKHTQCWBTRNJIV4WNAE52SJUQCZO5C", "urn:sha1:YNCKHTQCWBTRNJIV4WNAE52SJUQCZO5C")]
    [InlineData("magnet:?xt=urn:ed2k:31D6CFE0D16AE931B73C59D7E0C089C0", "urn:ed2k:31D6CFE0D16AE931B73C59D7E0C089C0")]
    [InlineData("magnet:?xt=urn:tree:tiger:ABC", "urn:tree:tiger:ABC")]
    [InlineData("magnet:?xt=foo", "'foo'")]
    public void Link_with_only_a_foreign_topic_is_rejected_naming_it(string uri, string topic)
    {
        var error = ErrorOf(uri);
        Assert.Contains(topic, error);
        Assert.Contains("is not a BitTorrent one (urn:btih: or urn:btmh:)", error);
    }

    [Fact]
    public void Foreign_topics_beside_a_btih_are_ignored()
    {
        var link = MagnetLink.Parse($"magnet:?xt=urn:ed2k:31D6CFE0D16AE931B73C59D7E0C089C0&xt=urn:btih:{Hex}&xt=urn:sha1:YNCKHTQCWBTRNJIV4WNAE52SJUQCZO5C");
        Assert.Equal(Hex, link.InfoHashV1!.Value.ToHex());
    }

    [Theory]
    [InlineData("magnet:?")]
    [InlineData("magnet:?dn=name&tr=http://t/announce")]
    [InlineData("magnet:?&&&")]
    [InlineData("magnet:?xtx=urn:btih:dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c")]
    public void Link_without_xt_is_rejected(string uri) => AssertRejected(uri, "it has no exact topic (xt=urn:btih:");

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c")]
    [InlineData("magnet:xt=urn:btih:dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c")]
    [InlineData("http://example.com/?xt=urn:btih:dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c")]
    [InlineData("magnet")]
    public void Input_not_starting_with_magnet_scheme_is_rejected(string uri) =>
        AssertRejected(uri, "it does not start with \"magnet:?\"");

    [Fact]
    public void Null_input()
    {
        Assert.False(MagnetLink.TryParse(null, out var link, out var error));
        Assert.Null(link);
        Assert.Equal("'' is not a valid magnet link: the input is null", error);
        Assert.Throws<ArgumentNullException>(() => MagnetLink.Parse(null!));
    }

    [Fact]
    public void Scheme_and_keys_are_case_insensitive_and_surrounding_space_is_ignored()
    {
        var link = MagnetLink.Parse($"  MAGNET:?XT=URN:BTIH:{Hex}&DN=Name&TR=http://t/a&Ws=http://w/&X.PE=1.2.3.4:5&XL=7&SO=1\n");
        Assert.Equal(Hex, link.InfoHashV1!.Value.ToHex());
        Assert.Equal("Name", link.DisplayName);
        Assert.Equal(["http://t/a"], link.Trackers);
        Assert.Equal(["http://w/"], link.WebSeeds);
        Assert.Equal(["1.2.3.4:5"], link.Peers);
        Assert.Equal(7, link.ExactLength);
        Assert.Equal([1], link.SelectedFiles);
    }

    [Fact]
    public void Numbered_keys_are_accepted()
    {
        var link = MagnetLink.Parse($"magnet:?xt.1=urn:btih:{Hex}&xt.2=urn:btmh:1220{V2Hex}&tr.1=udp://a:1&tr.2=udp://b:2&tr.10=udp://c:3&ws.1=http://w/&x.pe.1=[::1]:6881&dn.1=N");
        Assert.Equal(Hex, link.InfoHashV1!.Value.ToHex());
        Assert.Equal(V2Hex, link.InfoHashV2!.Value.ToHex());
        Assert.Equal(["udp://a:1", "udp://b:2", "udp://c:3"], link.Trackers);
        Assert.Equal(["http://w/"], link.WebSeeds);
        Assert.Equal(["[::1]:6881"], link.Peers);
        Assert.Equal("N", link.DisplayName);
    }

    [Fact]
    public void Unknown_parameters_are_ignored()
    {
        var link = MagnetLink.Parse($"magnet:?as=http://a/b&xt=urn:btih:{Hex}&kt=a+b&mt=x&foo&x.foo=1&tr.x=http://ignored/&=v&xs=http://s/");
        Assert.Equal(Hex, link.InfoHashV1!.Value.ToHex());
        Assert.Empty(link.Trackers); // "tr.x" is not a numbered key
    }

    [Fact]
    public void Fragment_is_not_part_of_the_query()
    {
        var link = MagnetLink.Parse($"magnet:?xt=urn:btih:{Hex}&dn=a#b&tr=http://not-a-tracker/");
        Assert.Equal("a", link.DisplayName);
        Assert.Empty(link.Trackers);
    }

    // ---- dn, tr, ws ----

    [Fact]
    public void Display_name_is_percent_decoded_as_utf8_and_plus_is_a_space()
    {
        var link = MagnetLink.Parse($"magnet:?xt=urn:btih:{Hex}&dn=%C3%9Cn%C3%AFc%C3%B8d%C3%A9+%E5%90%8D%E5%89%8D%20%F0%9F%8E%89.iso");
        Assert.Equal("Ünïcødé 名前 🎉.iso", link.DisplayName);
    }

    [Fact]
    public void Display_name_with_raw_non_ascii_is_kept()
    {
        var link = MagnetLink.Parse($"magnet:?xt=urn:btih:{Hex}&dn=Ünïcødé 名前 🎉%2B1");
        Assert.Equal("Ünïcødé 名前 🎉+1", link.DisplayName);
    }

    [Fact]
    public void First_non_empty_display_name_wins()
    {
        var link = MagnetLink.Parse($"magnet:?xt=urn:btih:{Hex}&dn=&dn=first&dn=second");
        Assert.Equal("first", link.DisplayName);
    }

    [Fact]
    public void Plus_in_a_tracker_url_is_literal()
    {
        var link = MagnetLink.Parse($"magnet:?xt=urn:btih:{Hex}&tr=http://t/announce?a=b+c%26d%3De");
        Assert.Equal(["http://t/announce?a=b+c&d=e"], link.Trackers);
    }

    [Fact]
    public void Trackers_are_decoded_deduplicated_in_order_and_empty_ones_dropped()
    {
        var link = MagnetLink.Parse(
            $"magnet:?xt=urn:btih:{Hex}&tr=udp%3A%2F%2Ftracker.example%3A1337%2Fannounce&tr=http://b/announce&tr=&tr=udp://tracker.example:1337/announce&tr=http://a/announce");
        Assert.Equal(["udp://tracker.example:1337/announce", "http://b/announce", "http://a/announce"], link.Trackers);
    }

    [Fact]
    public void Web_seeds_are_decoded_and_deduplicated()
    {
        var link = MagnetLink.Parse($"magnet:?xt=urn:btih:{Hex}&ws=http%3A%2F%2Fseed%2Ffile%20name&ws=http://seed/file%20name&ws=https://other/");
        Assert.Equal(["http://seed/file name", "https://other/"], link.WebSeeds);
    }

    [Theory]
    [InlineData("dn=%", "'%' at character 0")]
    [InlineData("dn=ab%4", "'%4' at character 2")]
    [InlineData("dn=%G1", "'%G1' at character 0")]
    [InlineData("dn=%1G", "'%1G' at character 0")]
    [InlineData("tr=http://t/%%41", "'%%4' at character 9")]
    [InlineData("d%n=x", "the parameter name 'd%n'")]
    public void Bad_percent_encoding_is_rejected_with_its_position(string parameter, string fragment)
    {
        var error = ErrorOf($"magnet:?xt=urn:btih:{Hex}&{parameter}");
        Assert.Contains("has a bad percent-encoding", error);
        Assert.Contains("(expected % and two hexadecimal digits)", error);
        Assert.Contains(fragment, error);
    }

    [Theory]
    [InlineData("dn=%FF")]
    [InlineData("dn=%C3")]
    [InlineData("dn=%C3%28")]
    [InlineData("dn=%ED%A0%80")] // an encoded UTF-16 surrogate is not UTF-8
    public void Percent_encoded_bytes_that_are_not_utf8_are_rejected(string parameter) =>
        AssertRejected($"magnet:?xt=urn:btih:{Hex}&{parameter}", "the value of 'dn' is not valid UTF-8 once percent-decoded");

    [Fact]
    public void Percent_encoded_key_is_decoded()
    {
        var link = MagnetLink.Parse($"magnet:?%78t=urn:btih:{Hex}&%64n=a");
        Assert.Equal("a", link.DisplayName);
    }

    [Fact]
    public void Percent_encoded_topic_is_decoded()
    {
        var link = MagnetLink.Parse($"magnet:?xt=urn%3Abtih%3A{Hex}");
        Assert.Equal(Hex, link.InfoHashV1!.Value.ToHex());
    }

    // ---- x.pe ----

    [Theory]
    [InlineData("1.2.3.4:6881")]
    [InlineData("peer.example.com:1")]
    [InlineData("localhost:65535")]
    [InlineData("[::1]:6881")]
    [InlineData("[2001:db8::1]:51413")]
    [InlineData("%5B2001%3Adb8%3A%3A1%5D%3A51413")]
    public void Valid_peers_are_accepted(string peer)
    {
        var link = MagnetLink.Parse($"magnet:?xt=urn:btih:{Hex}&x.pe={peer}");
        Assert.Equal([Uri.UnescapeDataString(peer)], link.Peers);
    }

    [Theory]
    [InlineData("1.2.3.4", "the port is missing")]
    [InlineData("1.2.3.4:", "the port must be a number from 1 to 65535")]
    [InlineData("1.2.3.4:0", "the port must be a number from 1 to 65535")]
    [InlineData("1.2.3.4:65536", "the port must be a number from 1 to 65535")]
    [InlineData("1.2.3.4:+80", "the port must be a number from 1 to 65535")]
    [InlineData("1.2.3.4:99999999999", "the port must be a number from 1 to 65535")]
    [InlineData("::1:6881", "an IPv6 address must be in brackets")]
    [InlineData("[::1]", "an IPv6 address is written [address]:port")]
    [InlineData("[::1:6881", "an IPv6 address is written [address]:port")]
    [InlineData("[1.2.3.4]:6881", "'1.2.3.4' is not an IPv6 address")]
    [InlineData("[nonsense]:6881", "'nonsense' is not an IPv6 address")]
    [InlineData(":6881", "'' is not a host name or IPv4 address")]
    [InlineData("bad host:6881", "'bad host' is not a host name or IPv4 address")]
    [InlineData("a/b:6881", "'a/b' is not a host name or IPv4 address")]
    public void Malformed_peers_are_rejected(string peer, string fragment)
    {
        var error = ErrorOf($"magnet:?xt=urn:btih:{Hex}&x.pe={Uri.EscapeDataString(peer)}");
        Assert.Contains($"the peer x.pe='{peer}' is not host:port", error);
        Assert.Contains(fragment, error);
    }

    // ---- xl ----

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("123456789", 123456789L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    public void Exact_length_is_parsed(string value, long expected) =>
        Assert.Equal(expected, MagnetLink.Parse($"magnet:?xt=urn:btih:{Hex}&xl={value}").ExactLength);

    [Theory]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1.5")]
    [InlineData("1e6")]
    [InlineData(" 1")]
    [InlineData("")]
    [InlineData("9223372036854775808")]
    [InlineData("abc")]
    public void Bad_exact_length_is_rejected(string value) =>
        AssertRejected($"magnet:?xt=urn:btih:{Hex}&xl={Uri.EscapeDataString(value)}",
            $"xl (exact length) must be a non-negative whole number of bytes, not '{value}'");

    [Fact]
    public void Conflicting_exact_lengths_are_rejected_but_repeats_are_fine()
    {
        Assert.Equal(5, MagnetLink.Parse($"magnet:?xt=urn:btih:{Hex}&xl=5&xl=5").ExactLength);
        AssertRejected($"magnet:?xt=urn:btih:{Hex}&xl=5&xl=6", "two different exact lengths (xl=5 and xl=6)");
    }

    // ---- so (BEP 53) ----

    [Theory]
    [InlineData("0", new[] { 0 })]
    [InlineData("0,2,4-6", new[] { 0, 2, 4, 5, 6 })]
    [InlineData("6-8,1,7,3-3", new[] { 1, 3, 6, 7, 8 })]
    [InlineData("2147483646-2147483647", new[] { 2147483646, 2147483647 })]
    public void Selected_files_are_expanded_sorted_and_distinct(string value, int[] expected) =>
        Assert.Equal(expected, MagnetLink.Parse($"magnet:?xt=urn:btih:{Hex}&so={value}").SelectedFiles);

    [Fact]
    public void Several_so_parameters_are_merged()
    {
        var link = MagnetLink.Parse($"magnet:?xt=urn:btih:{Hex}&so=5&so=1-2&so.1=2");
        Assert.Equal([1, 2, 5], link.SelectedFiles);
    }

    [Theory]
    [InlineData("", "so (select only, BEP 53) is empty")]
    [InlineData("1,", "'' is not one")]
    [InlineData(",1", "'' is not one")]
    [InlineData("a", "'a' is not one")]
    [InlineData("-1", "'-1' is not one")]
    [InlineData("1-", "'1-' is not one")]
    [InlineData("1-2-3", "'1-2-3' is not one")]
    [InlineData("+1", "'+1' is not one")]
    [InlineData("1 ", "'1 ' is not one")]
    [InlineData("2147483648", "'2147483648' is not one")]
    [InlineData("5-3", "the range 5-3, which runs backwards")]
    public void Malformed_selection_is_rejected(string value, string fragment) =>
        AssertRejected($"magnet:?xt=urn:btih:{Hex}&so={Uri.EscapeDataString(value)}", fragment);

    [Theory]
    [InlineData("0-2147483647")]
    [InlineData("0-100000")] // 100,001 indices: one over the cap
    [InlineData("0-60000,60001-100000")]
    public void Huge_selection_is_rejected_without_allocating(string value)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        AssertRejected($"magnet:?xt=urn:btih:{Hex}&so={value}", "selects more than 100,000 files");
        // Expanding 2^31 indices would take 8 GiB; the error path stays far below even the cap's 400 KB list.
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 2_000_000);
    }

    [Fact]
    public void Selection_at_the_cap_is_accepted()
    {
        var link = MagnetLink.Parse($"magnet:?xt=urn:btih:{Hex}&so=0-{MagnetLink.MaxSelectedFiles - 1}");
        Assert.Equal(MagnetLink.MaxSelectedFiles, link.SelectedFiles.Count);
        Assert.Equal(MagnetLink.MaxSelectedFiles - 1, link.SelectedFiles[^1]);
        Assert.EndsWith($"&so=0-{MagnetLink.MaxSelectedFiles - 1}", link.ToUri());
    }

    [Fact]
    public void Repeated_small_ranges_count_towards_the_cap()
    {
        // Each range is tiny, but together they would expand past the cap even though few are distinct.
        var value = string.Join(",", Enumerable.Repeat("0-999", 101));
        AssertRejected($"magnet:?xt=urn:btih:{Hex}&so={value}", "selects more than 100,000 files");
    }

    // ---- input size ----

    [Fact]
    public void Input_over_64_KiB_is_rejected_quickly_with_a_short_message()
    {
        var uri = $"magnet:?xt=urn:btih:{Hex}&tr=" + new string('a', 1024 * 1024);
        var error = ErrorOf(uri);
        Assert.Contains($"it is {uri.Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} characters long; the limit is 65,536", error);
        Assert.True(error.Length < 300, error);
        Assert.StartsWith($"'magnet:?xt=urn:btih:{Hex}&tr=aaa", error);
        Assert.Contains("...' is not a valid magnet link", error);
    }

    [Fact]
    public void Input_of_exactly_the_limit_is_parsed()
    {
        var prefix = $"magnet:?xt=urn:btih:{Hex}&tr=http://t/";
        var uri = prefix + new string('a', MagnetLink.MaxLength - prefix.Length);
        Assert.Equal(MagnetLink.MaxLength, uri.Length);
        Assert.Equal("http://t/" + new string('a', MagnetLink.MaxLength - prefix.Length), Assert.Single(MagnetLink.Parse(uri).Trackers));
        AssertRejected(uri + "a", "the limit is 65,536");
    }

    [Fact]
    public void Long_bad_value_is_shortened_in_the_message()
    {
        var error = ErrorOf($"magnet:?xt=urn:btih:{new string('z', 5000)}");
        Assert.True(error.Length < 400, error);
    }

    // ---- writing ----

    [Fact]
    public void ToUri_writes_the_canonical_form()
    {
        var link = MagnetLink.Parse(
            $"magnet:?so=4-6,0,2&x.pe=[::1]:6881&ws=http://seed/a b&tr=udp://t:80/announce&tr=http://t2/a?x=1%26y=2&xl=42&dn=My+File+%C3%A9%26%3D%2B%23%25&xt=urn:btmh:1220{V2Hex}&xt=urn:btih:{Base32}");
        Assert.Equal(
            $"magnet:?xt=urn:btih:{Hex}&xt=urn:btmh:1220{V2Hex}&dn=My%20File%20%C3%A9%26%3D%2B%23%25&xl=42"
            + "&tr=udp://t:80/announce&tr=http://t2/a%3Fx%3D1%26y%3D2&ws=http://seed/a%20b&x.pe=[::1]:6881&so=0,2,4-6",
            link.ToUri());
        Assert.Equal(link.ToUri(), link.ToString());
    }

    [Fact]
    public void ToUri_encodes_non_ascii_names_as_utf8()
    {
        var link = new MagnetLink(InfoHash.Parse(Hex), null, "Ünïcødé 名前 🎉.iso", [], []);
        Assert.Equal($"magnet:?xt=urn:btih:{Hex}&dn=%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20%E5%90%8D%E5%89%8D%20%F0%9F%8E%89.iso", link.ToUri());
    }

    public static TheoryData<string> RoundTripLinks => new()
    {
        $"magnet:?xt=urn:btih:{Hex}",
        $"magnet:?xt=urn:btmh:1220{V2Hex}",
        $"magnet:?xt=urn:btih:{Base32}&xt=urn:btmh:1220{V2Hex}&dn=a+b%2Bc&tr=udp://x:1/&tr=http://y/?a=1%26b=2&ws=http://w/f%20g",
        $"magnet:?xt=urn:btih:{Hex}&dn=%F0%9F%8E%89%20%E5%90%8D%20~!*'();:@$,/?[]&xl=0&x.pe=1.2.3.4:5&x.pe=[fe80::1]:2&x.pe=h.example:3&so=0-3,7,9-10",
        $"magnet:?xt=urn:btih:{Hex}&dn=%25%26%3D%2B%23&so=2147483647",
    };

    [Theory]
    [MemberData(nameof(RoundTripLinks))]
    public void Parse_of_ToUri_gives_an_equal_link_and_the_same_uri(string uri)
    {
        var link = MagnetLink.Parse(uri);
        var canonical = link.ToUri();
        var again = MagnetLink.Parse(canonical);
        Assert.Equal(link.InfoHashV1, again.InfoHashV1);
        Assert.Equal(link.InfoHashV2, again.InfoHashV2);
        Assert.Equal(link.DisplayName, again.DisplayName);
        Assert.Equal(link.Trackers, again.Trackers);
        Assert.Equal(link.WebSeeds, again.WebSeeds);
        Assert.Equal(link.Peers, again.Peers);
        Assert.Equal(link.ExactLength, again.ExactLength);
        Assert.Equal(link.SelectedFiles, again.SelectedFiles);
        Assert.Equal(canonical, again.ToUri());
    }

    [Fact]
    public void Round_trip_of_every_printable_and_awkward_character_in_a_name()
    {
        var chars = Enumerable.Range(0x20, 0x5f).Select(c => (char)c).Concat("\t\n é€𝄞名".ToCharArray());
        var name = new string(chars.ToArray());
        var link = new MagnetLink(InfoHash.Parse(Hex), null, name, ["http://t/?a=b&c=d"], ["http://w/x y"]);
        var again = MagnetLink.Parse(link.ToUri());
        Assert.Equal(name, again.DisplayName);
        Assert.Equal(["http://t/?a=b&c=d"], again.Trackers);
        Assert.Equal(["http://w/x y"], again.WebSeeds);
    }

    // ---- construction ----

    [Fact]
    public void FromInfoHash_makes_a_minimal_link_for_v1_and_v2()
    {
        var v1 = MagnetLink.FromInfoHash(InfoHash.Parse(Hex));
        Assert.Equal($"magnet:?xt=urn:btih:{Hex}", v1.ToUri());
        Assert.Null(v1.InfoHashV2);

        var v2 = MagnetLink.FromInfoHash(InfoHash.Parse(V2Hex));
        Assert.Equal($"magnet:?xt=urn:btmh:1220{V2Hex}", v2.ToUri());
        Assert.Null(v2.InfoHashV1);

        Assert.Throws<ArgumentException>(() => MagnetLink.FromInfoHash(default));
    }

    [Fact]
    public void Internal_constructor_checks_its_hashes_and_deduplicates()
    {
        var v1 = InfoHash.Parse(Hex);
        var v2 = InfoHash.Parse(V2Hex);
        Assert.Throws<ArgumentException>(() => new MagnetLink(null, null, "x", [], []));
        Assert.Throws<ArgumentException>(() => new MagnetLink(v2, null, "x", [], []));
        Assert.Throws<ArgumentException>(() => new MagnetLink(null, v1, "x", [], []));
        Assert.Throws<ArgumentException>(() => new MagnetLink(default(InfoHash), null, "x", [], []));

        var link = new MagnetLink(v1, v2, "", ["a", "b", "a", ""], ["w", "w"]);
        Assert.Null(link.DisplayName);
        Assert.Equal(["a", "b"], link.Trackers);
        Assert.Equal(["w"], link.WebSeeds);
        Assert.Equal($"magnet:?xt=urn:btih:{Hex}&xt=urn:btmh:1220{V2Hex}&tr=a&tr=b&ws=w", link.ToUri());
    }

    [Fact]
    public void Lists_cannot_be_changed_through_the_public_interface()
    {
        var trackers = new List<string> { "http://a/" };
        var link = new MagnetLink(InfoHash.Parse(Hex), null, null, trackers, []);
        trackers.Add("http://b/");
        Assert.Equal(["http://a/"], link.Trackers);
        Assert.False(link.Trackers is List<string>);
    }
}
