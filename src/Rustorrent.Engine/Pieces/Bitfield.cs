using System.Numerics;

namespace Rustorrent.Pieces;

/// <summary>
/// A set of piece indices [0, <see cref="Length"/>): which pieces we or a peer have, or which we want.
/// Stored as 64-bit words so that counting and "peer has and we want" run a word at a time. The wire form
/// (BEP 3 "bitfield") puts piece 0 in the high bit of the first byte and requires the spare bits of the last
/// byte to be zero. Mutable by its owner; hand out <see cref="AsReadOnly"/> to others. Not thread-safe.
/// </summary>
internal sealed class Bitfield
{
    private readonly ulong[] words;

    public Bitfield(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        words = new ulong[(length + 63) >> 6];
    }

    /// <summary>The number of pieces this set ranges over.</summary>
    public int Length { get; }

    /// <summary>How many indices are set; kept up to date, so reading it is free.</summary>
    public int Count { get; private set; }

    public bool IsComplete => Count == Length;

    public bool IsEmpty => Count == 0;

    /// <summary>Bytes of the wire form: one bit per piece, rounded up to whole bytes.</summary>
    public int WireLength => WireLengthFor(Length);

    internal ReadOnlySpan<ulong> Words => words;

    public bool this[int index] => Get(index);

    public static int WireLengthFor(int length) => (int)(((long)length + 7) >> 3);

    public bool Get(int index)
    {
        if ((uint)index >= (uint)Length)
            throw IndexError(index);
        return (words[index >> 6] & (1UL << index)) != 0;
    }

    /// <summary>Sets or clears one index; true when that changed the set.</summary>
    public bool Set(int index, bool value = true)
    {
        if ((uint)index >= (uint)Length)
            throw IndexError(index);
        ref var word = ref words[index >> 6];
        var mask = 1UL << index;
        var was = (word & mask) != 0;
        if (was == value)
            return false;
        word ^= mask;
        Count += value ? 1 : -1;
        return true;
    }

    public bool Clear(int index) => Set(index, false);

    public void SetAll()
    {
        Array.Fill(words, ulong.MaxValue);
        ClearSpareBits();
        Count = Length;
    }

    public void ClearAll()
    {
        Array.Clear(words);
        Count = 0;
    }

    public void CopyFrom(ReadOnlyBitfield source)
    {
        if (source.Length != Length)
            throw new ArgumentException($"A bitfield of {source.Length} pieces cannot be copied into one of {Length}.", nameof(source));
        source.Words.CopyTo(words);
        Count = source.Count;
    }

    /// <summary>The first set index at or after <paramref name="start"/>, or -1.</summary>
    public int NextSet(int start) => NextSet(words, Length, start);

    /// <summary>The first clear index at or after <paramref name="start"/>, or -1.</summary>
    public int NextClear(int start)
    {
        if (start < 0)
            start = 0;
        for (var w = start >> 6; w < words.Length; w++)
        {
            var bits = ~words[w];
            if (w == start >> 6)
                bits &= ulong.MaxValue << (start & 63);
            if (bits != 0)
            {
                var index = (w << 6) + BitOperations.TrailingZeroCount(bits);
                return index < Length ? index : -1;
            }
        }
        return -1;
    }

    /// <summary>
    /// Replaces the contents with a BEP 3 bitfield message payload. The payload must be exactly
    /// <see cref="WireLength"/> bytes with the spare bits zero; otherwise this throws
    /// <see cref="InvalidDataException"/> naming the byte at fault and leaves the set unchanged.
    /// </summary>
    public void ReadWire(ReadOnlySpan<byte> payload)
    {
        ValidateWire(payload, Length);
        Array.Clear(words);
        var count = 0;
        for (var i = 0; i < payload.Length; i++)
        {
            // Reversing the bits turns wire order (piece 0 = bit 7) into word order (piece 0 = bit 0).
            var b = ReverseBits(payload[i]);
            words[i >> 3] |= (ulong)b << ((i & 7) * 8);
            count += BitOperations.PopCount(b);
        }
        Count = count;
    }

    public static Bitfield FromWire(ReadOnlySpan<byte> payload, int length)
    {
        var bitfield = new Bitfield(length);
        bitfield.ReadWire(payload);
        return bitfield;
    }

    /// <summary>Writes the BEP 3 wire form (spare bits zero) into <paramref name="destination"/>.</summary>
    public int WriteWire(Span<byte> destination) => AsReadOnly().WriteWire(destination);

    public byte[] ToWire() => AsReadOnly().ToWire();

    public ReadOnlyBitfield AsReadOnly() => new(this);

    /// <summary>Checks a BEP 3 bitfield payload for <paramref name="length"/> pieces without reading it.</summary>
    public static void ValidateWire(ReadOnlySpan<byte> payload, int length)
    {
        var expected = WireLengthFor(length);
        if (payload.Length != expected)
            throw new InvalidDataException($"A bitfield for {length} pieces is {expected} bytes, but this one is {payload.Length} bytes.");
        var spare = expected * 8 - length;
        if (spare > 0 && (payload[^1] & ((1 << spare) - 1)) != 0)
            throw new InvalidDataException($"The bitfield sets spare bits after piece {length - 1} in its last byte (offset {expected - 1}: 0x{payload[^1]:x2}); BEP 3 requires them to be zero.");
    }

    internal static int NextSet(ReadOnlySpan<ulong> words, int length, int start)
    {
        if (start < 0)
            start = 0;
        for (var w = start >> 6; w < words.Length; w++)
        {
            var bits = words[w];
            if (w == start >> 6)
                bits &= ulong.MaxValue << (start & 63);
            if (bits != 0)
            {
                var index = (w << 6) + BitOperations.TrailingZeroCount(bits);
                return index < length ? index : -1;
            }
        }
        return -1;
    }

    internal static byte ReverseBits(byte b) => (byte)(((b * 0x0802UL & 0x22110UL) | (b * 0x8020UL & 0x88440UL)) * 0x10101UL >> 16);

    private void ClearSpareBits()
    {
        if ((Length & 63) != 0)
            words[^1] &= (1UL << (Length & 63)) - 1;
    }

    private ArgumentOutOfRangeException IndexError(int index) =>
        new(nameof(index), index, $"Piece {index} is outside this bitfield of {Length} pieces.");
}
