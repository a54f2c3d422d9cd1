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

    /// <summary>Find peers in the DHT and announce there (BEP 5); never for private torrents (BEP 27).</summary>
    public bool UseDht { get; init; } = true;

    /// <summary>DHT nodes (host:port) to add to the engine's node before the lookup.</summary>
    public IReadOnlyList<string> DhtBootstrap { get; init; } = [];

    /// <summary>Most peers connected at once for this download.</summary>
    public int MaxConnections { get; init; } = 50;

    /// <summary>A download that gets no new verified data for this long fails (no reachable peer, say).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Payload bytes per second this download may receive; 0 means no limit.</summary>
    public long DownloadRateLimit { get; init; }

    /// <summary>Payload bytes per second this download may send; 0 means no limit.</summary>
    public long UploadRateLimit { get; init; }

    /// <summary>Keep serving peers once complete, until <see cref="SeedRatio"/> or <see cref="SeedTime"/>
    /// is reached (whichever first), or until stopped when neither is set.</summary>
    public bool Seed { get; init; }

    /// <summary>Stop seeding once uploaded bytes reach this multiple of the torrent's wanted size.</summary>
    public double? SeedRatio { get; init; }

    /// <summary>Stop seeding after this long.</summary>
    public TimeSpan? SeedTime { get; init; }
}
