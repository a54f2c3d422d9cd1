namespace Rustorrent.PowerShell;

/// <summary>One tracker's count of a torrent's swarm (BEP 48 for HTTP, BEP 15 for UDP).</summary>
public sealed class TrackerScrape
{
    internal TrackerScrape(string tracker, long seeders, long leechers, long completed, TorrentInfo torrent)
    {
        Tracker = tracker;
        Seeders = seeders;
        Leechers = leechers;
        Completed = completed;
        InfoHash = torrent.InfoHash ?? torrent.InfoHashV2 ?? "";
        TorrentName = torrent.Name;
    }

    public string Tracker { get; }

    /// <summary>Peers with the whole torrent.</summary>
    public long Seeders { get; }

    /// <summary>Peers still downloading.</summary>
    public long Leechers { get; }

    /// <summary>Downloads the tracker has seen finish.</summary>
    public long Completed { get; }

    public string InfoHash { get; }

    public string TorrentName { get; }

    public override string ToString() => $"{Tracker}: {Seeders} seeders, {Leechers} leechers";
}
