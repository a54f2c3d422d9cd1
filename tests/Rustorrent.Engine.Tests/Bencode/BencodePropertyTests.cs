using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Rustorrent.Bencode;
using static Rustorrent.Engine.Tests.Bencode.BencodeTestData;

namespace Rustorrent.Engine.Tests.Bencode;

/// <summary>A generated bencode value; a public wrapper because the model types are internal.</summary>
public sealed class BencodeTree
{
    internal BencodeTree(BencodeValue value) => Value = value;

    internal BencodeValue Value { get; }

    public override string ToString() => Text(Value.Encode());
}

/// <summary>Bytes that look like bencode often enough to reach deep into the parser.</summary>
public sealed class BencodeishBytes(byte[] bytes)
{
    public byte[] Bytes { get; } = bytes;

    public override string ToString() => Convert.ToHexString(Bytes) + " \"" + Text(Bytes).Replace("\0", "\\0") + "\"";
}

public static class BencodeArbitraries
{
    private static readonly byte[] Alphabet = "ilde0123456789:-"u8.ToArray();

    public static Arbitrary<BencodeTree> Trees() => Arb.From(Gen.Sized(size => Tree(Math.Min(size, 40), depth: 0)).Select(v => new BencodeTree(v)));

    /// <summary>
    /// Three kinds of input: valid encodings written freely (keys in any order, repeated), such an encoding
    /// with one byte changed, and bytes drawn mostly from the grammar's alphabet.
    /// </summary>
    public static Arbitrary<BencodeishBytes> Bencodeish() =>
        Arb.From(Gen.Sized(size => Gen.Frequency(
            (3, FreeEncoding(Math.Min(size, 30), 0).Select(System.Text.Encoding.Latin1.GetBytes)),
            (2, Mutated(FreeEncoding(Math.Min(size, 30), 0))),
            (1, AlphabetBytes(size)))).Select(bytes => new BencodeishBytes(bytes)));

    /// <summary>Valid bencode that need not be canonical: dictionary keys come in any order and may repeat.</summary>
    private static Gen<string> FreeEncoding(int size, int depth)
    {
        var scalar = Gen.Elements("i0e", "i-1e", "i7e", "i-9223372036854775808e", "0:", "1:a", "1:b", "2:ab", "3:\u00ff\u0000e");
        if (size <= 1 || depth >= 6)
            return scalar;
        var child = FreeEncoding(size / 2, depth + 1);
        var key = Gen.Elements("0:", "1:a", "1:b", "2:ab", "1:\u00e9");
        var list = Gen.Choose(0, Math.Min(size / 2, 6)).SelectMany(n => Gen.ListOf(child, n)).Select(items => "l" + string.Concat(items) + "e");
        var dictionary = Gen.Choose(0, Math.Min(size / 2, 6))
            .SelectMany(n => Gen.ListOf(Gen.Zip(key, child).Select(t => t.Item1 + t.Item2), n))
            .Select(entries => "d" + string.Concat(entries) + "e");
        return Gen.Frequency((1, scalar), (2, list), (3, dictionary));
    }

    private static Gen<byte[]> Mutated(Gen<string> encodings) =>
        from text in encodings
        let bytes = System.Text.Encoding.Latin1.GetBytes(text)
        from at in Gen.Choose(0, bytes.Length - 1)
        from replacement in Gen.Elements(Alphabet)
        select bytes.Select((b, i) => i == at ? replacement : b).ToArray();

    private static Gen<byte[]> AlphabetBytes(int size) =>
        from length in Gen.Choose(0, Math.Max(1, size * 2))
        from bytes in Gen.ArrayOf(Gen.Frequency(
            (8, Gen.Elements(Alphabet)),
            (1, Gen.Choose(0, 255).Select(b => (byte)b))), length)
        select bytes;

    private static Gen<BencodeValue> Tree(int size, int depth)
    {
        var integer = Gen.OneOf(
            Gen.Choose(-1000, 1000).Select(i => (long)i),
            Gen.Elements(0L, -1L, long.MinValue, long.MaxValue, long.MinValue + 1, long.MaxValue - 1),
            Gen.Two(Gen.Choose(int.MinValue, int.MaxValue)).Select(t => ((long)t.Item1 << 32) ^ (uint)t.Item2))
            .Select(v => (BencodeValue)new BencodeInteger(v));
        var text = Bytes(size).Select(b => (BencodeValue)new BencodeString(b));
        if (size <= 1 || depth >= 8)
            return Gen.OneOf(integer, text);

        var child = Tree(size / 2, depth + 1);
        var list = Gen.Choose(0, Math.Min(size / 2, 8)).SelectMany(n => Gen.ListOf(child, n)).Select(items =>
        {
            var l = new BencodeList();
            foreach (var item in items)
                l.Add(item);
            return (BencodeValue)l;
        });
        var dictionary = Gen.Choose(0, Math.Min(size / 2, 8)).SelectMany(n => Gen.ListOf(Gen.Zip(Bytes(8), child), n)).Select(entries =>
        {
            var d = new BencodeDictionary();
            foreach (var (key, value) in entries)
                d[key] = value;
            return (BencodeValue)d;
        });
        // A narrow chain as deep as the reader allows (100), alternating lists and single-key dictionaries.
        var chain = Gen.Zip(Gen.Choose(1, 100), integer).Select(t =>
        {
            var value = t.Item2;
            for (var i = 0; i < t.Item1; i++)
                value = i % 2 == 0 ? new BencodeList { value } : new BencodeDictionary { ["k"] = value };
            return value;
        });
        if (depth == 0)
            return Gen.Frequency((2, integer), (2, text), (3, list), (3, dictionary), (1, chain));
        return Gen.Frequency((2, integer), (2, text), (3, list), (3, dictionary));
    }

    /// <summary>Short byte strings, often ASCII letters (so keys collide and need sorting), sometimes any byte.</summary>
    private static Gen<byte[]> Bytes(int maxLength) =>
        from length in Gen.Choose(0, Math.Max(0, Math.Min(maxLength, 24)))
        from bytes in Gen.ArrayOf(Gen.Frequency(
            (3, Gen.Choose('a', 'e').Select(c => (byte)c)),
            (1, Gen.Choose(0, 255).Select(b => (byte)b))), length)
        select bytes;
}

[Properties(Arbitrary = new[] { typeof(BencodeArbitraries) }, MaxTest = 300)]
public class BencodePropertyTests
{
    [Property]
    public void Encoded_values_parse_back_to_equal_values_and_re_encode_identically(BencodeTree tree)
    {
        var encoded = tree.Value.Encode();
        var document = BencodeDocument.Parse(encoded);
        var parsed = document.Root.ToValue();
        Assert.Equal(tree.Value, parsed);
        Assert.Equal(encoded, parsed.Encode());
        Assert.True(IsCanonical(document.Root));
        Assert.True(document.Root.RawSpan.SequenceEqual(encoded));
    }

    [Property]
    public void Every_nested_value_has_the_raw_bytes_of_its_own_encoding(BencodeTree tree)
    {
        var document = BencodeDocument.Parse(tree.Value.Encode());
        var pending = new Stack<BencodeNode>();
        pending.Push(document.Root);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            Assert.Equal(node.ToValue().Encode(), node.RawSpan.ToArray());
            if (node.IsList)
            {
                foreach (var item in node.Items)
                    pending.Push(item);
            }
            else if (node.IsDictionary)
            {
                foreach (var (key, value) in node.Entries)
                {
                    pending.Push(key);
                    pending.Push(value);
                }
            }
        }
    }

    [Property]
    public void ParsePrefix_of_a_value_followed_by_junk_consumes_exactly_the_value(BencodeTree tree, byte[] junk)
    {
        var encoded = tree.Value.Encode();
        var data = encoded.Concat(junk).ToArray();
        var document = BencodeDocument.ParsePrefix(data, out var consumed);
        Assert.Equal(encoded.Length, consumed);
        Assert.Equal(tree.Value, document.Root.ToValue());
        if (junk.Length > 0)
            Assert.Equal(encoded.Length, Assert.Throws<BencodeException>(() => BencodeDocument.Parse(data)).Offset);
    }

    [Property(MaxTest = 2000)]
    public void Bencodeish_bytes_parse_or_fail_with_a_BencodeException(BencodeishBytes input) => CheckArbitraryInput(input.Bytes);

    [Property(MaxTest = 1000)]
    public void Random_bytes_parse_or_fail_with_a_BencodeException(byte[] input) => CheckArbitraryInput(input);

    /// <summary>
    /// Whatever the bytes, the parser either succeeds or throws <see cref="BencodeException"/> with an offset
    /// inside the input. What it accepts re-encodes to the same bytes exactly when it was canonical, and to a
    /// canonical encoding of the same value otherwise.
    /// </summary>
    internal static void CheckArbitraryInput(byte[] input)
    {
        BencodeDocument document;
        try
        {
            document = BencodeDocument.Parse(input);
        }
        catch (BencodeException e)
        {
            Assert.InRange(e.Offset, 0, input.Length);
            Assert.False(string.IsNullOrWhiteSpace(e.Reason));
            return;
        }

        var value = document.Root.ToValue();
        var reencoded = value.Encode();
        if (IsCanonical(document.Root))
        {
            Assert.Equal(input, reencoded);
        }
        else
        {
            Assert.NotEqual(input, reencoded);
            var again = BencodeDocument.Parse(reencoded);
            Assert.True(IsCanonical(again.Root));
            Assert.Equal(value, again.Root.ToValue());
            Assert.Equal(reencoded, again.Root.ToValue().Encode());
        }
    }
}
