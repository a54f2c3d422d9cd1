namespace Rustorrent.Metainfo;

/// <summary>What a user's "torrent" argument is: a .torrent file path, a magnet link, a URL to fetch, or a bare info hash.</summary>
public enum TorrentInputKind
{
    Path,
    Magnet,
    Url,
    InfoHash,
}
