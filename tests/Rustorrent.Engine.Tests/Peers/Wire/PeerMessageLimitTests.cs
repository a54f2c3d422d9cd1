using System.Buffers;
using Rustorrent.Peers.Wire;
using static Rustorrent.Engine.Tests.Peers.Wire.WireBytes;

namespace Rustorrent.Engine.Tests.Peers.Wire;

/// <summary>Hostile and broken messages: each is refused with its own error, from the header alone where the header tells.</summary>
public class PeerMessageLimitTests
{
    private const string LimitsText = "40 pieces of 32,768 bytes (last 10,000), blocks up to 16,384";

    [Fact]
    public void An_oversized_length_prefix_is_refused_from_its_4_bytes_alone()
    {
        var e = ParseError(U32(2_000_000), Limits);
        Assert.Equal(PeerProtocolError.MessageTooLong, e.Error);
        Assert.Equal($"message length 2,000,000 exceeds the 1,048,578 bytes this torrent allows ({LimitsText})", e.Message);

        e = ParseError(U32(uint.MaxValue), Limits);
        Assert.Equal($"message length 4,294,967,295 exceeds the 1,048,578 bytes this torrent allows ({LimitsText})", e.Message);
    }

    [Fact]
    public void The_cap_follows_the_largest_message_the_torrent_allows()
    {
        var small = WireLimits.ForPieces(PieceCount, PieceLength, 39L * PieceLength + LastPieceLength, maxExtendedLength: 100);
        Assert.Equal(9 + 16384, small.MaxMessageLength);
        var e = ParseError(U32(16394), small);
        Assert.Equal(PeerProtocolError.MessageTooLong, e.Error);
        Assert.True(PeerMessageParser.TryParse(new ReadOnlySequence<byte>(U32(16393)), small, out _, out _) is false, "16,393 is allowed: wait for the id");
    }

    [Fact]
    public void A_piece_larger_than_a_block_is_refused_from_its_header()
    {
        byte[] header = [.. U32(1_000_000), 7, .. U32(0), .. U32(0)];
        var e = ParseError(header, Limits);
        Assert.Equal(PeerProtocolError.InvalidBlock, e.Error);
        Assert.Equal("piece message for piece 0 offset 0 (999,991 bytes): blocks are at most 16,384 bytes", e.Message);
    }

    [Fact]
    public void A_bitfield_of_the_wrong_size_is_refused_from_its_header()
    {
        var e = ParseError([.. U32(4), 5], HundredPieces);
        Assert.Equal(PeerProtocolError.InvalidBitfield, e.Error);
        Assert.Equal("bitfield of 3 bytes for a torrent of 100 pieces needs 13", e.Message);

        e = ParseError([.. U32(15), 5], HundredPieces);
        Assert.Equal("bitfield of 14 bytes for a torrent of 100 pieces needs 13", e.Message);
    }

    [Fact]
    public void A_bitfield_with_spare_bits_set_is_refused()
    {
        var bits = new byte[13];
        bits[12] = 0xF0; // pieces 96..99: allowed
        Assert.True(PeerMessageParser.TryParse(new ReadOnlySequence<byte>(Message(5, bits)), HundredPieces, out var m, out _));
        Assert.Equal(13, m.Length);

        bits[12] = 0xF1;
        var e = ParseError(Message(5, bits), HundredPieces);
        Assert.Equal(PeerProtocolError.InvalidBitfield, e.Error);
        Assert.Equal("bitfield has spare bits set after piece 99 (last byte 0xf1)", e.Message);
    }

    [Theory]
    [InlineData(4, 50, "have for piece index 50 beyond the torrent's 40 pieces")]
    [InlineData(4, 40, "have for piece index 40 beyond the torrent's 40 pieces")]
    [InlineData(13, 4_000_000_000, "suggest for piece index 4,000,000,000 beyond the torrent's 40 pieces")]
    [InlineData(17, 40, "allowed fast for piece index 40 beyond the torrent's 40 pieces")]
    public void An_index_past_the_last_piece_is_refused(byte id, uint index, string message)
    {
        var e = ParseError(Message(id, U32(index)), Limits);
        Assert.Equal(PeerProtocolError.PieceIndexOutOfRange, e.Error);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_piece_for_an_index_past_the_last_is_refused_before_its_block_arrives()
    {
        byte[] header = [.. U32(9 + 16384), 7, .. U32(50), .. U32(0)];
        var e = ParseError(header, Limits);
        Assert.Equal(PeerProtocolError.PieceIndexOutOfRange, e.Error);
        Assert.Equal("piece message for piece index 50 beyond the torrent's 40 pieces", e.Message);
    }

    [Theory]
    [InlineData(6, 0, 0, 32768, "request for piece 0 offset 0 (32,768 bytes): blocks are at most 16,384 bytes")]
    [InlineData(6, 39, 8192, 16384, "request for piece 39 offset 8,192 (16,384 bytes): it runs past the end of the 10,000-byte piece")]
    [InlineData(6, 39, 0, 10001, "request for piece 39 offset 0 (10,001 bytes): it runs past the end of the 10,000-byte piece")]
    [InlineData(6, 5, 32768, 1, "request for piece 5 offset 32,768 (1 bytes): it runs past the end of the 32,768-byte piece")]
    [InlineData(6, 5, uint.MaxValue, 16384, "request for piece 5 offset 4,294,967,295 (16,384 bytes): it runs past the end of the 32,768-byte piece")]
    [InlineData(6, 5, 0, 0, "request for piece 5 offset 0 (0 bytes): an empty block")]
    [InlineData(8, 39, 16384, 16384, "cancel for piece 39 offset 16,384 (16,384 bytes): it runs past the end of the 10,000-byte piece")]
    [InlineData(16, 1, 0, 65536, "reject for piece 1 offset 0 (65,536 bytes): blocks are at most 16,384 bytes")]
    public void A_block_outside_its_piece_or_too_large_is_refused(byte id, uint index, uint begin, uint length, string message)
    {
        var e = ParseError(Message(id, U32(index), U32(begin), U32(length)), Limits);
        Assert.Equal(PeerProtocolError.InvalidBlock, e.Error);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void The_last_short_piece_can_be_requested_and_sent_to_its_end()
    {
        Assert.True(PeerMessageParser.TryParse(new ReadOnlySequence<byte>(Message(6, U32(39), U32(0), U32(10_000))), Limits, out var request, out _));
        Assert.Equal(new BlockRequest(39, 0, 10_000), request.Block);
        Assert.True(PeerMessageParser.TryParse(new ReadOnlySequence<byte>(Message(7, U32(39), U32(9_999), [42])), Limits, out var piece, out _));
        Assert.Equal(new BlockRequest(39, 9_999, 1), piece.Block);
    }

    [Fact]
    public void A_piece_running_past_its_piece_is_refused_from_its_header()
    {
        byte[] header = [.. U32(9 + 16384), 7, .. U32(39), .. U32(0)];
        var e = ParseError(header, Limits);
        Assert.Equal(PeerProtocolError.InvalidBlock, e.Error);
        Assert.Equal("piece message for piece 39 offset 0 (16,384 bytes): it runs past the end of the 10,000-byte piece", e.Message);
    }

    [Theory]
    [InlineData(0, 2, "choke with length 2; its length is 1")]
    [InlineData(3, 5, "not interested with length 5; its length is 1")]
    [InlineData(14, 2, "have all with length 2; its length is 1")]
    [InlineData(4, 4, "have with length 4; its length is 5")]
    [InlineData(4, 6, "have with length 6; its length is 5")]
    [InlineData(6, 12, "request with length 12; its length is 13")]
    [InlineData(8, 17, "cancel with length 17; its length is 13")]
    [InlineData(7, 9, "piece message with length 9; its length is at least 10 (index, offset and a block of at least one byte)")]
    [InlineData(7, 1, "piece message with length 1; its length is at least 10 (index, offset and a block of at least one byte)")]
    [InlineData(9, 5, "port with length 5; its length is 3")]
    [InlineData(20, 1, "extended with length 1; its length is at least 2 (the extended id)")]
    public void A_known_message_of_the_wrong_length_is_refused_from_its_header(byte id, uint length, string message)
    {
        var e = ParseError([.. U32(length), id], Limits);
        Assert.Equal(PeerProtocolError.WrongMessageLength, e.Error);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void An_extension_message_over_its_cap_is_refused_from_its_header()
    {
        var limits = WireLimits.ForPieces(PieceCount, PieceLength, 39L * PieceLength + LastPieceLength, maxExtendedLength: 100);
        var e = ParseError([.. U32(2 + 101), 20, 1], limits);
        Assert.Equal(PeerProtocolError.MessageTooLong, e.Error);
        Assert.Equal("extension message of 101 bytes exceeds the 100-byte limit", e.Message);
    }

    [Fact]
    public void An_unknown_message_is_reported_for_skipping_after_its_header()
    {
        Assert.True(PeerMessageParser.TryParse(new ReadOnlySequence<byte>([.. U32(500_001), 99]), Limits, out var m, out var consumed));
        Assert.True(m.IsUnknown);
        Assert.Equal(500_000, m.Length);
        Assert.Equal(5, consumed);
    }

    [Fact]
    public void Before_the_metadata_indexes_are_not_checked_but_sizes_are()
    {
        var limits = WireLimits.MetadataUnknown();
        Assert.True(PeerMessageParser.TryParse(new ReadOnlySequence<byte>(Message(4, U32(1_000_000))), limits, out var have, out _));
        Assert.Equal(1_000_000, have.PieceIndex);
        var bits = new byte[1000];
        bits[999] = 0xff;
        Assert.True(PeerMessageParser.TryParse(new ReadOnlySequence<byte>(Message(5, bits)), limits, out var bitfield, out _));
        Assert.Equal(1000, bitfield.Length);

        var e = ParseError(Message(4, U32(0x8000_0000)), limits);
        Assert.Equal(PeerProtocolError.PieceIndexOutOfRange, e.Error);
        e = ParseError(Message(6, U32(1), U32(0), U32(16385)), limits);
        Assert.Equal("request for piece 1 offset 0 (16,385 bytes): blocks are at most 16,384 bytes", e.Message);
        e = ParseError([.. U32(1 + 512 * 1024 + 1), 5], limits);
        Assert.Equal("bitfield of 524,289 bytes exceeds the 524,288 bytes accepted before the metadata is known", e.Message);
    }

    [Fact]
    public void Limits_for_a_torrent_without_pieces_take_an_empty_bitfield()
    {
        var empty = WireLimits.ForPieces(0, 16384, 0);
        Assert.Equal(0, empty.BitfieldLength);
        Assert.True(PeerMessageParser.TryParse(new ReadOnlySequence<byte>([0, 0, 0, 1, 5]), empty, out var m, out _));
        Assert.Equal(PeerMessageId.Bitfield, m.Id);
        Assert.Equal(PeerProtocolError.PieceIndexOutOfRange, ParseError(Message(4, U32(0)), empty).Error);
    }

    [Fact]
    public void Limits_refuse_sizes_that_do_not_add_up()
    {
        Assert.Throws<ArgumentException>(() => WireLimits.ForPieces(2, 16384, 40000));
        Assert.Throws<ArgumentException>(() => WireLimits.ForPieces(2, 16384, 16384));
        Assert.Throws<ArgumentOutOfRangeException>(() => WireLimits.ForPieces(2, 16384, 20000, maxBlockLength: 256 * 1024));
        var limits = WireLimits.ForPieces(3, 16384, 2 * 16384 + 1);
        Assert.Equal(1, limits.PieceSize(2));
        Assert.Equal(16384, limits.PieceSize(0));
    }
}
