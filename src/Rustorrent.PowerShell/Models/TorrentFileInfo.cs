using Rustorrent.Metainfo;

namespace Rustorrent.PowerShell;

/// <summary>A file of a torrent as users see it: the safe path it will be written to, and where it lies in the pieces.</summary>
public sealed class TorrentFileInfo
{
    internal TorrentFileInfo(string torrentName, TorrentFile file)
    {
        TorrentName = torrentName;
        Path = file.Path;
        OriginalPath = file.OriginalPath;
        Length = file.Length;
        Offset = file.Offset;
        FirstPiece = file.FirstPiece;
        LastPiece = file.LastPiece;
        Index = file.Index;
    }

    /// <summary>Relative path under the download folder (sanitised: it can never point outside it).</summary>
    public string Path { get; }

    /// <summary>The torrent's own path for this file when sanitising changed it; otherwise null.</summary>
    public string? OriginalPath { get; }

    public long Length { get; }

    /// <summary>Byte offset of the file in the torrent's piece space.</summary>
    public long Offset { get; }

    /// <summary>First piece holding the file's data; -1 for an empty file.</summary>
    public int FirstPiece { get; }

    /// <summary>Last piece holding the file's data; -1 for an empty file.</summary>
    public int LastPiece { get; }

    /// <summary>The file's index in the torrent (counting BEP 47 padding files), as BEP 53 `so=` uses.</summary>
    public int Index { get; }

    public string TorrentName { get; }

    public override string ToString() => Path;
}
