using System.Diagnostics;
using System.Runtime.CompilerServices;
using Rustorrent.Bencode;
using static Rustorrent.Engine.Tests.Bencode.BencodeTestData;

namespace Rustorrent.Engine.Tests.Bencode;

public class BencodeDocumentTests
{
    // ---- integers ----

    [Theory]
    [InlineData("i0e", 0L)]
    [InlineData("i1e", 1L)]
    [InlineData("i-1e", -1L)]
    [InlineData("i42e", 42L)]
    [InlineData("i-42e", -42L)]
    [InlineData("i10e", 10L)]
    [InlineData("i9223372036854775807e", long.MaxValue)]
    [InlineData("i-9223372036854775808e", long.MinValue)]
    [InlineData("i-9223372036854775807e", long.MinValue + 1)]
    [InlineData("i922337203685477580e", 922337203685477580L)]
    public void Parses_integers(string input, long expected)
    {
        var root = Parse(input).Root;
        Assert.Equal(BencodeKind.Integer, root.Kind);
        Assert.True(root.IsInteger);
        Assert.Equal(expected, root.IntegerValue);
        Assert.Equal(0, root.Offset);
        Assert.Equal(input, Text(root.RawSpan));
        Assert.Equal(0, root.Count);
    }

    [Theory]
    [InlineData("i9223372036854775808e", 0, "the integer does not fit in 64 bits")]
    [InlineData("i-9223372036854775809e", 0, "the integer does not fit in 64 bits")]
    [InlineData("i99999999999999999999e", 0, "the integer does not fit in 64 bits")]
    [InlineData("i-99999999999999999999e", 0, "the integer does not fit in 64 bits")]
    [InlineData("i18446744073709551616e", 0, "the integer does not fit in 64 bits")]
    [InlineData("li1ei92233720368547758070ee", 4, "the integer does not fit in 64 bits")]
    [InlineData("i00e", 1, "an integer must not have a leading zero")]
    [InlineData("i01e", 1, "an integer must not have a leading zero")]
    [InlineData("i-01e", 2, "an integer must not have a leading zero")]
    [InlineData("i-0e", 0, "negative zero (i-0e) is not a valid integer")]
    [InlineData("ie", 1, "the integer that starts at byte 0 has no digits")]
    [InlineData("i-e", 2, "the integer that starts at byte 0 has no digits")]
    [InlineData("i+1e", 1, "the integer that starts at byte 0 has no digits")]
    [InlineData("i--1e", 2, "the integer that starts at byte 0 has no digits")]
    [InlineData("i e", 1, "the integer that starts at byte 0 has no digits")]
    [InlineData("i", 1, "unexpected end of data in the integer that starts at byte 0")]
    [InlineData("i-", 2, "unexpected end of data in the integer that starts at byte 0")]
    [InlineData("i12", 3, "unexpected end of data in the integer that starts at byte 0")]
    [InlineData("i-12", 4, "unexpected end of data in the integer that starts at byte 0")]
    [InlineData("i12x", 3, "expected 'e' to end the integer that starts at byte 0 but found 'x'")]
    [InlineData("i1.5e", 2, "expected 'e' to end the integer that starts at byte 0 but found '.'")]
    [InlineData("i1\0e", 2, "expected 'e' to end the integer that starts at byte 0 but found byte 0x00")]
    [InlineData("li1ei2", 6, "unexpected end of data in the integer that starts at byte 4")]
    public void Rejects_bad_integers(string input, long offset, string reason)
    {
        var error = ParseFails(input);
        Assert.Equal(offset, error.Offset);
        Assert.Equal(reason, error.Reason);
    }

    [Fact]
    public void Integer_with_a_million_digits_fails_at_the_overflow()
    {
        var input = "i" + new string('9', 1_000_000) + "e";
        var error = ParseFails(input);
        Assert.Equal("the integer does not fit in 64 bits", error.Reason);
    }

    // ---- byte strings ----

    [Theory]
    [InlineData("0:", "")]
    [InlineData("1:a", "a")]
    [InlineData("4:spam", "spam")]
    [InlineData("10:0123456789", "0123456789")]
    [InlineData("3:i1e", "i1e")]
    [InlineData("2:\0\u00ff", "\0\u00ff")]
    [InlineData("5:d1:ae", "d1:ae")]
    public void Parses_byte_strings(string input, string expected)
    {
        var root = Parse(input).Root;
        Assert.True(root.IsString);
        Assert.Equal(expected, Text(root.StringSpan));
        Assert.Equal(expected, Text(root.StringMemory.Span));
        Assert.Equal(expected.Length, root.Count);
        Assert.Equal(input, Text(root.RawSpan));
        Assert.Equal(input, Text(root.RawMemory.Span));
        Assert.True(root.StringEquals(Bytes(expected)));
    }

    [Fact]
    public void String_content_is_a_view_of_the_source_not_a_copy()
    {
        var data = Bytes("4:spam");
        var root = BencodeDocument.Parse(data).Root;
        data[2] = (byte)'S';
        Assert.Equal("Spam", Text(root.StringSpan));
    }

    [Fact]
    public void Utf8_strings_decode_and_invalid_bytes_become_replacement_characters()
    {
        Assert.Equal("é名", BencodeDocument.Parse("5:é名"u8.ToArray()).Root.GetUtf8String());
        Assert.Equal("a\uFFFDb", Parse("3:a\u00ffb").Root.GetUtf8String());
    }

    [Theory]
    [InlineData("99999999999:", 0, "a byte string claims 99,999,999,999 bytes but only 0 remain")]
    [InlineData("5:abcd", 0, "a byte string claims 5 bytes but only 4 remain")]
    [InlineData("l5:abcd", 1, "a byte string claims 5 bytes but only 4 remain")]
    [InlineData("999999999999999999:x", 0, "a byte string claims 999,999,999,999,999,999 bytes but only 1 remain")]
    [InlineData("9999999999999999999:x", 0, "a byte string length has too many digits")]
    [InlineData("00:", 0, "a byte string length must not have a leading zero")]
    [InlineData("01:a", 0, "a byte string length must not have a leading zero")]
    [InlineData("1", 1, "unexpected end of data in the byte string length that starts at byte 0")]
    [InlineData("12", 2, "unexpected end of data in the byte string length that starts at byte 0")]
    [InlineData("1x", 1, "expected ':' after the byte string length but found 'x'")]
    [InlineData("1-:a", 1, "expected ':' after the byte string length but found '-'")]
    [InlineData("li1e3", 5, "unexpected end of data in the byte string length that starts at byte 4")]
    public void Rejects_bad_byte_strings(string input, long offset, string reason)
    {
        var error = ParseFails(input);
        Assert.Equal(offset, error.Offset);
        Assert.Equal(reason, error.Reason);
    }

    [Fact]
    public void Numbers_in_reasons_read_the_same_in_every_culture()
    {
        // A session whose culture groups digits with '.' (German) must still get "99,999,999,999", not "99.999.999.999".
        using var german = GroupingCulture.Enter();
        Assert.Equal("a byte string claims 99,999,999,999 bytes but only 0 remain", ParseFails("99999999999:").Reason);
        var limit = ParseFails("l" + string.Concat(Enumerable.Repeat("i0e", 1_000)) + "e", new BencodeReaderOptions { MaxTokens = 1_000 });
        Assert.Equal("more than 1,000 values in one document", limit.Reason);
    }

    [Fact]
    public void Huge_claimed_length_fails_fast_without_allocating_it()
    {
        var data = Bytes("99999999999:" + new string('x', 100));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = ParseFails(data);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, error.Offset);
        Assert.Contains("claims", error.Reason);
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");
    }

    // ---- lists ----

    [Fact]
    public void Parses_lists_with_exact_raw_ranges()
    {
        const string input = "l4:spami42eli-1ee0:dee2:xx";
        var document = BencodeDocument.ParsePrefix(Bytes(input), out var consumed);
        Assert.Equal(input.Length - 4, consumed);
        var root = document.Root;
        Assert.True(root.IsList);
        Assert.Equal(5, root.Count);
        Assert.Equal(input[..^4], Text(root.RawSpan));

        var items = new List<BencodeNode>();
        foreach (var item in root.Items)
            items.Add(item);
        Assert.Equal([BencodeKind.String, BencodeKind.Integer, BencodeKind.List, BencodeKind.String, BencodeKind.Dictionary], items.Select(i => i.Kind));
        Assert.Equal([1, 7, 11, 17, 19], items.Select(i => i.Offset));
        Assert.Equal(["4:spam", "i42e", "li-1ee", "0:", "de"], items.Select(i => Text(i.RawSpan)));
        Assert.Equal("spam", Text(items[0].StringSpan));
        Assert.Equal(42, items[1].IntegerValue);
        Assert.Equal(1, items[2].Count);
        Assert.Equal(0, items[3].Count);
        Assert.Equal(0, items[4].Count);
        Assert.Equal(7, document.TokenCount);
    }

    [Fact]
    public void Empty_and_nested_empty_lists()
    {
        Assert.Equal(0, Parse("le").Root.Count);
        var root = Parse("llleee").Root;
        Assert.Equal(1, root.Count);
        foreach (var inner in root.Items)
        {
            Assert.Equal("llee", Text(inner.RawSpan));
            Assert.Equal(1, inner.Offset);
        }
    }

    [Theory]
    [InlineData("l", 1, "unexpected end of data inside the list that starts at byte 0")]
    [InlineData("li1e", 4, "unexpected end of data inside the list that starts at byte 0")]
    [InlineData("lli1ee", 6, "unexpected end of data inside the list that starts at byte 0")]
    [InlineData("lli1e", 5, "unexpected end of data inside the list that starts at byte 1")]
    [InlineData("lx", 1, "expected a value (i, l, d or a string length) but found 'x'")]
    [InlineData("l-1e", 1, "expected a value (i, l, d or a string length) but found '-'")]
    [InlineData("l\u0080", 1, "expected a value (i, l, d or a string length) but found byte 0x80")]
    public void Rejects_bad_lists(string input, long offset, string reason)
    {
        var error = ParseFails(input);
        Assert.Equal(offset, error.Offset);
        Assert.Equal(reason, error.Reason);
    }

    // ---- dictionaries ----

    [Fact]
    public void Parses_dictionaries_with_exact_raw_ranges_and_lookups()
    {
        const string input = "d3:bar4:spam3:fooi42e4:infod6:lengthi5e4:name1:aee";
        var root = Parse(input).Root;
        Assert.True(root.IsDictionary);
        Assert.Equal(3, root.Count);

        var keys = new List<string>();
        var raws = new List<string>();
        foreach (var (key, value) in root.Entries)
        {
            keys.Add(key.GetUtf8String());
            raws.Add(Text(value.RawSpan));
        }
        Assert.Equal(["bar", "foo", "info"], keys);
        Assert.Equal(["4:spam", "i42e", "d6:lengthi5e4:name1:ae"], raws);

        Assert.True(root.TryGetValue("info"u8, out var info));
        Assert.Equal(input.IndexOf("d6:", StringComparison.Ordinal), info.Offset);
        Assert.Equal("d6:lengthi5e4:name1:ae", Text(info.RawSpan));
        Assert.True(info.TryGetValue("length"u8, out var length));
        Assert.Equal(5, length.IntegerValue);
        Assert.True(info.TryGetValue("name"u8, out var name));
        Assert.Equal("a", name.GetUtf8String());
        Assert.False(root.TryGetValue("missing"u8, out _));
        Assert.False(root.TryGetValue("fo"u8, out _));
        Assert.False(root.TryGetValue("spam"u8, out _)); // a value is not a key
    }

    [Fact]
    public void Unsorted_and_duplicate_keys_are_accepted_as_parsed()
    {
        var root = Parse("d1:bi1e1:ai2e1:bi3ee").Root;
        Assert.Equal(3, root.Count);
        var entries = new List<(string, long)>();
        foreach (var (key, value) in root.Entries)
            entries.Add((key.GetUtf8String(), value.IntegerValue));
        Assert.Equal([("b", 1L), ("a", 2L), ("b", 3L)], entries);
        // Lookup finds the first match, as written.
        Assert.True(root.TryGetValue("b"u8, out var b));
        Assert.Equal(1, b.IntegerValue);
        // The model keeps one value per key (the last) and sorts the keys.
        Assert.Equal("d1:ai2e1:bi3ee", Text(root.ToValue().Encode()));
    }

    [Theory]
    [InlineData("di1ei2ee", 1, "a dictionary key must be a byte string, found 'i'")]
    [InlineData("dlei1ee", 1, "a dictionary key must be a byte string, found 'l'")]
    [InlineData("ddei1ee", 1, "a dictionary key must be a byte string, found 'd'")]
    [InlineData("d1:ai1ei2ei3ee", 7, "a dictionary key must be a byte string, found 'i'")]
    [InlineData("d1:ae", 4, "the dictionary that starts at byte 0 ends after a key with no value")]
    [InlineData("d1:ai1e1:be", 10, "the dictionary that starts at byte 0 ends after a key with no value")]
    [InlineData("ld1:ae", 5, "the dictionary that starts at byte 1 ends after a key with no value")]
    [InlineData("d", 1, "unexpected end of data inside the dictionary that starts at byte 0")]
    [InlineData("d1:a", 4, "unexpected end of data inside the dictionary that starts at byte 0")]
    [InlineData("d1:ai1e", 7, "unexpected end of data inside the dictionary that starts at byte 0")]
    [InlineData("d\u00ff", 1, "a dictionary key must be a byte string, found byte 0xff")]
    public void Rejects_bad_dictionaries(string input, long offset, string reason)
    {
        var error = ParseFails(input);
        Assert.Equal(offset, error.Offset);
        Assert.Equal(reason, error.Reason);
    }

    [Fact]
    public void Exact_raw_ranges_of_deeply_nested_values()
    {
        const string input = "d1:ald1:bli1ei2ee1:c0:ee1:d4:abcde";
        var root = Parse(input).Root;
        Assert.True(root.TryGetValue("a"u8, out var a));
        Assert.Equal(4, a.Offset);
        Assert.Equal("ld1:bli1ei2ee1:c0:ee", Text(a.RawSpan));
        foreach (var dict in a.Items)
        {
            Assert.Equal("d1:bli1ei2ee1:c0:e", Text(dict.RawSpan));
            Assert.True(dict.TryGetValue("b"u8, out var b));
            Assert.Equal("li1ei2ee", Text(b.RawSpan));
            Assert.Equal(input.IndexOf("li1e", StringComparison.Ordinal), b.Offset);
            var values = new List<long>();
            foreach (var item in b.Items)
                values.Add(item.IntegerValue);
            Assert.Equal([1L, 2L], values);
            Assert.True(dict.TryGetValue("c"u8, out var c));
            Assert.Equal("0:", Text(c.RawSpan));
            Assert.Equal(0, c.StringSpan.Length);
        }
        Assert.True(root.TryGetValue("d"u8, out var d));
        Assert.Equal("abcd", Text(d.StringSpan));
        Assert.Equal(input.Length - 7, d.Offset);
        Assert.True(root.RawMemory.Span.SequenceEqual(Bytes(input)));
    }

    // ---- whole documents ----

    [Fact]
    public void Empty_input_is_rejected()
    {
        var error = ParseFails([]);
        Assert.Equal(0, error.Offset);
        Assert.Equal("the input is empty", error.Reason);
        Assert.Throws<BencodeException>(() => BencodeDocument.ParsePrefix(ReadOnlyMemory<byte>.Empty, out _));
    }

    [Theory]
    [InlineData("e", "expected a value (i, l, d or a string length) but found 'e'")]
    [InlineData(":", "expected a value (i, l, d or a string length) but found ':'")]
    [InlineData(" i1e", "expected a value (i, l, d or a string length) but found ' '")]
    [InlineData("-1:", "expected a value (i, l, d or a string length) but found '-'")]
    public void Rejects_input_that_does_not_start_a_value(string input, string reason)
    {
        var error = ParseFails(input);
        Assert.Equal(0, error.Offset);
        Assert.Equal(reason, error.Reason);
    }

    [Theory]
    [InlineData("i1ei2e", 3, "3 bytes of trailing data after the end of the value")]
    [InlineData("lee", 2, "1 bytes of trailing data after the end of the value")]
    [InlineData("4:spam\n", 6, "1 bytes of trailing data after the end of the value")]
    [InlineData("dee", 2, "1 bytes of trailing data after the end of the value")]
    public void Parse_rejects_trailing_data(string input, long offset, string reason)
    {
        var error = ParseFails(input);
        Assert.Equal(offset, error.Offset);
        Assert.Equal(reason, error.Reason);
    }

    [Fact]
    public void ParsePrefix_reports_what_it_consumed_and_leaves_the_rest()
    {
        // A ut_metadata "data" message: a dictionary, then the raw piece (BEP 9).
        var data = Bytes("d8:msg_typei1e5:piecei0e10:total_sizei3ee" + "\u0001\u0002\u0003");
        var document = BencodeDocument.ParsePrefix(data, out var consumed);
        Assert.Equal(data.Length - 3, consumed);
        Assert.Equal(3, document.Root.Count);
        Assert.Equal(data.AsMemory(0, consumed).ToArray(), document.Root.RawSpan.ToArray());
        Assert.True(document.Source.Span.SequenceEqual(data));

        BencodeDocument.ParsePrefix(Bytes("i7e"), out consumed);
        Assert.Equal(3, consumed);
        BencodeDocument.ParsePrefix(Bytes("0:0:0:"), out consumed);
        Assert.Equal(2, consumed);
    }

    [Fact]
    public void ParsePrefix_still_reports_errors_in_the_value()
    {
        var error = Assert.Throws<BencodeException>(() => BencodeDocument.ParsePrefix(Bytes("li1e"), out _));
        Assert.Equal(4, error.Offset);
    }

    [Fact]
    public void Parses_a_slice_of_a_larger_buffer_with_offsets_relative_to_the_slice()
    {
        var buffer = Bytes("XXXXd1:ai1ee");
        var document = BencodeDocument.Parse(buffer.AsMemory(4));
        Assert.True(document.Root.TryGetValue("a"u8, out var a));
        Assert.Equal(4, a.Offset);
        Assert.Equal("i1e", Text(a.RawSpan));
    }

    // ---- limits ----

    [Fact]
    public void Depth_of_100_is_accepted_and_101_is_rejected()
    {
        var ok = Parse(new string('l', 100) + new string('e', 100)).Root;
        Assert.Equal(1, ok.Count);
        var mixed = Parse(string.Concat(Enumerable.Repeat("d1:k", 50)) + new string('l', 50) + new string('e', 100)).Root;
        Assert.True(mixed.IsDictionary);

        var error = ParseFails(new string('l', 101) + new string('e', 101));
        Assert.Equal(100, error.Offset);
        Assert.Equal("lists and dictionaries are nested more than 100 deep", error.Reason);

        error = ParseFails(string.Concat(Enumerable.Repeat("d1:k", 101)) + new string('e', 101));
        Assert.Equal(400, error.Offset);
    }

    [Fact]
    public void A_million_nested_lists_fail_fast_without_overflowing_the_stack()
    {
        var data = new byte[1_000_000];
        data.AsSpan().Fill((byte)'l');
        var watch = Stopwatch.StartNew();
        var error = ParseFails(data);
        Assert.Equal(100, error.Offset);
        Assert.Contains("nested more than 100 deep", error.Reason);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Custom_depth_limits_are_honoured_up_to_the_ceiling()
    {
        var options = new BencodeReaderOptions { MaxDepth = 2 };
        Parse("llee", options);
        Assert.Equal(2, ParseFails("llleee", options).Offset);

        Assert.Equal(0, ParseFails("le", new BencodeReaderOptions { MaxDepth = 0 }).Offset);
        Parse("i1e", new BencodeReaderOptions { MaxDepth = 0 });

        // Beyond the ceiling the ceiling wins: ToValue, equality and the writer recurse per level.
        var huge = new BencodeReaderOptions { MaxDepth = int.MaxValue };
        var ceiling = BencodeReaderOptions.DepthCeiling;
        var deepest = new string('l', ceiling) + new string('e', ceiling);
        var value = Parse(deepest, huge).Root.ToValue();
        Assert.Equal(deepest, Text(value.Encode()));
        var error = ParseFails(new string('l', 5000), huge);
        Assert.Equal(ceiling, error.Offset);
        Assert.Equal($"lists and dictionaries are nested more than {ceiling} deep", error.Reason);
    }

    [Fact]
    public void Token_limit_is_enforced()
    {
        var options = new BencodeReaderOptions { MaxTokens = 3 };
        Assert.Equal(3, Parse("li1ei2ee", options).TokenCount);
        var error = ParseFails("li1ei2ei3ee", options);
        Assert.Equal(7, error.Offset);
        Assert.Equal("more than 3 values in one document", error.Reason);
    }

    [Fact]
    public void Default_token_limit_stops_a_flood_of_tiny_values()
    {
        // 2,000,001 empty strings in a list: 1 + 2,000,001 tokens, one over the default limit.
        var data = new byte[2 + 2 * 2_000_001];
        data[0] = (byte)'l';
        for (var i = 1; i < data.Length - 1; i += 2)
        {
            data[i] = (byte)'0';
            data[i + 1] = (byte)':';
        }
        data[^1] = (byte)'e';
        var error = ParseFails(data);
        Assert.Equal(1 + 2 * 1_999_999, error.Offset);
        Assert.Equal("more than 2,000,000 values in one document", error.Reason);
    }

    [Fact]
    public void Many_values_grow_the_token_table()
    {
        // Far more values than the initial table of 4096 tokens.
        var items = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"i{i}e"));
        var root = Parse("l" + items + "e").Root;
        Assert.Equal(20_000, root.Count);
        long sum = 0;
        foreach (var item in root.Items)
            sum += item.IntegerValue;
        Assert.Equal(19_999L * 20_000 / 2, sum);
    }

    [Fact]
    public void A_flood_of_empty_strings_gets_a_token_table_of_its_own_size()
    {
        // 2 MiB of "0:" in a list: every two bytes a value, the densest input there is. The table must grow
        // to what the input can hold and no further, not double past it.
        const int strings = (1 << 20) - 1;
        var data = new byte[2 + 2 * strings];
        data[0] = (byte)'l';
        for (var i = 1; i < data.Length - 1; i += 2)
        {
            data[i] = (byte)'0';
            data[i + 1] = (byte)':';
        }
        data[^1] = (byte)'e';

        var before = GC.GetAllocatedBytesForCurrentThread();
        var document = BencodeDocument.Parse(data);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(strings + 1, document.TokenCount);
        Assert.Equal(strings, document.Root.Count);
        // The final table (tokens + 1) and the first one of 4096 tokens, plus small change.
        var tokenSize = Unsafe.SizeOf<BencodeToken>();
        Assert.True(allocated <= (strings + 2 + 4096L) * tokenSize + 16 * 1024, $"allocated {allocated:N0} bytes for {document.TokenCount:N0} tokens of {tokenSize} bytes");
    }

    [Fact]
    public void A_torrent_sized_file_list_needs_one_table_resize()
    {
        // 20,000 files as a .torrent lists them, about 1.4 MB: the table is sized from the first 4096 tokens,
        // so it is allocated about once (old doubling from 4096 allocated nearly three times the tokens).
        var random = new Random(7);
        var files = new BencodeList();
        for (var i = 0; i < 20_000; i++)
        {
            files.Add(new BencodeDictionary
            {
                ["length"] = random.Next(0, 200_000),
                ["path"] = new BencodeList { $"folder {i % 37}", $"sub {i % 11}", $"file {i:D5} {random.Next():x8}.bin" },
            });
        }
        var data = new BencodeDictionary { ["info"] = new BencodeDictionary { ["files"] = files, ["name"] = "many" } }.Encode();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var document = BencodeDocument.Parse(data);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(7 + 20_000 * 8, document.TokenCount);
        var tokenSize = Unsafe.SizeOf<BencodeToken>();
        Assert.True(allocated <= (long)(document.TokenCount * 1.25 + 4096) * tokenSize + 16 * 1024,
            $"allocated {allocated:N0} bytes for {document.TokenCount:N0} tokens of {tokenSize} bytes");
    }

    [Fact]
    public void A_few_values_around_a_long_string_get_a_small_token_table()
    {
        // A single-file .torrent is mostly its "pieces" string: its size says nothing about its token count.
        var data = new BencodeDictionary
        {
            ["info"] = new BencodeDictionary { ["length"] = 1L << 40, ["name"] = "big", ["pieces"] = new byte[4 << 20] },
        }.Encode();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var document = BencodeDocument.Parse(data);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(9, document.TokenCount);
        Assert.True(allocated <= 4096L * Unsafe.SizeOf<BencodeToken>() + 16 * 1024, $"allocated {allocated:N0} bytes");
    }

    // ---- the node API ----

    [Fact]
    public void Asking_a_node_for_the_wrong_kind_names_both_kinds_and_the_offset()
    {
        var root = Parse("li1e4:spame").Root;
        var error = Assert.Throws<InvalidOperationException>(() => root.IntegerValue);
        Assert.Equal("The value at byte 0 is a list, not an integer.", error.Message);
        Assert.Throws<InvalidOperationException>(() => root.StringSpan.Length);
        Assert.Throws<InvalidOperationException>(() => root.Entries);
        Assert.Throws<InvalidOperationException>(() => root.TryGetValue("a"u8, out _));
        foreach (var item in root.Items)
        {
            if (item.IsString)
            {
                Assert.Throws<InvalidOperationException>(() => item.Items);
                Assert.False(item.StringEquals("spa"u8));
                Assert.Equal("byte string at byte 4", item.ToString());
            }
            else
            {
                Assert.False(item.StringEquals("i1e"u8));
            }
        }
    }

    [Fact]
    public void ToValue_copies_into_the_model()
    {
        var value = Parse("d4:listli1e0:lee3:str2:\u00ff\u0000e").Root.ToValue();
        var expected = new BencodeDictionary
        {
            ["list"] = new BencodeList { 1, "", new BencodeList() },
            ["str"] = new byte[] { 0xff, 0x00 },
        };
        Assert.Equal(expected, value);
    }
}
