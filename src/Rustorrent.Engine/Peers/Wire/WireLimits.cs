using System.Globalization;
using Rustorrent.Metainfo;

namespace Rustorrent.Peers.Wire;

/// <summary>
/// What one torrent allows on the wire, so that <see cref="PeerMessageParser"/> can refuse a message from its
/// header alone: the exact bitfield size, the piece count and piece sizes (for have/request/piece/... indexes
/// and offsets), the largest block and the largest extension message. Before the metadata is known (a magnet
/// link) only the caps apply.
/// </summary>
internal readonly struct WireLimits
{
    /// <summary>The block size every client requests (BEP 3 practice; libtorrent refuses larger requests).</summary>
    public const int StandardBlockLength = 16 * 1024;

    /// <summary>Extension messages (BEP 10) carry at most a 16 KiB ut_metadata piece plus its bencoded
    /// header, or a PEX list; 1 MiB leaves room and still bounds what one message can make us buffer.</summary>
    public const int DefaultMaxExtendedLength = 1024 * 1024;

    /// <summary>Before the metadata, a bitfield is accepted up to this size (4 million pieces).</summary>
    public const int DefaultMaxUnknownBitfieldLength = 512 * 1024;

    private WireLimits(int pieceCount, int pieceLength, int lastPieceLength, int maxBlockLength, int maxExtendedLength, int maxUnknownBitfieldLength)
    {
        PieceCount = pieceCount;
        PieceLength = pieceLength;
        LastPieceLength = lastPieceLength;
        MaxBlockLength = maxBlockLength;
        MaxExtendedLength = maxExtendedLength;
        MaxUnknownBitfieldLength = maxUnknownBitfieldLength;
        var bitfield = HasPieces ? BitfieldLength : maxUnknownBitfieldLength;
        // 9 = id, index, begin; 2 = id, extended id; 1 = id.
        MaxMessageLength = Math.Max(Math.Max(9 + maxBlockLength, 2 + maxExtendedLength), 1 + bitfield);
    }

    /// <summary>The torrent's piece count; -1 before the metadata is known.</summary>
    public int PieceCount { get; }

    public int PieceLength { get; }

    public int LastPieceLength { get; }

    public int MaxBlockLength { get; }

    public int MaxExtendedLength { get; }

    public int MaxUnknownBitfieldLength { get; }

    /// <summary>The largest length prefix accepted for any message, unknown ones included.</summary>
    public int MaxMessageLength { get; }

    /// <summary>True once piece count and sizes are known, so indexes and bitfields can be checked exactly.</summary>
    public bool HasPieces => PieceCount >= 0;

    /// <summary>Bytes of this torrent's bitfield: one bit per piece, rounded up (BEP 3).</summary>
    public int BitfieldLength => HasPieces ? (int)(((long)PieceCount + 7) / 8) : -1;

    /// <summary>Limits for a parsed torrent (v1, v2 or hybrid: the piece space includes padding).</summary>
    public static WireLimits ForTorrent(TorrentMetainfo torrent, int maxBlockLength = StandardBlockLength, int maxExtendedLength = DefaultMaxExtendedLength)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        return ForPieces(torrent.PieceCount, torrent.PieceLength, torrent.PayloadSize, maxBlockLength, maxExtendedLength);
    }

    /// <summary>Limits for <paramref name="pieceCount"/> pieces of <paramref name="pieceLength"/> bytes covering
    /// <paramref name="payloadSize"/> bytes (the last piece holds what is left).</summary>
    public static WireLimits ForPieces(int pieceCount, int pieceLength, long payloadSize, int maxBlockLength = StandardBlockLength, int maxExtendedLength = DefaultMaxExtendedLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pieceCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pieceLength);
        CheckCaps(maxBlockLength, maxExtendedLength);
        var last = payloadSize - (long)Math.Max(pieceCount - 1, 0) * pieceLength;
        if (pieceCount > 0 && (last <= 0 || last > pieceLength) || pieceCount == 0 && payloadSize != 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{pieceCount:N0} pieces of {pieceLength:N0} bytes cannot hold {payloadSize:N0} bytes."), nameof(payloadSize));
        return new WireLimits(pieceCount, pieceLength, (int)last, maxBlockLength, maxExtendedLength, DefaultMaxUnknownBitfieldLength);
    }

    /// <summary>Limits before the metadata is known (BEP 9 magnet links): indexes cannot be checked yet.</summary>
    public static WireLimits MetadataUnknown(int maxBlockLength = StandardBlockLength, int maxExtendedLength = DefaultMaxExtendedLength, int maxBitfieldLength = DefaultMaxUnknownBitfieldLength)
    {
        CheckCaps(maxBlockLength, maxExtendedLength);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBitfieldLength);
        return new WireLimits(-1, 0, 0, maxBlockLength, maxExtendedLength, maxBitfieldLength);
    }

    /// <summary>Bytes of piece <paramref name="index"/> (a valid index).</summary>
    public int PieceSize(int index) => index == PieceCount - 1 ? LastPieceLength : PieceLength;

    public override string ToString() => HasPieces
        ? string.Create(CultureInfo.InvariantCulture, $"{PieceCount:N0} pieces of {PieceLength:N0} bytes (last {LastPieceLength:N0}), blocks up to {MaxBlockLength:N0}")
        : string.Create(CultureInfo.InvariantCulture, $"metadata unknown, blocks up to {MaxBlockLength:N0}");

    private static void CheckCaps(int maxBlockLength, int maxExtendedLength)
    {
        // A block above 128 KiB is refused by every client (BEP 3 notes 2^17 as the old upper bound).
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBlockLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBlockLength, 128 * 1024);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExtendedLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxExtendedLength, 16 * 1024 * 1024);
    }
}
