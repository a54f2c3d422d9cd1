using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Rustorrent.TestKit;

/// <summary>
/// xoshiro256** keyed by SHA-256 of a text: the same text always gives the same bytes, on every machine
/// and .NET version (unlike <see cref="Random"/>, whose algorithm is not a documented contract).
/// </summary>
internal sealed class DeterministicBytes
{
    private ulong s0, s1, s2, s3;

    public DeterministicBytes(string key)
    {
        Span<byte> seed = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), seed);
        s0 = BinaryPrimitives.ReadUInt64LittleEndian(seed);
        s1 = BinaryPrimitives.ReadUInt64LittleEndian(seed[8..]);
        s2 = BinaryPrimitives.ReadUInt64LittleEndian(seed[16..]);
        s3 = BinaryPrimitives.ReadUInt64LittleEndian(seed[24..]) | 1; // never all zero
    }

    /// <summary>Fills <paramref name="buffer"/>; consecutive calls continue the same stream.</summary>
    public void Fill(Span<byte> buffer)
    {
        Span<byte> word = stackalloc byte[8];
        while (buffer.Length > 0)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(word, Next());
            var n = Math.Min(8, buffer.Length);
            word[..n].CopyTo(buffer);
            buffer = buffer[n..];
        }
    }

    private ulong Next()
    {
        var result = ulong.RotateLeft(s1 * 5, 7) * 9;
        var t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }
}
