using System.Buffers;
using System.Text;
using Rustorrent.Metadata;
using Rustorrent.Metainfo;
using Rustorrent.Peers.Extensions;

namespace Rustorrent.Engine.Tests.Metadata;

public sealed class MetadataResponderTests
{
    private readonly byte[] info = MetadataTestData.InfoDictionary();

    [Fact]
    public void Answers_each_request_with_its_piece_and_the_total_size()
    {
        var responder = new MetadataResponder(info);
        Assert.Equal(info.Length, responder.MetadataSize);
        Assert.Equal(3, responder.PieceCount);

        var assembled = new List<byte>();
        for (var piece = 0; piece < 3; piece++)
        {
            var reply = responder.Respond(Sequence(MetadataMessage.Request(piece).Encode()), out var ignored);
            Assert.Null(ignored);
            Assert.True(MetadataMessage.TryParse(reply!, out var data, out _));
            Assert.Equal(MetadataMessageType.Data, data.Type);
            Assert.Equal(piece, data.Piece);
            Assert.Equal(info.Length, data.TotalSize);
            assembled.AddRange(data.Data.ToArray());
        }
        Assert.Equal(info, assembled);
    }

    [Fact]
    public void Rejects_a_piece_past_the_end()
    {
        var reply = new MetadataResponder(info).Respond(Sequence("d8:msg_typei0e5:piecei3ee"u8.ToArray()), out _);
        Assert.Equal("d8:msg_typei2e5:piecei3ee", Encoding.Latin1.GetString(reply!));
    }

    [Theory]
    [InlineData("d8:msg_typei1e5:piecei0e10:total_sizei3eeabc", "did not ask for")]
    [InlineData("d8:msg_typei2e5:piecei0ee", "did not ask for")]
    [InlineData("d8:msg_typei9e5:piecei0ee", "unknown ut_metadata msg_type")]
    [InlineData("garbage", "not bencode")]
    public void Gives_no_reply_to_what_is_not_a_request(string text, string reason)
    {
        Assert.Null(new MetadataResponder(info).Respond(Sequence(Encoding.Latin1.GetBytes(text)), out var ignored));
        Assert.Contains(reason, ignored);
    }

    [Fact]
    public void Serves_a_parsed_torrents_exact_info_bytes()
    {
        var torrent = TorrentMetainfo.ParseInfoDictionary(info);
        var responder = MetadataResponder.For(torrent);
        Assert.Equal(info.Length, responder.MetadataSize);
        Assert.Equal(info.AsSpan(0, MetadataMessage.PieceSize).ToArray(), responder.Reply(0).Data.ToArray());
    }

    [Fact]
    public void Refuses_to_serve_nothing_or_more_than_the_cap()
    {
        Assert.Throws<ArgumentException>(() => new MetadataResponder(ReadOnlyMemory<byte>.Empty));
        Assert.Throws<ArgumentException>(() => new MetadataResponder(new byte[MetadataMessage.MaxMetadataSize + 1]));
    }

    private static ReadOnlySequence<byte> Sequence(byte[] bytes) => new(bytes);
}
