using System.Buffers;
using Rustorrent.Peers.Wire;
using static Rustorrent.Engine.Tests.Peers.Wire.WireBytes;

namespace Rustorrent.Engine.Tests.Peers.Wire;

/// <summary>Every message type: the writer's bytes are the BEP's bytes, and the reader gives back the fields.</summary>
public class PeerMessageRoundTripTests
{
    public static TheoryData<string> Kinds => new(Cases.Keys);

    private static readonly Dictionary<string, (Action<IBufferWriter<byte>> Write, byte[] Expected, ReadMessage Read)> Cases = new()
    {
        ["keep-alive"] = (PeerMessageWriter.WriteKeepAlive, [0, 0, 0, 0], new(PeerMessageId.KeepAlive, 0, 0, 0, [])),
        ["choke"] = (w => PeerMessageWriter.WriteSimple(w, PeerMessageId.Choke), [0, 0, 0, 1, 0], new(PeerMessageId.Choke, 0, 0, 0, [])),
        ["unchoke"] = (w => PeerMessageWriter.WriteSimple(w, PeerMessageId.Unchoke), [0, 0, 0, 1, 1], new(PeerMessageId.Unchoke, 0, 0, 0, [])),
        ["interested"] = (w => PeerMessageWriter.WriteSimple(w, PeerMessageId.Interested), [0, 0, 0, 1, 2], new(PeerMessageId.Interested, 0, 0, 0, [])),
        ["not interested"] = (w => PeerMessageWriter.WriteSimple(w, PeerMessageId.NotInterested), [0, 0, 0, 1, 3], new(PeerMessageId.NotInterested, 0, 0, 0, [])),
        ["have"] = (w => PeerMessageWriter.WriteHave(w, 39), [0, 0, 0, 5, 4, 0, 0, 0, 39], new(PeerMessageId.Have, 39, 0, 0, [])),
        ["bitfield"] = (w => PeerMessageWriter.WriteBitfield(w, [0xff, 0x00, 0xa5, 0x5a, 0x81]), [0, 0, 0, 6, 5, 0xff, 0x00, 0xa5, 0x5a, 0x81],
            new(PeerMessageId.Bitfield, 0, 0, 5, [0xff, 0x00, 0xa5, 0x5a, 0x81])),
        ["request"] = (w => PeerMessageWriter.WriteRequest(w, new BlockRequest(3, 16384, 16384)), [0, 0, 0, 13, 6, 0, 0, 0, 3, 0, 0, 0x40, 0, 0, 0, 0x40, 0],
            new(PeerMessageId.Request, 3, 16384, 16384, [])),
        ["piece"] = (w => PeerMessageWriter.WritePiece(w, 39, 8192, [1, 2, 3]), [0, 0, 0, 12, 7, 0, 0, 0, 39, 0, 0, 0x20, 0, 1, 2, 3],
            new(PeerMessageId.Piece, 39, 8192, 3, [1, 2, 3])),
        ["cancel"] = (w => PeerMessageWriter.WriteCancel(w, new BlockRequest(0, 0, 100)), [0, 0, 0, 13, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100],
            new(PeerMessageId.Cancel, 0, 0, 100, [])),
        ["port"] = (w => PeerMessageWriter.WritePort(w, 6881), [0, 0, 0, 3, 9, 0x1a, 0xe1], new(PeerMessageId.Port, 6881, 0, 0, [])),
        ["suggest"] = (w => PeerMessageWriter.WriteSuggest(w, 7), [0, 0, 0, 5, 13, 0, 0, 0, 7], new(PeerMessageId.Suggest, 7, 0, 0, [])),
        ["have all"] = (w => PeerMessageWriter.WriteSimple(w, PeerMessageId.HaveAll), [0, 0, 0, 1, 14], new(PeerMessageId.HaveAll, 0, 0, 0, [])),
        ["have none"] = (w => PeerMessageWriter.WriteSimple(w, PeerMessageId.HaveNone), [0, 0, 0, 1, 15], new(PeerMessageId.HaveNone, 0, 0, 0, [])),
        ["reject"] = (w => PeerMessageWriter.WriteReject(w, new BlockRequest(1, 0, 16384)), [0, 0, 0, 13, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 0],
            new(PeerMessageId.Reject, 1, 0, 16384, [])),
        ["allowed fast"] = (w => PeerMessageWriter.WriteAllowedFast(w, 12), [0, 0, 0, 5, 17, 0, 0, 0, 12], new(PeerMessageId.AllowedFast, 12, 0, 0, [])),
        ["extended"] = (w => PeerMessageWriter.WriteExtended(w, 0, "d1:md11:ut_metadatai3eee"u8), [0, 0, 0, 26, 20, 0, .. "d1:md11:ut_metadatai3eee"u8],
            new(PeerMessageId.Extended, 0, 0, 24, "d1:md11:ut_metadatai3eee"u8.ToArray())),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Writes_the_bep_bytes_and_reads_them_back(string kind)
    {
        var (write, expected, read) = Cases[kind];
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        Assert.Equal(expected, buffer.WrittenSpan.ToArray());

        var messages = await ReadAllAsync(expected, Limits);
        Assert.Equal([read], messages);
    }

    [Fact]
    public async Task All_message_types_in_one_stream_read_back_in_order_also_one_byte_at_a_time()
    {
        var all = Cases.Values.SelectMany(c => c.Expected).ToArray();
        var expected = Cases.Values.Select(c => c.Read).ToList();

        Assert.Equal(expected, await ReadAllAsync(all, Limits));
        Assert.Equal(expected, await ReadAllAsync(all, Limits, chunk: 1));
        Assert.Equal(expected, await ReadAllAsync(all, Limits, chunk: 7));
    }

    [Fact]
    public async Task A_batch_of_requests_is_17_bytes_each_in_one_run()
    {
        var blocks = Enumerable.Range(0, 100).Select(i => new BlockRequest(i % (PieceCount - 1), (i % 2) * 16384, 16384)).ToArray();
        var buffer = new ArrayBufferWriter<byte>();
        PeerMessageWriter.WriteRequests(buffer, blocks);

        Assert.Equal(100 * 17, buffer.WrittenCount);
        var single = new ArrayBufferWriter<byte>();
        foreach (var b in blocks)
            PeerMessageWriter.WriteRequest(single, b);
        Assert.Equal(single.WrittenSpan.ToArray(), buffer.WrittenSpan.ToArray());
        var read = await ReadAllAsync(buffer.WrittenSpan.ToArray(), Limits);
        Assert.Equal(blocks, read.Select(m => new BlockRequest(m.PieceIndex, m.Begin, m.Length)));
    }

    [Fact]
    public async Task Full_16_KiB_blocks_split_across_segments_come_back_byte_for_byte()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var blocks = Enumerable.Range(0, 10).Select(i => Block(16384, i)).ToArray();
        for (var i = 0; i < blocks.Length; i++)
            PeerMessageWriter.WritePiece(buffer, i, 16384, blocks[i]);
        PeerMessageWriter.WritePiece(buffer, PieceCount - 1, 0, Block(LastPieceLength, 99));

        var read = await WireBytes.ReadAllAsync(buffer.WrittenSpan.ToArray(), Limits, chunk: 5000);

        Assert.Equal(11, read.Count);
        for (var i = 0; i < blocks.Length; i++)
            Assert.Equal(new ReadMessage(PeerMessageId.Piece, i, 16384, 16384, blocks[i]), read[i]);
        Assert.Equal(Block(LastPieceLength, 99), read[10].Payload);
    }

    [Fact]
    public void Writer_refuses_what_no_peer_could_read()
    {
        var buffer = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => PeerMessageWriter.WriteSimple(buffer, PeerMessageId.Have));
        Assert.Throws<ArgumentException>(() => PeerMessageWriter.WriteRequest(buffer, new BlockRequest(0, 0, 0)));
        Assert.Throws<ArgumentException>(() => PeerMessageWriter.WritePiece(buffer, 0, 0, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => PeerMessageWriter.WriteHave(buffer, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PeerMessageWriter.WritePort(buffer, 70000));
        Assert.Equal(0, buffer.WrittenCount);
    }
}
