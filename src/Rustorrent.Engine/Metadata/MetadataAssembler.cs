using System.Globalization;
using System.Security.Cryptography;
using Rustorrent.Metainfo;
using Rustorrent.Peers.Extensions;

namespace Rustorrent.Metadata;

/// <summary>
/// Puts an info dictionary together from its 16 KiB ut_metadata pieces (BEP 9) and checks it against the info
/// hash: SHA-1 for a v1 hash, SHA-256 for a v2 one (BEP 52). Bounded: a size above
/// <see cref="MetadataMessage.MaxMetadataSize"/> is refused before anything is allocated, and a piece's buffer
/// is allocated only when that piece arrives, so memory follows what peers actually sent. Not thread-safe.
/// </summary>
internal sealed class MetadataAssembler
{
    private readonly InfoHash infoHash;
    private readonly byte[]?[] pieces;

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is 0, negative or above the cap.</exception>
    public MetadataAssembler(InfoHash infoHash, long size)
    {
        if (infoHash.IsEmpty)
            throw new ArgumentException("The info hash is empty.", nameof(infoHash));
        if (!IsAcceptableSize(size))
            throw new ArgumentOutOfRangeException(nameof(size), size, string.Create(CultureInfo.InvariantCulture,
                $"An info dictionary is 1 to {MetadataMessage.MaxMetadataSize:N0} bytes."));
        this.infoHash = infoHash;
        Size = (int)size;
        PieceCount = (Size + MetadataMessage.PieceSize - 1) / MetadataMessage.PieceSize;
        pieces = new byte[PieceCount][];
    }

    public InfoHash InfoHash => infoHash;

    /// <summary>Bytes of the info dictionary.</summary>
    public int Size { get; }

    public int PieceCount { get; }

    public int ReceivedCount { get; private set; }

    public bool IsComplete => ReceivedCount == PieceCount;

    /// <summary>True for a metadata size we accept from a peer: 1 byte to 32 MiB.</summary>
    public static bool IsAcceptableSize(long size) => size is > 0 and <= MetadataMessage.MaxMetadataSize;

    /// <summary>Bytes of piece <paramref name="piece"/>: 16 KiB, the last one what is left (BEP 9).</summary>
    public int PieceLength(int piece)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(piece);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(piece, PieceCount);
        return piece == PieceCount - 1 ? Size - piece * MetadataMessage.PieceSize : MetadataMessage.PieceSize;
    }

    public bool Has(int piece) => (uint)piece < (uint)PieceCount && pieces[piece] is not null;

    /// <summary>The bytes of a piece received (empty when missing).</summary>
    public ReadOnlySpan<byte> GetPiece(int piece) => Has(piece) ? pieces[piece] : default;

    /// <summary>Stores a copy of a piece, after checking its index and length.</summary>
    public MetadataPieceOutcome Add(int piece, ReadOnlySpan<byte> data)
    {
        if ((uint)piece >= (uint)PieceCount || data.Length != PieceLength(piece))
            return MetadataPieceOutcome.Invalid;
        if (pieces[piece] is not null)
            return MetadataPieceOutcome.Duplicate;
        pieces[piece] = data.ToArray();
        ReceivedCount++;
        return IsComplete ? MetadataPieceOutcome.Complete : MetadataPieceOutcome.Accepted;
    }

    /// <summary>Forgets one piece (e.g. that of a peer found lying).</summary>
    public void Remove(int piece)
    {
        if (Has(piece))
        {
            pieces[piece] = null;
            ReceivedCount--;
        }
    }

    /// <summary>Forgets every piece.</summary>
    public void Clear()
    {
        Array.Clear(pieces);
        ReceivedCount = 0;
    }

    /// <summary>When complete: the joined bytes if they hash to the info hash; null if they do not.</summary>
    /// <exception cref="InvalidOperationException">Pieces are missing.</exception>
    public byte[]? Verify()
    {
        if (!IsComplete)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{PieceCount - ReceivedCount} of {PieceCount} metadata pieces are missing."));
        var whole = new byte[Size];
        for (var i = 0; i < PieceCount; i++)
            pieces[i].CopyTo(whole.AsSpan(i * MetadataMessage.PieceSize));
        return Matches(infoHash, whole) ? whole : null;
    }

    /// <summary>True when <paramref name="infoDictionary"/> hashes to <paramref name="infoHash"/> (SHA-1 for v1, SHA-256 for v2).</summary>
    public static bool Matches(InfoHash infoHash, ReadOnlySpan<byte> infoDictionary)
    {
        Span<byte> digest = stackalloc byte[InfoHash.V2Length];
        if (infoHash.Version == InfoHashVersion.V2)
        {
            SHA256.HashData(infoDictionary, digest);
            return digest.SequenceEqual(infoHash.Span);
        }
        SHA1.HashData(infoDictionary, digest);
        return digest[..InfoHash.V1Length].SequenceEqual(infoHash.Span);
    }
}
