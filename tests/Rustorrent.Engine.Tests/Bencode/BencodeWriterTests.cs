using System.Buffers;
using System.Text;
using Rustorrent.Bencode;
using static Rustorrent.Engine.Tests.Bencode.BencodeTestData;

namespace Rustorrent.Engine.Tests.Bencode;

public class BencodeWriterTests
{
    [Theory]
    [InlineData(0L, "i0e")]
    [InlineData(1L, "i1e")]
    [InlineData(-1L, "i-1e")]
    [InlineData(10L, "i10e")]
    [InlineData(long.MaxValue, "i9223372036854775807e")]
    [InlineData(long.MinValue, "i-9223372036854775808e")]
    public void Writes_integers_in_shortest_form(long value, string expected)
    {
        Assert.Equal(expected, Text(new BencodeInteger(value).Encode()));
        Assert.Equal(value, Parse(expected).Root.IntegerValue);
    }

    [Fact]
    public void Writes_byte_strings_with_their_byte_length()
    {
        Assert.Equal("0:", Text(((BencodeValue)"").Encode()));
        Assert.Equal("4:spam", Text(((BencodeValue)"spam").Encode()));
        // Length counts UTF-8 bytes, not characters.
        Assert.Equal("2:\u00c3\u00a9", Text(((BencodeValue)"é").Encode()));
        Assert.Equal("3:\0\u00ff\n", Text(((BencodeValue)new byte[] { 0, 0xff, 10 }).Encode()));

        var big = new byte[100_000];
        new Random(1).NextBytes(big);
        var encoded = new BencodeString(big).Encode();
        Assert.Equal("100000:", Text(encoded.AsSpan(0, 7)));
        Assert.True(encoded.AsSpan(7).SequenceEqual(big));
    }

    [Fact]
    public void Writes_lists_in_order()
    {
        var list = new BencodeList { "spam", 42, new BencodeList(), new BencodeDictionary(), -3 };
        Assert.Equal("l4:spami42eledei-3ee", Text(list.Encode()));
    }

    [Fact]
    public void Writes_dictionary_keys_sorted_as_raw_bytes()
    {
        var dictionary = new BencodeDictionary
        {
            ["z"] = 5,
            ["é"] = 6,      // C3 A9: after every ASCII key
            ["aa"] = 4,
            ["a"] = 3,
            ["Z"] = 2,      // 'Z' (0x5A) sorts before 'a' (0x61): byte order, not case-insensitive
            [new byte[] { 0 }] = 1,
            [""] = 0,       // the empty key sorts first
        };
        Assert.Equal("d0:i0e1:\0i1e1:Zi2e1:ai3e2:aai4e1:zi5e2:\u00c3\u00a9i6ee", Text(dictionary.Encode()));
    }

    [Fact]
    public void Key_order_is_utf8_byte_order_not_utf16_order()
    {
        // U+FFFD is EF BF BD in UTF-8 but 0xFFFD in UTF-16; U+10000 is F0 90 80 80 but D800 DC00.
        // Ordinal string order puts U+10000 first; canonical bencode (raw bytes) puts U+FFFD first.
        Assert.True(string.CompareOrdinal("\U00010000", "\uFFFD") < 0);
        var dictionary = new BencodeDictionary { ["\U00010000"] = 1, ["\uFFFD"] = 2 };
        var expected = "d3:" + Text("\uFFFD"u8) + "i2e4:" + Text(Encoding.UTF8.GetBytes("\U00010000")) + "i1ee";
        Assert.Equal(expected, Text(dictionary.Encode()));
    }

    [Fact]
    public void High_bytes_sort_as_unsigned()
    {
        var dictionary = new BencodeDictionary { [new byte[] { 0x80 }] = 1, [new byte[] { 0x7f }] = 2, [new byte[] { 0xff }] = 3 };
        Assert.Equal("d1:\u007fi2e1:\u0080i1e1:\u00ffi3ee", Text(dictionary.Encode()));
    }

    [Fact]
    public void Setting_a_key_twice_keeps_the_last_value_and_copies_the_key()
    {
        var key = new byte[] { (byte)'k' };
        var dictionary = new BencodeDictionary { [key] = 1 };
        dictionary[key] = 2;
        key[0] = (byte)'x';
        Assert.Equal(1, dictionary.Count);
        Assert.Equal("d1:ki2ee", Text(dictionary.Encode()));
        Assert.True(dictionary.TryGetValue("k", out var value));
        Assert.Equal(new BencodeInteger(2), value);
        Assert.False(dictionary.TryGetValue("x", out _));
    }

    [Fact]
    public void Nested_values_are_written_canonically()
    {
        var torrent = new BencodeDictionary
        {
            ["info"] = new BencodeDictionary
            {
                ["piece length"] = 16384,
                ["name"] = "a.txt",
                ["length"] = 5,
                ["pieces"] = new byte[20],
            },
            ["announce"] = "http://t/announce",
        };
        var expected = "d8:announce17:http://t/announce4:infod6:lengthi5e4:name5:a.txt12:piece lengthi16384e6:pieces20:"
            + new string('\0', 20) + "ee";
        Assert.Equal(expected, Text(torrent.Encode()));
    }

    [Fact]
    public void Round_trips_through_the_reader()
    {
        var value = new BencodeDictionary
        {
            ["list"] = new BencodeList { long.MinValue, long.MaxValue, "", new byte[] { 0xff } },
            ["dict"] = new BencodeDictionary { ["x"] = new BencodeList { new BencodeList { new BencodeDictionary() } } },
            ["名"] = "値",
        };
        var encoded = value.Encode();
        var parsed = BencodeDocument.Parse(encoded).Root;
        Assert.Equal(value, parsed.ToValue());
        Assert.Equal(encoded, parsed.ToValue().Encode());
        Assert.True(IsCanonical(parsed));
    }

    [Fact]
    public void Writes_into_any_buffer_writer()
    {
        var output = new ArrayBufferWriter<byte>(1);
        BencodeWriter.Write(new BencodeList { "ab", 1 }, output);
        BencodeWriter.WriteInteger(-7, output);
        BencodeWriter.WriteString("xyz"u8, output);
        Assert.Equal("l2:abi1eei-7e3:xyz", Text(output.WrittenSpan));
    }

    [Fact]
    public void Nesting_up_to_the_ceiling_is_written_and_beyond_it_is_refused()
    {
        var ceiling = BencodeReaderOptions.DepthCeiling;
        BencodeValue value = new BencodeInteger(1);
        for (var i = 0; i < ceiling; i++)
            value = new BencodeList { value };
        Assert.Equal(new string('l', ceiling) + "i1e" + new string('e', ceiling), Text(value.Encode()));

        var error = Assert.Throws<InvalidOperationException>(() => new BencodeList { value }.Encode());
        Assert.Contains($"nested more than {ceiling} deep", error.Message);
    }

    [Fact]
    public void Unknown_value_types_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new BencodeList { new StrangeValue() }.Encode());
        Assert.Contains(nameof(StrangeValue), error.Message);
    }

    [Fact]
    public void Model_equality_is_by_value()
    {
        Assert.Equal(new BencodeInteger(1), (BencodeValue)1);
        Assert.NotEqual<BencodeValue>(new BencodeInteger(1), new BencodeString("1"));
        Assert.Equal<BencodeValue>(new BencodeString("a"), new BencodeString("a"u8));
        Assert.True(new BencodeList { 1, 2 }.Equals(new BencodeList { 1, 2 }));
        Assert.False(new BencodeList { 1, 2 }.Equals(new BencodeList { 2, 1 }));
        Assert.False(new BencodeList { 1 }.Equals(new BencodeList { 1, 1 }));
        Assert.False(new BencodeList().Equals(new BencodeDictionary()));
        Assert.Equal<BencodeValue>(new BencodeDictionary { ["a"] = 1, ["b"] = 2 }, new BencodeDictionary { ["b"] = 2, ["a"] = 1 });
        Assert.NotEqual<BencodeValue>(new BencodeDictionary { ["a"] = 1 }, new BencodeDictionary { ["a"] = 2 });
        Assert.NotEqual<BencodeValue>(new BencodeDictionary { ["a"] = 1 }, new BencodeDictionary { ["b"] = 1 });
        Assert.Equal(new BencodeString("x").GetHashCode(), new BencodeString("x").GetHashCode());
    }

    private sealed class StrangeValue : BencodeValue
    {
        public override BencodeKind Kind => BencodeKind.Integer;

        public override bool Equals(BencodeValue? other) => ReferenceEquals(this, other);

        public override int GetHashCode() => 0;
    }
}
