using Rustorrent.Metainfo;

namespace Rustorrent.Engine.Tests.Metainfo;

public class InfoHashTests
{
    // Vectors: base32 computed independently with Python's base64.b32encode.
    [Theory]
    [InlineData("dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c", "3WBFL3G4PSSV7MF37AJSHWDQMLNR63I4")]
    [InlineData("0123456789abcdef0123456789abcdef01234567", "AERUKZ4JVPG66AJDIVTYTK6N54ASGRLH")]
    [InlineData("ffffffffffffffffffffffffffffffffffffffff", "77777777777777777777777777777777")]
    [InlineData("0000000000000000000000000000000000000000", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Hex_and_base32_are_the_same_v1_hash(string hex, string base32)
    {
        var fromHex = InfoHash.Parse(hex);
        var fromBase32 = InfoHash.Parse(base32);
        Assert.Equal(fromHex, fromBase32);
        Assert.True(fromHex == fromBase32);
        Assert.Equal(fromHex.GetHashCode(), fromBase32.GetHashCode());
        Assert.Equal(Convert.FromHexString(hex), fromBase32.Span.ToArray());
        Assert.Equal(hex, fromBase32.ToHex());
        Assert.Equal(base32, fromHex.ToBase32());
        Assert.Equal(InfoHashVersion.V1, fromHex.Version);
        Assert.Equal(InfoHash.Parse(base32.ToLowerInvariant()), fromHex);
        Assert.Equal(InfoHash.Parse(hex.ToUpperInvariant()), fromHex);
    }

    [Fact]
    public void V2_hash_is_64_hex_and_truncates_to_20_bytes()
    {
        const string hex = "eed0e98d16bc4f8c553705c16a6b50d77ea3c82009dd5ed4d5a0f849b27e512c";
        var hash = InfoHash.Parse(hex);
        Assert.Equal(InfoHashVersion.V2, hash.Version);
        Assert.Equal(32, hash.Span.Length);
        Assert.Equal(hex, hash.ToHex());
        Assert.Equal(hex, hash.ToString());
        Assert.Equal(Convert.FromHexString(hex)[..20], hash.Truncated.ToArray());
        // base32 of all 32 bytes, unpadded (Python: 53IOTDIWXRHYYVJXAXAWU22Q257KHSBABHOV5VGVUD4ETMT6KEWA====).
        Assert.Equal("53IOTDIWXRHYYVJXAXAWU22Q257KHSBABHOV5VGVUD4ETMT6KEWA", hash.ToBase32());
    }

    [Fact]
    public void V1_truncated_is_the_whole_hash()
    {
        var hash = InfoHash.Parse("dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c");
        Assert.True(hash.Truncated.SequenceEqual(hash.Span));
    }

    [Fact]
    public void V1_and_v2_with_the_same_prefix_differ()
    {
        var v2 = InfoHash.Parse("eed0e98d16bc4f8c553705c16a6b50d77ea3c82009dd5ed4d5a0f849b27e512c");
        var v1 = new InfoHash(v2.Truncated);
        Assert.NotEqual(v1, v2);
        Assert.True(v1 != v2);
    }

    [Fact]
    public void Default_is_empty()
    {
        InfoHash empty = default;
        Assert.True(empty.IsEmpty);
        Assert.Equal(0, empty.Span.Length);
        Assert.Equal(0, empty.Truncated.Length);
        Assert.Equal("", empty.ToHex());
        Assert.Equal("", empty.ToBase32());
        Assert.Equal(0, empty.GetHashCode());
        Assert.Equal(default, empty);
        Assert.NotEqual(InfoHash.Parse("dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c"), empty);
    }

    [Fact]
    public void Constructor_copies_and_checks_length()
    {
        var bytes = new byte[20];
        bytes[0] = 7;
        var hash = new InfoHash(bytes);
        bytes[0] = 8;
        Assert.Equal(7, hash.Span[0]);
        var error = Assert.Throws<ArgumentException>(() => new InfoHash(new byte[19]));
        Assert.Contains("not 19", error.Message);
    }

    [Fact]
    public void Equality_works_through_object_and_hash_sets()
    {
        var a = InfoHash.Parse("dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c");
        object b = InfoHash.Parse("3WBFL3G4PSSV7MF37AJSHWDQMLNR63I4");
        Assert.True(a.Equals(b));
        Assert.False(a.Equals("dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c"));
        Assert.Single(new HashSet<InfoHash> { a, (InfoHash)b });
    }

    [Fact]
    public void Surrounding_white_space_is_ignored()
    {
        Assert.True(InfoHash.TryParse("  dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c\t", out var hash));
        Assert.Equal("dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c", hash.ToHex());
    }

    [Theory]
    [InlineData("dd8255ecdc7ca55fb0bbf81323d87062db1f6d1z", "is 40 characters long but is not hexadecimal")]
    [InlineData("eed0e98d16bc4f8c553705c16a6b50d77ea3c82009dd5ed4d5a0f849b27e512g", "is 64 characters long but is not hexadecimal")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF", "is 32 characters long but is not base32 (A-Z, 2-7)")] // 32 hex is not a hash
    [InlineData("3WBFL3G4PSSV7MF37AJSHWDQMLNR63I=", "is 32 characters long but is not base32 (A-Z, 2-7)")]
    [InlineData("dd8255ecdc7ca55fb0bbf81323d87062db1f6d1", "is not an info hash: expected 40 hexadecimal or 32 base32 characters (v1), or 64 hexadecimal characters (v2)")]
    [InlineData("", "is not an info hash")]
    [InlineData("dd82 55ecdc7ca55fb0bbf81323d87062db1f6d1c", "is not an info hash")]
    public void Bad_text_is_rejected_with_a_clear_error(string text, string fragment)
    {
        Assert.False(InfoHash.TryParse(text, out var hash, out var error));
        Assert.True(hash.IsEmpty);
        Assert.StartsWith($"'{text}' ", error);
        Assert.Contains(fragment, error);
        Assert.False(InfoHash.TryParse(text, out _));
        Assert.False(InfoHash.LooksLikeInfoHash(text));
        Assert.Equal(error, Assert.Throws<FormatException>(() => InfoHash.Parse(text)).Message);
    }

    [Fact]
    public void Null_is_not_a_hash()
    {
        Assert.False(InfoHash.TryParse(null, out _, out var error));
        Assert.Contains("is not an info hash", error);
        Assert.False(InfoHash.LooksLikeInfoHash(null));
    }

    [Fact]
    public void Huge_input_gives_a_short_error()
    {
        var text = new string('x', 1_000_000);
        Assert.False(InfoHash.TryParse(text, out _, out var error));
        Assert.True(error.Length < 400, $"error is {error.Length} characters");
        Assert.Contains("1,000,000 characters", error);
    }

    [Fact]
    public void Every_byte_value_survives_both_text_forms()
    {
        // 20 bytes at a time walk all 256 values, so every nibble and every 5-bit group position is exercised.
        for (var start = 0; start < 256; start += 20)
        {
            var bytes = Enumerable.Range(start, 20).Select(i => (byte)(i * 37 + 11)).ToArray();
            var hash = new InfoHash(bytes);
            Assert.Equal(hash, InfoHash.Parse(hash.ToHex()));
            Assert.Equal(hash, InfoHash.Parse(hash.ToBase32()));
            Assert.Equal(Convert.ToHexString(bytes).ToLowerInvariant(), hash.ToHex());
        }
    }
}
