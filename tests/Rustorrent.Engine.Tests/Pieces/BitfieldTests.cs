using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Rustorrent.Pieces;

namespace Rustorrent.Engine.Tests.Pieces;

public sealed class BitfieldTests
{
    [Fact]
    public void Wire_form_puts_piece_zero_in_the_high_bit()
    {
        var bits = new Bitfield(10);
        bits.Set(0);
        bits.Set(7);
        bits.Set(8);
        bits.Set(9);

        Assert.Equal(new byte[] { 0b1000_0001, 0b1100_0000 }, bits.ToWire());
        Assert.Equal(4, bits.Count);
    }

    [Fact]
    public void Reads_wire_bytes()
    {
        var bits = Bitfield.FromWire([0b0100_0000, 0b0000_0010, 0b1000_0000], 17);

        Assert.Equal([1, 14, 16], Enumerable.Range(0, 17).Where(bits.Get));
        Assert.Equal(3, bits.Count);
        Assert.False(bits.IsComplete);
    }

    [Fact]
    public void Rejects_spare_bits_set_naming_the_byte()
    {
        var bits = new Bitfield(10);
        bits.Set(3);

        var error = Assert.Throws<InvalidDataException>(() => bits.ReadWire([0xff, 0b1110_0000]));

        Assert.Contains("offset 1", error.Message);
        Assert.Contains("spare bits", error.Message);
        Assert.True(bits.Get(3));
        Assert.Equal(1, bits.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public void Rejects_the_wrong_length(int length)
    {
        var error = Assert.Throws<InvalidDataException>(() => Bitfield.FromWire(new byte[length], 17));

        Assert.Contains("17 pieces is 3 bytes", error.Message);
        Assert.Contains($"{length} bytes", error.Message);
    }

    [Fact]
    public void Full_wire_bitfield_is_complete_and_has_zero_spare_bits_when_written()
    {
        var bits = Bitfield.FromWire([0xff, 0xff, 0x80], 17);
        Assert.True(bits.IsComplete);

        var other = new Bitfield(17);
        other.SetAll();
        Assert.Equal(new byte[] { 0xff, 0xff, 0x80 }, other.ToWire());
        Assert.Equal(17, other.Count);
    }

    [Fact]
    public void Set_reports_changes_and_keeps_the_count()
    {
        var bits = new Bitfield(130);

        Assert.True(bits.Set(129));
        Assert.False(bits.Set(129));
        Assert.True(bits.Clear(129));
        Assert.False(bits.Clear(129));
        Assert.Equal(0, bits.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => bits.Set(130));
        Assert.Throws<ArgumentOutOfRangeException>(() => bits.Get(-1));
    }

    [Fact]
    public void Next_set_and_clear_cross_word_boundaries()
    {
        var bits = new Bitfield(200);
        bits.Set(63);
        bits.Set(64);
        bits.Set(199);

        Assert.Equal(63, bits.NextSet(0));
        Assert.Equal(64, bits.NextSet(64));
        Assert.Equal(199, bits.NextSet(65));
        Assert.Equal(-1, bits.NextSet(200));
        Assert.Equal(65, bits.NextClear(63));

        bits.SetAll();
        Assert.Equal(-1, bits.NextClear(0));
    }

    [Fact]
    public void Read_only_view_follows_the_owner()
    {
        var bits = new Bitfield(9);
        var view = bits.AsReadOnly();
        bits.Set(8);

        Assert.True(view.Get(8));
        Assert.Equal(1, view.Count);
        Assert.Equal(new byte[] { 0, 0x80 }, view.ToWire());
    }

    [Property(MaxTest = 300)]
    public Property Wire_round_trip_keeps_every_bit(bool[] pattern)
    {
        var bits = new Bitfield(pattern.Length);
        for (var i = 0; i < pattern.Length; i++)
            bits.Set(i, pattern[i]);

        var wire = bits.ToWire();
        var back = Bitfield.FromWire(wire, pattern.Length);

        // Reference encoding straight from BEP 3: byte i/8, bit 7 - i%8.
        var expected = new byte[(pattern.Length + 7) / 8];
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i])
                expected[i / 8] |= (byte)(0x80 >> (i % 8));
        }
        return (wire.AsSpan().SequenceEqual(expected)
                && Enumerable.Range(0, pattern.Length).All(i => back.Get(i) == pattern[i])
                && back.Count == pattern.Count(b => b)).ToProperty();
    }

    [Fact]
    public void Reverse_bits_matches_a_plain_loop_for_every_byte()
    {
        for (var b = 0; b < 256; b++)
        {
            var expected = 0;
            for (var i = 0; i < 8; i++)
            {
                if ((b & (1 << i)) != 0)
                    expected |= 0x80 >> i;
            }
            Assert.Equal((byte)expected, Bitfield.ReverseBits((byte)b));
        }
    }
}
