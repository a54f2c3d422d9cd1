using System.Buffers;
using System.Globalization;

namespace Rustorrent.Peers.Wire;

/// <summary>
/// One message as read from the wire, without copying: the fixed fields decoded, and the variable part
/// (a bitfield, a piece's block, an extension message's payload) as a slice of the reader's buffer that is
/// valid only until the next read. A consumer copies a block once, into its piece buffer.
/// </summary>
internal readonly struct PeerMessage
{
    private PeerMessage(PeerMessageId id, int index, int begin, int length, ReadOnlySequence<byte> payload)
    {
        Id = id;
        PieceIndex = index;
        Begin = begin;
        Length = length;
        Payload = payload;
    }

    public PeerMessageId Id { get; }

    /// <summary>have, suggest, allowed fast, request, cancel, reject, piece: the piece index.</summary>
    public int PieceIndex { get; }

    /// <summary>request, cancel, reject, piece: the block's offset in its piece.</summary>
    public int Begin { get; }

    /// <summary>request, cancel, reject: the block length asked for; piece: the block's length (its payload's).</summary>
    public int Length { get; }

    /// <summary>bitfield: its bytes; piece: the block; extended: the payload after the extended id. Valid until the next read.</summary>
    public ReadOnlySequence<byte> Payload { get; }

    /// <summary>port (BEP 5): the DHT port.</summary>
    public int Port => PieceIndex;

    /// <summary>extended (BEP 10): the extended message id (0 is the extension handshake).</summary>
    public byte ExtendedId => (byte)PieceIndex;

    /// <summary>The block a request, cancel, reject or piece names.</summary>
    public BlockRequest Block => new(PieceIndex, Begin, Length);

    internal static PeerMessage Simple(PeerMessageId id) => new(id, 0, 0, 0, default);

    internal static PeerMessage WithIndex(PeerMessageId id, int index) => new(id, index, 0, 0, default);

    internal static PeerMessage WithBlock(PeerMessageId id, int index, int begin, int length) => new(id, index, begin, length, default);

    internal static PeerMessage Piece(int index, int begin, ReadOnlySequence<byte> block) => new(PeerMessageId.Piece, index, begin, (int)block.Length, block);

    internal static PeerMessage Bitfield(ReadOnlySequence<byte> bits) => new(PeerMessageId.Bitfield, 0, 0, (int)bits.Length, bits);

    internal static PeerMessage Extended(byte extendedId, ReadOnlySequence<byte> payload) => new(PeerMessageId.Extended, extendedId, 0, (int)payload.Length, payload);

    internal static PeerMessage PortMessage(int port) => new(PeerMessageId.Port, port, 0, 0, default);

    /// <summary>A message id we do not know: <see cref="Length"/> payload bytes follow, to be skipped.</summary>
    internal static PeerMessage Unknown(byte id, int payloadLength) => new((PeerMessageId)id, 0, 0, payloadLength, default);

    /// <summary>True for an id this parser does not know (it has been skipped).</summary>
    public bool IsUnknown => Id is not (PeerMessageId.KeepAlive or (>= PeerMessageId.Choke and <= PeerMessageId.Port) or (>= PeerMessageId.Suggest and <= PeerMessageId.AllowedFast) or PeerMessageId.Extended);

    public override string ToString() => Id switch
    {
        PeerMessageId.Have or PeerMessageId.Suggest or PeerMessageId.AllowedFast => string.Create(CultureInfo.InvariantCulture, $"{Id} {PieceIndex}"),
        PeerMessageId.Request or PeerMessageId.Cancel or PeerMessageId.Reject or PeerMessageId.Piece => $"{Id} {Block}",
        PeerMessageId.Bitfield => string.Create(CultureInfo.InvariantCulture, $"Bitfield ({Length:N0} bytes)"),
        PeerMessageId.Extended => string.Create(CultureInfo.InvariantCulture, $"Extended {ExtendedId} ({Length:N0} bytes)"),
        PeerMessageId.Port => string.Create(CultureInfo.InvariantCulture, $"Port {Port}"),
        _ => IsUnknown ? string.Create(CultureInfo.InvariantCulture, $"unknown message {(int)Id} ({Length:N0} bytes)") : Id.ToString(),
    };
}
