using System.Buffers;
using System.Buffers.Binary;
using Rustorrent.Metainfo;

namespace Rustorrent.Peers.Wire;

/// <summary>
/// The 68-byte handshake both sides send first (BEP 3): "\x13BitTorrent protocol", 8 reserved bytes (the
/// extensions a client supports), the torrent's 20-byte info hash (a v2 hash truncated, BEP 52) and the
/// sender's peer id. Immutable.
/// </summary>
internal readonly struct PeerHandshake
{
    public const int Length = 68;

    /// <summary>Our reserved bits: BEP 10 extension protocol, BEP 6 fast extension, BEP 5 DHT.</summary>
    public const PeerReservedBits DefaultReserved = PeerReservedBits.ExtensionProtocol | PeerReservedBits.FastExtension | PeerReservedBits.Dht;

    private const int ReservedOffset = 20;
    private const int InfoHashOffset = 28;
    private const int PeerIdOffset = 48;

    public PeerHandshake(InfoHash infoHash, PeerId peerId, PeerReservedBits reserved = DefaultReserved)
    {
        if (infoHash.IsEmpty)
            throw new ArgumentException("The handshake needs an info hash.", nameof(infoHash));
        if (peerId.IsEmpty)
            throw new ArgumentException("The handshake needs a peer id.", nameof(peerId));
        // The wire carries 20 bytes: a v2 hash goes truncated (BEP 52).
        InfoHash = infoHash.Version == InfoHashVersion.V1 ? infoHash : new InfoHash(infoHash.Truncated);
        PeerId = peerId;
        Reserved = reserved;
    }

    /// <summary>"\x13BitTorrent protocol": the protocol name's length, then the name.</summary>
    public static ReadOnlySpan<byte> ProtocolHeader => "\u0013BitTorrent protocol"u8;

    /// <summary>The 20 info hash bytes as sent (always a v1-length hash).</summary>
    public InfoHash InfoHash { get; }

    public PeerId PeerId { get; }

    /// <summary>All 64 reserved bits, known or not.</summary>
    public PeerReservedBits Reserved { get; }

    public bool SupportsExtensionProtocol => (Reserved & PeerReservedBits.ExtensionProtocol) != 0;

    public bool SupportsFastExtension => (Reserved & PeerReservedBits.FastExtension) != 0;

    public bool SupportsDht => (Reserved & PeerReservedBits.Dht) != 0;

    /// <summary>Writes the 68 bytes.</summary>
    public void Write(Span<byte> destination)
    {
        if (destination.Length < Length)
            throw new ArgumentException($"A handshake is {Length} bytes; the destination has {destination.Length}.", nameof(destination));
        ProtocolHeader.CopyTo(destination);
        BinaryPrimitives.WriteUInt64BigEndian(destination[ReservedOffset..], (ulong)Reserved);
        InfoHash.Span.CopyTo(destination[InfoHashOffset..]);
        PeerId.Span.CopyTo(destination[PeerIdOffset..]);
    }

    public void Write(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Write(writer.GetSpan(Length));
        writer.Advance(Length);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        Write(bytes);
        return bytes;
    }

    /// <summary>
    /// Reads a handshake from the start of <paramref name="buffer"/>. False while fewer than 68 bytes are
    /// there; but the protocol header is checked on whatever has arrived, so that a peer speaking something
    /// else (HTTP, an encrypted stream) is refused at its first bytes rather than after a timeout.
    /// </summary>
    /// <exception cref="PeerProtocolException">The bytes are not a BitTorrent handshake.</exception>
    public static bool TryRead(in ReadOnlySequence<byte> buffer, out PeerHandshake handshake)
    {
        handshake = default;
        Span<byte> bytes = stackalloc byte[Length];
        var available = (int)Math.Min(buffer.Length, Length);
        buffer.Slice(0, available).CopyTo(bytes);
        var header = ProtocolHeader;
        var checkable = Math.Min(available, header.Length);
        if (!bytes[..checkable].SequenceEqual(header[..checkable]))
            throw new PeerProtocolException(PeerProtocolError.NotBitTorrent, DescribeWrongHeader(bytes[..checkable]));
        if (available < Length)
            return false;
        handshake = new PeerHandshake(
            new InfoHash(bytes.Slice(InfoHashOffset, InfoHash.V1Length)),
            new PeerId(bytes.Slice(PeerIdOffset, PeerId.Length)),
            (PeerReservedBits)BinaryPrimitives.ReadUInt64BigEndian(bytes[ReservedOffset..]));
        return true;
    }

    public override string ToString() => $"handshake {InfoHash} from {PeerId} (reserved {(ulong)Reserved:x16})";

    private static string DescribeWrongHeader(ReadOnlySpan<byte> start)
    {
        if (start[0] != 19)
            return $"the handshake starts with byte {start[0]}, not 19 (the length of \"BitTorrent protocol\"): not a BitTorrent peer, or an encrypted stream";
        return $"the handshake names the protocol \"{System.Text.Encoding.ASCII.GetString(start[1..])}...\", not \"BitTorrent protocol\"";
    }
}
