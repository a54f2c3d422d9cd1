using System.Buffers;
using System.Buffers.Binary;

namespace Rustorrent.Peers.Wire;

/// <summary>
/// Writes peer wire messages (BEP 3, BEP 5, BEP 6, BEP 10) into a buffer writer such as a
/// <see cref="System.IO.Pipelines.PipeWriter"/>: each asks for its exact size once and writes the bytes in
/// place, so many messages (a batch of requests, a piece after its have) go out in one flush.
/// </summary>
internal static class PeerMessageWriter
{
    public const int RequestMessageLength = 17;
    public const int PieceHeaderLength = 13;

    public static void WriteKeepAlive(IBufferWriter<byte> writer)
    {
        var span = writer.GetSpan(4);
        BinaryPrimitives.WriteUInt32BigEndian(span, 0);
        writer.Advance(4);
    }

    /// <summary>choke, unchoke, interested, not interested, have all, have none: a length of 1 and the id.</summary>
    public static void WriteSimple(IBufferWriter<byte> writer, PeerMessageId id)
    {
        if (id is not (PeerMessageId.Choke or PeerMessageId.Unchoke or PeerMessageId.Interested or PeerMessageId.NotInterested
            or PeerMessageId.HaveAll or PeerMessageId.HaveNone))
            throw new ArgumentException($"{id} is not a message without payload.", nameof(id));
        var span = writer.GetSpan(5);
        BinaryPrimitives.WriteUInt32BigEndian(span, 1);
        span[4] = (byte)id;
        writer.Advance(5);
    }

    public static void WriteHave(IBufferWriter<byte> writer, int pieceIndex) => WriteIndexMessage(writer, PeerMessageId.Have, pieceIndex);

    public static void WriteSuggest(IBufferWriter<byte> writer, int pieceIndex) => WriteIndexMessage(writer, PeerMessageId.Suggest, pieceIndex);

    public static void WriteAllowedFast(IBufferWriter<byte> writer, int pieceIndex) => WriteIndexMessage(writer, PeerMessageId.AllowedFast, pieceIndex);

    public static void WriteBitfield(IBufferWriter<byte> writer, ReadOnlySpan<byte> bitfield)
    {
        var span = writer.GetSpan(5 + bitfield.Length);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)(1 + bitfield.Length));
        span[4] = (byte)PeerMessageId.Bitfield;
        bitfield.CopyTo(span[5..]);
        writer.Advance(5 + bitfield.Length);
    }

    public static void WriteRequest(IBufferWriter<byte> writer, BlockRequest block) => WriteBlockMessage(writer, PeerMessageId.Request, block);

    /// <summary>Many requests in one contiguous run (17 bytes each), for one flush.</summary>
    public static void WriteRequests(IBufferWriter<byte> writer, ReadOnlySpan<BlockRequest> blocks)
    {
        if (blocks.IsEmpty)
            return;
        var span = writer.GetSpan(blocks.Length * RequestMessageLength);
        for (var i = 0; i < blocks.Length; i++)
            WriteBlockMessage(span.Slice(i * RequestMessageLength), PeerMessageId.Request, blocks[i]);
        writer.Advance(blocks.Length * RequestMessageLength);
    }

    public static void WriteCancel(IBufferWriter<byte> writer, BlockRequest block) => WriteBlockMessage(writer, PeerMessageId.Cancel, block);

    public static void WriteReject(IBufferWriter<byte> writer, BlockRequest block) => WriteBlockMessage(writer, PeerMessageId.Reject, block);

    /// <summary>The 13-byte header of a piece message whose block of <paramref name="blockLength"/> bytes the caller writes next.</summary>
    public static void WritePieceHeader(IBufferWriter<byte> writer, int pieceIndex, int begin, int blockLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pieceIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(begin);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockLength);
        var span = writer.GetSpan(PieceHeaderLength);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)(9 + blockLength));
        span[4] = (byte)PeerMessageId.Piece;
        BinaryPrimitives.WriteUInt32BigEndian(span[5..], (uint)pieceIndex);
        BinaryPrimitives.WriteUInt32BigEndian(span[9..], (uint)begin);
        writer.Advance(PieceHeaderLength);
    }

    /// <summary>A piece message: header and block in one span, so the block is copied once, into the output buffer.</summary>
    public static void WritePiece(IBufferWriter<byte> writer, int pieceIndex, int begin, ReadOnlySpan<byte> block)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pieceIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(begin);
        if (block.IsEmpty)
            throw new ArgumentException("A piece message carries a block of at least one byte.", nameof(block));
        var span = writer.GetSpan(PieceHeaderLength + block.Length);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)(9 + block.Length));
        span[4] = (byte)PeerMessageId.Piece;
        BinaryPrimitives.WriteUInt32BigEndian(span[5..], (uint)pieceIndex);
        BinaryPrimitives.WriteUInt32BigEndian(span[9..], (uint)begin);
        block.CopyTo(span[PieceHeaderLength..]);
        writer.Advance(PieceHeaderLength + block.Length);
    }

    /// <summary>BEP 5: the port our DHT node listens on.</summary>
    public static void WritePort(IBufferWriter<byte> writer, int port)
    {
        if ((uint)port > ushort.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(port), port, "A port is a number from 0 to 65535.");
        var span = writer.GetSpan(7);
        BinaryPrimitives.WriteUInt32BigEndian(span, 3);
        span[4] = (byte)PeerMessageId.Port;
        BinaryPrimitives.WriteUInt16BigEndian(span[5..], (ushort)port);
        writer.Advance(7);
    }

    /// <summary>BEP 10: an extension message; id 0 is the extension handshake.</summary>
    public static void WriteExtended(IBufferWriter<byte> writer, byte extendedId, ReadOnlySpan<byte> payload)
    {
        var span = writer.GetSpan(6 + payload.Length);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)(2 + payload.Length));
        span[4] = (byte)PeerMessageId.Extended;
        span[5] = extendedId;
        payload.CopyTo(span[6..]);
        writer.Advance(6 + payload.Length);
    }

    private static void WriteIndexMessage(IBufferWriter<byte> writer, PeerMessageId id, int pieceIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pieceIndex);
        var span = writer.GetSpan(9);
        BinaryPrimitives.WriteUInt32BigEndian(span, 5);
        span[4] = (byte)id;
        BinaryPrimitives.WriteUInt32BigEndian(span[5..], (uint)pieceIndex);
        writer.Advance(9);
    }

    private static void WriteBlockMessage(IBufferWriter<byte> writer, PeerMessageId id, BlockRequest block)
    {
        WriteBlockMessage(writer.GetSpan(RequestMessageLength), id, block);
        writer.Advance(RequestMessageLength);
    }

    private static void WriteBlockMessage(Span<byte> span, PeerMessageId id, BlockRequest block)
    {
        if (block.PieceIndex < 0 || block.Begin < 0 || block.Length <= 0)
            throw new ArgumentException($"{id} for {block}: index and offset must not be negative and the length must be positive.", nameof(block));
        BinaryPrimitives.WriteUInt32BigEndian(span, 13);
        span[4] = (byte)id;
        BinaryPrimitives.WriteUInt32BigEndian(span[5..], (uint)block.PieceIndex);
        BinaryPrimitives.WriteUInt32BigEndian(span[9..], (uint)block.Begin);
        BinaryPrimitives.WriteUInt32BigEndian(span[13..], (uint)block.Length);
    }
}
