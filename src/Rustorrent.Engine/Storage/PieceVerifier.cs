using System.Security.Cryptography;
using Rustorrent.Metainfo;

namespace Rustorrent.Storage;

/// <summary>
/// Checks a piece against the torrent's SHA-1 piece hash (BEP 3; the v1 half of a hybrid torrent, BEP 52,
/// whose v1 pieces include the padding zeros). Pure CPU: callers run it off the network loop, on the thread pool.
/// </summary>
internal static class PieceVerifier
{
    /// <summary>True when <paramref name="data"/> is exactly <paramref name="piece"/>: its length and its SHA-1.</summary>
    public static bool Verify(TorrentMetainfo metainfo, int piece, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(metainfo);
        if (metainfo.Version == TorrentVersion.V2)
            throw new NotSupportedException($"Torrent '{metainfo.Name}' is v2 only: its pieces are checked with SHA-256 piece layers (BEP 52), not SHA-1.");
        var expected = metainfo.GetPieceHash(piece);
        if (data.Length != PieceSize(metainfo, piece))
            return false;
        Span<byte> actual = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(data, actual);
        return actual.SequenceEqual(expected);
    }

    /// <summary>Bytes in <paramref name="piece"/>: the piece length, or what is left for the last piece.</summary>
    public static int PieceSize(TorrentMetainfo metainfo, int piece) =>
        piece < metainfo.PieceCount - 1 ? metainfo.PieceLength : (int)(metainfo.PayloadSize - (long)piece * metainfo.PieceLength);

    /// <summary>True when the torrent has SHA-1 piece hashes to check against (v1 and hybrid).</summary>
    public static bool CanVerify(TorrentMetainfo metainfo) => metainfo.Version != TorrentVersion.V2;
}
