using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Rustorrent.Peers.Wire;

/// <summary>
/// Decodes one peer wire message (BEP 3, BEP 5, BEP 6, BEP 10) from the front of a byte sequence, checking
/// it against <see cref="WireLimits"/> from its header alone: a length prefix above the limits is refused
/// as soon as its 4 bytes are in, before anything waits for (or buffers) the body. Nothing is allocated or
/// copied: the fixed fields are decoded from at most 17 header bytes and variable parts are slices.
/// </summary>
internal static class PeerMessageParser
{
    public const int LengthPrefixSize = 4;

    // length, id, and at most three 4-byte fields (request, cancel, reject).
    private const int MaxHeaderSize = LengthPrefixSize + 1 + 12;

    /// <summary>
    /// Parses the message at the start of <paramref name="buffer"/>. False when more bytes are needed. For an
    /// id we do not know, returns <see cref="PeerMessage.Unknown"/> after its 5-byte header with
    /// <see cref="PeerMessage.Length"/> body bytes still to skip (the caller skips them as they come, so an
    /// unknown message never needs to be buffered whole).
    /// </summary>
    /// <param name="consumed">Bytes the message (or, for an unknown one, its header) takes.</param>
    /// <exception cref="PeerProtocolException">The message breaks the protocol or the limits.</exception>
    public static bool TryParse(in ReadOnlySequence<byte> buffer, in WireLimits limits, out PeerMessage message, out long consumed)
    {
        var header = buffer.FirstSpan;
        if (header.Length < MaxHeaderSize && buffer.Length > header.Length)
        {
            // The header straddles segments: copy its few bytes (never the body).
            Span<byte> copy = stackalloc byte[MaxHeaderSize];
            var n = (int)Math.Min(buffer.Length, MaxHeaderSize);
            buffer.Slice(0, n).CopyTo(copy);
            return ParseHeader(copy[..n], buffer, limits, out message, out consumed);
        }
        return ParseHeader(header, buffer, limits, out message, out consumed);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool ParseHeader(ReadOnlySpan<byte> header, in ReadOnlySequence<byte> buffer, in WireLimits limits, out PeerMessage message, out long consumed)
    {
        message = default;
        consumed = 0;
        if (header.Length < LengthPrefixSize)
            return false;
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length == 0)
        {
            message = PeerMessage.Simple(PeerMessageId.KeepAlive);
            consumed = LengthPrefixSize;
            return true;
        }
        if (length > (uint)limits.MaxMessageLength)
            throw new PeerProtocolException(PeerProtocolError.MessageTooLong, string.Create(CultureInfo.InvariantCulture,
                $"message length {length:N0} exceeds the {limits.MaxMessageLength:N0} bytes this torrent allows ({limits})"));
        if (header.Length < LengthPrefixSize + 1)
            return false;

        var id = header[LengthPrefixSize];
        var total = LengthPrefixSize + (long)length;
        var fields = header[(LengthPrefixSize + 1)..];
        switch ((PeerMessageId)id)
        {
            case PeerMessageId.Choke:
            case PeerMessageId.Unchoke:
            case PeerMessageId.Interested:
            case PeerMessageId.NotInterested:
            case PeerMessageId.HaveAll:
            case PeerMessageId.HaveNone:
                ExpectLength(id, length, 1);
                message = PeerMessage.Simple((PeerMessageId)id);
                break;

            case PeerMessageId.Have:
            case PeerMessageId.Suggest:
            case PeerMessageId.AllowedFast:
            {
                ExpectLength(id, length, 5);
                if (fields.Length < 4)
                    return false;
                var index = ReadIndex(fields, id, limits);
                message = PeerMessage.WithIndex((PeerMessageId)id, index);
                break;
            }

            case PeerMessageId.Request:
            case PeerMessageId.Cancel:
            case PeerMessageId.Reject:
            {
                ExpectLength(id, length, 13);
                if (fields.Length < 12)
                    return false;
                var index = ReadIndex(fields, id, limits);
                var begin = BinaryPrimitives.ReadUInt32BigEndian(fields[4..]);
                var blockLength = BinaryPrimitives.ReadUInt32BigEndian(fields[8..]);
                CheckBlock(id, index, begin, blockLength, limits);
                message = PeerMessage.WithBlock((PeerMessageId)id, index, (int)begin, (int)blockLength);
                break;
            }

            case PeerMessageId.Piece:
            {
                if (length <= 9)
                    throw WrongLength(id, length, "at least 10 (index, offset and a block of at least one byte)");
                if (fields.Length < 8)
                    return false;
                var index = ReadIndex(fields, id, limits);
                var begin = BinaryPrimitives.ReadUInt32BigEndian(fields[4..]);
                CheckBlock(id, index, begin, length - 9, limits);
                if (buffer.Length < total)
                    return false;
                message = PeerMessage.Piece(index, (int)begin, buffer.Slice(LengthPrefixSize + 9, length - 9));
                break;
            }

            case PeerMessageId.Bitfield:
            {
                var bytes = length - 1;
                if (limits.HasPieces && bytes != (uint)limits.BitfieldLength)
                    throw new PeerProtocolException(PeerProtocolError.InvalidBitfield, string.Create(CultureInfo.InvariantCulture,
                        $"bitfield of {bytes:N0} bytes for a torrent of {limits.PieceCount:N0} pieces needs {limits.BitfieldLength:N0}"));
                if (!limits.HasPieces && bytes > (uint)limits.MaxUnknownBitfieldLength)
                    throw new PeerProtocolException(PeerProtocolError.InvalidBitfield, string.Create(CultureInfo.InvariantCulture,
                        $"bitfield of {bytes:N0} bytes exceeds the {limits.MaxUnknownBitfieldLength:N0} bytes accepted before the metadata is known"));
                if (buffer.Length < total)
                    return false;
                var bits = buffer.Slice(LengthPrefixSize + 1, bytes);
                if (limits.HasPieces && bytes > 0)
                    CheckSpareBits(bits, limits.PieceCount);
                message = PeerMessage.Bitfield(bits);
                break;
            }

            case PeerMessageId.Port:
                ExpectLength(id, length, 3);
                if (fields.Length < 2)
                    return false;
                message = PeerMessage.PortMessage(BinaryPrimitives.ReadUInt16BigEndian(fields));
                break;

            case PeerMessageId.Extended:
            {
                if (length < 2)
                    throw WrongLength(id, length, "at least 2 (the extended id)");
                if (length - 2 > (uint)limits.MaxExtendedLength)
                    throw new PeerProtocolException(PeerProtocolError.MessageTooLong, string.Create(CultureInfo.InvariantCulture,
                        $"extension message of {length - 2:N0} bytes exceeds the {limits.MaxExtendedLength:N0}-byte limit"));
                if (buffer.Length < total)
                    return false;
                message = PeerMessage.Extended(fields[0], buffer.Slice(LengthPrefixSize + 2, length - 2));
                break;
            }

            default:
                // BEP 3: unknown messages are ignored; the length cap above has bounded them already.
                message = PeerMessage.Unknown(id, (int)(length - 1));
                consumed = LengthPrefixSize + 1;
                return true;
        }
        consumed = total;
        return true;
    }

    private static void ExpectLength(byte id, uint length, uint expected)
    {
        if (length != expected)
            throw WrongLength(id, length, expected.ToString(CultureInfo.InvariantCulture));
    }

    private static PeerProtocolException WrongLength(byte id, uint length, string expected) =>
        new(PeerProtocolError.WrongMessageLength, string.Create(CultureInfo.InvariantCulture,
            $"{Name(id)} with length {length:N0}; its length is {expected}"));

    private static int ReadIndex(ReadOnlySpan<byte> fields, byte id, in WireLimits limits)
    {
        var index = BinaryPrimitives.ReadUInt32BigEndian(fields);
        if (limits.HasPieces ? index >= (uint)limits.PieceCount : index > int.MaxValue)
            throw new PeerProtocolException(PeerProtocolError.PieceIndexOutOfRange, string.Create(CultureInfo.InvariantCulture,
                $"{Name(id)} for piece index {index:N0} beyond the torrent's {limits.PieceCount:N0} pieces"));
        return (int)index;
    }

    private static void CheckBlock(byte id, int index, uint begin, uint length, in WireLimits limits)
    {
        if (length == 0)
            throw InvalidBlock(id, index, begin, length, "an empty block");
        if (length > (uint)limits.MaxBlockLength)
            throw InvalidBlock(id, index, begin, length, string.Create(CultureInfo.InvariantCulture, $"blocks are at most {limits.MaxBlockLength:N0} bytes"));
        var pieceSize = limits.HasPieces ? limits.PieceSize(index) : int.MaxValue;
        if ((ulong)begin + length > (ulong)pieceSize)
            throw InvalidBlock(id, index, begin, length, string.Create(CultureInfo.InvariantCulture, $"it runs past the end of the {pieceSize:N0}-byte piece"));
    }

    private static PeerProtocolException InvalidBlock(byte id, int index, uint begin, uint length, string why) =>
        new(PeerProtocolError.InvalidBlock, string.Create(CultureInfo.InvariantCulture,
            $"{Name(id)} for piece {index:N0} offset {begin:N0} ({length:N0} bytes): {why}"));

    // BEP 3: "Spare bits at the end are set to zero. Clients SHOULD drop the connection if they receive
    // bitfields that are not of the correct size, or if the bitfield has any of the spare bits set."
    private static void CheckSpareBits(in ReadOnlySequence<byte> bits, int pieceCount)
    {
        var spare = (int)(bits.Length * 8 - pieceCount);
        if (spare == 0)
            return;
        var last = bits.Slice(bits.Length - 1).FirstSpan[0];
        var mask = (byte)((1 << spare) - 1);
        if ((last & mask) != 0)
            throw new PeerProtocolException(PeerProtocolError.InvalidBitfield, string.Create(CultureInfo.InvariantCulture,
                $"bitfield has spare bits set after piece {pieceCount - 1:N0} (last byte 0x{last:x2})"));
    }

    private static string Name(byte id) => (PeerMessageId)id switch
    {
        PeerMessageId.Piece => "piece message",
        PeerMessageId.NotInterested => "not interested",
        PeerMessageId.HaveAll => "have all",
        PeerMessageId.HaveNone => "have none",
        PeerMessageId.AllowedFast => "allowed fast",
        var known => known.ToString().ToLowerInvariant(),
    };
}
