namespace Rustorrent.Trackers;

/// <summary>A tracker's counts for one torrent (BEP 48 for HTTP, BEP 15 for UDP).</summary>
public sealed record ScrapeResponse
{
    /// <summary>Peers with the whole torrent ("complete").</summary>
    public long Seeders { get; init; }

    /// <summary>Peers still downloading ("incomplete").</summary>
    public long Leechers { get; init; }

    /// <summary>How many times the tracker saw the download finish ("downloaded").</summary>
    public long Completed { get; init; }
}
