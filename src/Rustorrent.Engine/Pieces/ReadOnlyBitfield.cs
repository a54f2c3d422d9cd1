using System.Numerics;

namespace Rustorrent.Pieces;

/// <summary>
/// A read-only view of a <see cref="Bitfield"/>: its owner can still change it, holders of the view cannot.
/// A struct, so handing one out allocates nothing.
/// </summary>
internal readonly struct ReadOnlyBitfield
{
    private readonly Bitfield? bitfield;

    internal ReadOnlyBitfield(Bitfield bitfield) => this.bitfield = bitfield;

    public int Length => bitfield?.Length ?? 0;

    public int Count => bitfield?.Count ?? 0;

    public bool IsComplete => Count == Length;

    public bool IsEmpty => Count == 0;

    public int WireLength => Bitfield.WireLengthFor(Length);

    internal ReadOnlySpan<ulong> Words => bitfield is null ? default : bitfield.Words;

    public bool this[int index] => Get(index);

    public bool Get(int index) => bitfield is null
        ? throw new ArgumentOutOfRangeException(nameof(index), index, "The bitfield is empty.")
        : bitfield.Get(index);

    public int NextSet(int start) => Bitfield.NextSet(Words, Length, start);

    /// <summary>Writes the BEP 3 wire form: piece 0 in the high bit of byte 0, spare bits zero.</summary>
    public int WriteWire(Span<byte> destination)
    {
        var length = WireLength;
        if (destination.Length < length)
            throw new ArgumentException($"A bitfield of {Length} pieces needs {length} bytes, not {destination.Length}.", nameof(destination));
        var words = Words;
        for (var i = 0; i < length; i++)
            destination[i] = Bitfield.ReverseBits((byte)(words[i >> 3] >> ((i & 7) * 8)));
        return length;
    }

    public byte[] ToWire()
    {
        var bytes = new byte[WireLength];
        WriteWire(bytes);
        return bytes;
    }

    /// <summary>How many indices are set here and also in <paramref name="other"/> (same length).</summary>
    public int CountAnd(ReadOnlyBitfield other)
    {
        var a = Words;
        var b = other.Words;
        if (a.Length != b.Length)
            throw new ArgumentException($"Bitfields of {Length} and {other.Length} pieces cannot be combined.", nameof(other));
        var count = 0;
        for (var i = 0; i < a.Length; i++)
            count += BitOperations.PopCount(a[i] & b[i]);
        return count;
    }

    public override string ToString() => $"{Count}/{Length}";
}
