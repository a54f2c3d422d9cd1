using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Rustorrent.Pieces;

/// <summary>The SHA-1 of one block's bytes, held inline (no array) so that records of many blocks stay small.</summary>
internal readonly struct BlockDigest : IEquatable<BlockDigest>
{
    private readonly ulong a;
    private readonly ulong b;
    private readonly uint c;

    private BlockDigest(ReadOnlySpan<byte> hash)
    {
        a = BinaryPrimitives.ReadUInt64LittleEndian(hash);
        b = BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]);
        c = BinaryPrimitives.ReadUInt32LittleEndian(hash[16..]);
    }

    public static BlockDigest Of(ReadOnlySpan<byte> block)
    {
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(block, hash);
        return new BlockDigest(hash);
    }

    public bool Equals(BlockDigest other) => a == other.a && b == other.b && c == other.c;

    public override bool Equals(object? obj) => obj is BlockDigest other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(a, b, c);

    public static bool operator ==(BlockDigest left, BlockDigest right) => left.Equals(right);

    public static bool operator !=(BlockDigest left, BlockDigest right) => !left.Equals(right);
}
