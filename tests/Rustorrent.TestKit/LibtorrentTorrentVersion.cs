namespace Rustorrent.TestKit;

/// <summary>Which kind of torrent libtorrent's create_torrent makes: BEP 3 only, BEP 52 only, or both in one file.</summary>
public enum LibtorrentTorrentVersion
{
    V1,
    V2,
    Hybrid,
}
