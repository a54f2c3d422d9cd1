using System.Security.Cryptography;
using Rustorrent.Metainfo;
using Rustorrent.Storage;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Storage;

/// <summary>A torrent made by libtorrent from a generated payload, and the payload's piece space as the test reads it.</summary>
internal sealed record SourceTorrent(TorrentMetainfo Metainfo, string PayloadRoot, byte[] PieceSpace, IReadOnlyList<PayloadFile> Files)
{
    public int PieceSize(int piece) => (int)Math.Min(Metainfo.PieceLength, PieceSpace.Length - (long)piece * Metainfo.PieceLength);

    public ReadOnlyMemory<byte> Piece(int piece) => PieceSpace.AsMemory(piece * Metainfo.PieceLength, PieceSize(piece));

    /// <summary>The generated file a torrent file was made from.</summary>
    public string SourceOf(TorrentFile file) =>
        Metainfo.IsMultiFile ? System.IO.Path.Combine(PayloadRoot, file.Path) : PayloadRoot;
}

internal static class StorageTestData
{
    public const int PieceLength = 16 * 1024;

    /// <summary>
    /// Edge cases of <see cref="PayloadSpec.MultiFileEdgeCases"/> (empty files, nested folders, files smaller
    /// than a piece, pieces spanning files) in a folder "content", made into a torrent by libtorrent.
    /// </summary>
    public static Task<SourceTorrent> MultiFileAsync(TempDirectory temp, LibtorrentTorrentVersion version, int pieceLength = PieceLength) =>
        CreateAsync(temp, PayloadSpec.MultiFileEdgeCases("content", pieceLength), "content", version, pieceLength);

    public static async Task<SourceTorrent> CreateAsync(
        TempDirectory temp, PayloadSpec spec, string payloadName, LibtorrentTorrentVersion version, int pieceLength = PieceLength)
    {
        var source = temp.CreateSubdirectory("source");
        var files = await Payload.CreateAsync(source, spec);
        var payloadRoot = System.IO.Path.Combine(source, payloadName);
        var torrentPath = await LibtorrentTool.CreateTorrentAsync(
            new LibtorrentCreateOptions(payloadRoot, temp.Combine("made.torrent")) { Version = version, PieceLength = pieceLength });
        var metainfo = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(torrentPath));
        return new SourceTorrent(metainfo, payloadRoot, BuildPieceSpace(metainfo, payloadRoot), files);
    }

    /// <summary>
    /// The piece space read straight from the source files, in the torrent's file order, padding as zeros; for
    /// v1 and hybrid torrents every piece is checked against the torrent's SHA-1, so the tests start from bytes
    /// known to be right (independently of the storage code under test).
    /// </summary>
    public static byte[] BuildPieceSpace(TorrentMetainfo metainfo, string payloadRoot)
    {
        using var space = new MemoryStream();
        foreach (var file in metainfo.AllFiles)
        {
            if (file.IsPadding)
            {
                space.Write(new byte[file.Length]);
                continue;
            }
            var path = metainfo.IsMultiFile ? System.IO.Path.Combine(payloadRoot, file.Path) : payloadRoot;
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(file.Length, bytes.Length);
            space.Write(bytes);
        }
        var result = space.ToArray();
        if (metainfo.Version != TorrentVersion.V2)
        {
            for (var piece = 0; piece < metainfo.PieceCount; piece++)
            {
                var offset = (long)piece * metainfo.PieceLength;
                var size = (int)Math.Min(metainfo.PieceLength, result.Length - offset);
                Assert.True(SHA1.HashData(result.AsSpan((int)offset, size)).AsSpan().SequenceEqual(metainfo.GetPieceHash(piece)), $"source piece {piece}");
            }
        }
        return result;
    }

    /// <summary>Writes every needed piece of <paramref name="source"/> through <paramref name="storage"/>.</summary>
    public static async Task WriteNeededPiecesAsync(TorrentStorage storage, SourceTorrent source)
    {
        for (var piece = 0; piece < source.Metainfo.PieceCount; piece++)
        {
            if (storage.IsPieceNeeded(piece))
                await storage.WritePieceAsync(piece, source.Piece(piece));
        }
    }

    /// <summary>Every file under <paramref name="folder"/>, relative, with '/'.</summary>
    public static string[] FilesUnder(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => System.IO.Path.GetRelativePath(folder, f).Replace(System.IO.Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)];
}
