using Rustorrent.Peers;

namespace Rustorrent.Downloads;

/// <summary>How one download runs.</summary>
internal sealed record DownloadOptions
{
    /// <summary>Peers to dial besides those the trackers give.</summary>
    public IReadOnlyList<PeerEndpoint> Peers { get; init; } = [];

    /// <summary>File name patterns (wildcards) to download; empty means every file.</summary>
    public IReadOnlyList<string> FilePatterns { get; init; } = [];

    /// <summary>Announce to the torrent's trackers (started, on their interval, completed, stopped).</summary>
    public bool UseTrackers { get; init; } = true;

    /// <summary>Most peers connected at once for this download.</summary>
    public int MaxConnections { get; init; } = 50;

    /// <summary>A download that gets no new verified data for this long fails (no reachable peer, say).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromMinutes(2);
}
