namespace Rustorrent.PowerShell;

/// <summary>What form a torrent was given in.</summary>
public enum TorrentSourceKind
{
    File,
    Url,
    Magnet,
    InfoHash,
}
