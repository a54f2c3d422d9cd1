using System.Numerics;
using System.Security.Cryptography;

namespace Rustorrent.Dht;

/// <summary>
/// A 160-bit DHT node id, also the key space of info hashes (BEP 5). Immutable; compares by value. Distance
/// is XOR, read as an unsigned big-endian number.
/// </summary>
internal readonly struct NodeId : IEquatable<NodeId>
{
    public const int Length = 20;
    public const int Bits = Length * 8;

    private readonly byte[]? bytes;

    public NodeId(ReadOnlySpan<byte> id)
    {
        if (id.Length != Length)
            throw new ArgumentException($"A DHT node id is {Length} bytes, not {id.Length}.", nameof(id));
        bytes = id.ToArray();
    }

    public ReadOnlySpan<byte> Span => bytes ?? new byte[Length];

    public static NodeId Random()
    {
        Span<byte> id = stackalloc byte[Length];
        RandomNumberGenerator.Fill(id);
        return new NodeId(id);
    }

    /// <summary>A random id that shares exactly <paramref name="prefixBits"/> leading bits with <paramref name="self"/>
    /// (the next bit differs), i.e. one that falls in bucket <paramref name="prefixBits"/> of a table around
    /// <paramref name="self"/>: what a bucket refresh looks up (BEP 5).</summary>
    public static NodeId RandomInBucket(NodeId self, int prefixBits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(prefixBits, Bits);
        Span<byte> id = stackalloc byte[Length];
        RandomNumberGenerator.Fill(id);
        var mine = self.Span;
        for (var bit = 0; bit <= prefixBits; bit++)
        {
            var mask = (byte)(0x80 >> (bit & 7));
            var set = (mine[bit >> 3] & mask) != 0;
            if (bit == prefixBits)
                set = !set;
            id[bit >> 3] = set ? (byte)(id[bit >> 3] | mask) : (byte)(id[bit >> 3] & ~mask);
        }
        return new NodeId(id);
    }

    /// <summary>How many leading bits <paramref name="a"/> and <paramref name="b"/> share (160 when equal).</summary>
    public static int CommonPrefixLength(NodeId a, NodeId b)
    {
        var x = a.Span;
        var y = b.Span;
        for (var i = 0; i < Length; i++)
        {
            var diff = (byte)(x[i] ^ y[i]);
            if (diff != 0)
                return i * 8 + BitOperations.LeadingZeroCount((uint)diff) - 24;
        }
        return Bits;
    }

    /// <summary>Which of <paramref name="a"/> and <paramref name="b"/> is closer to <paramref name="target"/>:
    /// negative when <paramref name="a"/> is, zero when they are equal.</summary>
    public static int CompareDistance(NodeId a, NodeId b, NodeId target)
    {
        var x = a.Span;
        var y = b.Span;
        var t = target.Span;
        for (var i = 0; i < Length; i++)
        {
            var dx = x[i] ^ t[i];
            var dy = y[i] ^ t[i];
            if (dx != dy)
                return dx < dy ? -1 : 1;
        }
        return 0;
    }

    /// <summary>The XOR distance as bytes (for tests and logs).</summary>
    public byte[] DistanceTo(NodeId other)
    {
        var result = new byte[Length];
        var x = Span;
        var y = other.Span;
        for (var i = 0; i < Length; i++)
            result[i] = (byte)(x[i] ^ y[i]);
        return result;
    }

    public string ToHex() => Convert.ToHexString(Span).ToLowerInvariant();

    public override string ToString() => ToHex();

    public bool Equals(NodeId other) => Span.SequenceEqual(other.Span);

    public override bool Equals(object? obj) => obj is NodeId other && Equals(other);

    public override int GetHashCode() => BitConverter.ToInt32(Span[..4]);

    public static bool operator ==(NodeId left, NodeId right) => left.Equals(right);

    public static bool operator !=(NodeId left, NodeId right) => !left.Equals(right);
}
