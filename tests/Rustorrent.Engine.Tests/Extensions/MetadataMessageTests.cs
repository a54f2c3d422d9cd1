using System.Text;
using Rustorrent.Peers.Extensions;

namespace Rustorrent.Engine.Tests.Extensions;

public sealed class MetadataMessageTests
{
    [Fact]
    public void Writes_the_bytes_of_BEP_9s_examples()
    {
        Assert.Equal("d8:msg_typei0e5:piecei0ee", Text(MetadataMessage.Request(0).Encode()));
        Assert.Equal("d8:msg_typei2e5:piecei0ee", Text(MetadataMessage.Reject(0).Encode()));
        Assert.Equal("d8:msg_typei1e5:piecei0e10:total_sizei34256eexxxx", Text(MetadataMessage.DataPiece(0, 34256, "xxxx"u8.ToArray()).Encode()));
    }

    [Fact]
    public void Reads_a_data_message_with_the_piece_after_the_dictionary()
    {
        var data = Enumerable.Range(0, MetadataMessage.PieceSize).Select(i => (byte)i).ToArray();
        byte[] payload = [.. "d8:msg_typei1e5:piecei1e10:total_sizei40000ee"u8, .. data];

        Assert.True(MetadataMessage.TryParse(payload, out var message, out var error), error);
        Assert.Equal(MetadataMessageType.Data, message.Type);
        Assert.Equal(1, message.Piece);
        Assert.Equal(40000, message.TotalSize);
        Assert.Equal(data, message.Data.ToArray());
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(2, 2047)]
    [InlineData(1, 5)]
    public void Round_trips(int type, int piece)
    {
        var original = (MetadataMessageType)type switch
        {
            MetadataMessageType.Request => MetadataMessage.Request(piece),
            MetadataMessageType.Reject => MetadataMessage.Reject(piece),
            _ => MetadataMessage.DataPiece(piece, 100_000, new byte[] { 1, 2, 3 }),
        };

        Assert.True(MetadataMessage.TryParse(original.Encode(), out var back, out _));
        Assert.Equal(original.Type, back.Type);
        Assert.Equal(original.Piece, back.Piece);
        Assert.Equal(original.TotalSize, back.TotalSize);
        Assert.Equal(original.Data.ToArray(), back.Data.ToArray());
    }

    [Fact]
    public void Tolerates_extra_keys_and_key_order_of_other_clients()
    {
        Assert.True(MetadataMessage.TryParse("d5:piecei3e8:msg_typei0e4:xtrai9ee"u8.ToArray(), out var message, out _));
        Assert.Equal(MetadataMessageType.Request, message.Type);
        Assert.Equal(3, message.Piece);
    }

    [Theory]
    [InlineData("", "not bencode")]
    [InlineData("le", "not a dictionary")]
    [InlineData("d5:piecei0ee", "no integer msg_type")]
    [InlineData("d8:msg_typei0ee", "no integer piece")]
    [InlineData("d8:msg_type1:05:piecei0ee", "no integer msg_type")]
    [InlineData("d8:msg_typei7e5:piecei0ee", "unknown ut_metadata msg_type 7")]
    [InlineData("d8:msg_typei0e5:piecei-1ee", "outside")]
    [InlineData("d8:msg_typei0e5:piecei2048ee", "outside")]
    [InlineData("d8:msg_typei0e5:piecei99999999999999999ee", "outside")]
    [InlineData("d8:msg_typei0e5:piecei0eeEXTRA", "after a ut_metadata Request")]
    [InlineData("d8:msg_typei1e5:piecei0eexx", "no valid total_size")]
    [InlineData("d8:msg_typei1e5:piecei0e10:total_sizei-3eexx", "no valid total_size")]
    [InlineData("d8:msg_typei1e5:piecei0e10:total_sizeld1:ai1eeeexx", "no valid total_size")]
    [InlineData("d8:msg_typei0e5:pieceddddddi0eeeeeeeee", "not bencode")]
    public void Refuses_malformed_messages(string text, string reason)
    {
        Assert.False(MetadataMessage.TryParse(Encoding.Latin1.GetBytes(text), out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Refuses_a_piece_larger_than_16_KiB()
    {
        byte[] payload = [.. "d8:msg_typei1e5:piecei0e10:total_sizei99999ee"u8, .. new byte[MetadataMessage.PieceSize + 1]];
        Assert.False(MetadataMessage.TryParse(payload, out _, out var error));
        Assert.Contains("at most 16,384", error);
    }

    [Fact]
    public void A_header_with_a_flood_of_values_is_refused_without_reading_them_all()
    {
        var flood = "d8:msg_typei0e5:piecei0e1:x" + "l" + string.Concat(Enumerable.Repeat("i1e", 100_000)) + "ee";
        Assert.False(MetadataMessage.TryParse(Encoding.Latin1.GetBytes(flood), out _, out var error));
        Assert.Contains("not bencode", error);
    }

    private static string Text(byte[] bytes) => Encoding.Latin1.GetString(bytes);
}
