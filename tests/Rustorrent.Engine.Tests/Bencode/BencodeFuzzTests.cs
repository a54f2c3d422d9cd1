using Rustorrent.Bencode;
using static Rustorrent.Engine.Tests.Bencode.BencodeTestData;

namespace Rustorrent.Engine.Tests.Bencode;

/// <summary>
/// Mutates valid encodings with a fixed seed (reproducible) and checks that nothing but
/// <see cref="BencodeException"/> ever escapes the reader, whatever the mutation.
/// </summary>
public class BencodeFuzzTests
{
    private static readonly string[] Seeds =
    [
        "d8:announce17:http://t/announce4:infod6:lengthi5e4:name5:a.txt12:piece lengthi16384e6:pieces20:"
            + new string('\u0055', 20) + "ee",
        "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe",
        "d8:intervali1800e5:peers12:\u007f\u0000\u0000\u0001\u001a\u00e1\u007f\u0000\u0000\u0001\u001a\u00e2e",
        "li-9223372036854775808ei9223372036854775807ei0ei-1e0:4:spamllleeedee",
        "d8:msg_typei1e5:piecei0e10:total_sizei3ee",
        "l" + new string('l', 98) + new string('e', 98) + "e",
        "d1:ad1:bd1:cd1:dleeeee",
    ];

    [Fact]
    public void Mutated_encodings_only_ever_throw_BencodeException()
    {
        var random = new Random(20260101);
        var mutations = new Func<Random, byte[], byte[]>[] { Flip, Replace, Insert, Delete, Truncate, Splice, Duplicate };
        var accepted = 0;
        for (var iteration = 0; iteration < 30_000; iteration++)
        {
            var data = Bytes(Seeds[random.Next(Seeds.Length)]);
            var rounds = random.Next(1, 4);
            for (var r = 0; r < rounds; r++)
                data = mutations[random.Next(mutations.Length)](random, data);

            try
            {
                BencodePropertyTests.CheckArbitraryInput(data);
                if (data.Length > 0)
                {
                    // ParsePrefix on the same bytes must agree: either it fails too, or it consumes a prefix.
                    try
                    {
                        BencodeDocument.ParsePrefix(data, out var consumed);
                        Assert.InRange(consumed, 1, data.Length);
                    }
                    catch (BencodeException e)
                    {
                        Assert.InRange(e.Offset, 0, data.Length);
                    }
                }
                if (TryParse(data))
                    accepted++;
            }
            catch (Exception e)
            {
                Assert.Fail($"Iteration {iteration}: {e.GetType().Name} on input {Convert.ToHexString(data)}: {e}");
            }
        }
        // The mutations must leave some inputs valid, or the re-encoding checks never ran.
        Assert.InRange(accepted, 100, 30_000);
    }

    private static bool TryParse(byte[] data)
    {
        try
        {
            BencodeDocument.Parse(data);
            return true;
        }
        catch (BencodeException)
        {
            return false;
        }
    }

    private static byte[] Flip(Random random, byte[] data)
    {
        if (data.Length == 0)
            return data;
        var copy = (byte[])data.Clone();
        copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        return copy;
    }

    private static byte[] Replace(Random random, byte[] data)
    {
        if (data.Length == 0)
            return data;
        var copy = (byte[])data.Clone();
        copy[random.Next(copy.Length)] = Interesting(random);
        return copy;
    }

    private static byte[] Insert(Random random, byte[] data)
    {
        var at = random.Next(data.Length + 1);
        return [.. data.AsSpan(0, at), Interesting(random), .. data.AsSpan(at)];
    }

    private static byte[] Delete(Random random, byte[] data)
    {
        if (data.Length == 0)
            return data;
        var at = random.Next(data.Length);
        var count = Math.Min(random.Next(1, 4), data.Length - at);
        return [.. data.AsSpan(0, at), .. data.AsSpan(at + count)];
    }

    private static byte[] Truncate(Random random, byte[] data) => data.AsSpan(0, random.Next(data.Length + 1)).ToArray();

    private static byte[] Splice(Random random, byte[] data)
    {
        // Drop in a fragment of another seed: mixes structure from different documents.
        var other = Bytes(Seeds[random.Next(Seeds.Length)]);
        var start = random.Next(other.Length);
        var length = random.Next(1, Math.Min(16, other.Length - start) + 1);
        var at = random.Next(data.Length + 1);
        return [.. data.AsSpan(0, at), .. other.AsSpan(start, length), .. data.AsSpan(at)];
    }

    private static byte[] Duplicate(Random random, byte[] data)
    {
        if (data.Length == 0)
            return data;
        var start = random.Next(data.Length);
        var length = random.Next(1, Math.Min(32, data.Length - start) + 1);
        return [.. data.AsSpan(0, start + length), .. data.AsSpan(start, length), .. data.AsSpan(start + length)];
    }

    /// <summary>Bytes that matter to the grammar, plus the odd arbitrary one.</summary>
    private static byte Interesting(Random random) => random.Next(10) switch
    {
        < 8 => "ilde0123456789:-e"u8[random.Next(17)],
        _ => (byte)random.Next(256),
    };
}
