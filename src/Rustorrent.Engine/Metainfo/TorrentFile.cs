namespace Rustorrent.Metainfo;

/// <summary>
/// One file of a torrent: where it goes on disk (a sanitised relative path) and where its bytes lie in the
/// torrent's piece space. Immutable.
/// </summary>
public sealed class TorrentFile
{
    internal TorrentFile(
        string[] pathComponents,
        string? originalPath,
        long length,
        long offset,
        int pieceLength,
        bool isPadding,
        string attributes,
        ReadOnlyMemory<byte> piecesRoot,
        int index)
    {
        PathComponents = Array.AsReadOnly(pathComponents);
        Path = string.Join(System.IO.Path.DirectorySeparatorChar, pathComponents);
        OriginalPath = originalPath;
        Length = length;
        Offset = offset;
        if (length == 0)
        {
            FirstPiece = -1;
            LastPiece = -1;
        }
        else
        {
            FirstPiece = checked((int)(offset / pieceLength));
            LastPiece = checked((int)((offset + length - 1) / pieceLength));
        }
        IsPadding = isPadding;
        Attributes = attributes;
        PiecesRoot = piecesRoot;
        Index = index;
    }

    /// <summary>
    /// Safe relative path, components joined with the platform's separator. Single-file torrent: the file
    /// name. Multi-file torrent: the path inside the torrent's root folder (<see cref="TorrentMetainfo.Name"/>),
    /// without that folder. It can never name a place outside the folder it is combined with.
    /// </summary>
    public string Path { get; }

    /// <summary>The sanitised components of <see cref="Path"/>.</summary>
    public IReadOnlyList<string> PathComponents { get; }

    /// <summary>The torrent's own path, joined with '/', when sanitising or de-duplicating changed it; else null.</summary>
    public string? OriginalPath { get; }

    public long Length { get; }

    /// <summary>
    /// Byte offset of the file in the torrent's piece space: for v1 and hybrid torrents the files laid end to
    /// end (padding files included); for v2-only torrents every file starts on a piece boundary (BEP 52), an
    /// empty one where the padding after the file before it ends (as in libtorrent).
    /// </summary>
    public long Offset { get; }

    /// <summary>First piece holding the file's data; -1 for an empty file.</summary>
    public int FirstPiece { get; }

    /// <summary>Last piece holding the file's data; -1 for an empty file.</summary>
    public int LastPiece { get; }

    /// <summary>A BEP 47 padding file: zeros that only align the next file, never written to disk.</summary>
    public bool IsPadding { get; }

    /// <summary>The BEP 47 <c>attr</c> string ("p" padding, "x" executable, "h" hidden, "l" symlink); "" when none.</summary>
    public string Attributes { get; }

    /// <summary>BEP 52 "pieces root": the SHA-256 merkle root of the file (32 bytes); empty for v1 files, empty files and padding.</summary>
    public ReadOnlyMemory<byte> PiecesRoot { get; }

    /// <summary>Position among all files of the torrent, padding included (the index BEP 53 <c>so=</c> uses).</summary>
    public int Index { get; }

    public override string ToString() => Path;
}
