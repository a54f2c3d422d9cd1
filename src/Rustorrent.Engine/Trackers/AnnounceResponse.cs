using Rustorrent.Peers;

namespace Rustorrent.Trackers;

/// <summary>What a tracker answered to an announce (BEP 3, BEP 7, BEP 15, BEP 23).</summary>
public sealed record AnnounceResponse
{
    /// <summary>The interval to use when a tracker does not give one (libtorrent's default too).</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(30);

    /// <summary>Peers of the swarm, IPv4 and IPv6, without duplicates, in the tracker's order.</summary>
    public required IReadOnlyList<PeerEndpoint> Peers { get; init; }

    /// <summary>How long to wait before the next regular announce.</summary>
    public TimeSpan Interval { get; init; } = DefaultInterval;

    /// <summary>The shortest wait the tracker accepts between announces, when it says.</summary>
    public TimeSpan? MinInterval { get; init; }

    /// <summary>An id to send back in later announces to this tracker (BEP 3), when it gives one. The
    /// bytes are kept as Latin-1 characters so that they go back exactly as they came.</summary>
    public string? TrackerId { get; init; }

    /// <summary>A message the tracker wants shown, while the announce still succeeded.</summary>
    public string? WarningMessage { get; init; }

    /// <summary>Peers with the whole torrent ("complete"), when the tracker says.</summary>
    public long? Seeders { get; init; }

    /// <summary>Peers still downloading ("incomplete"), when the tracker says.</summary>
    public long? Leechers { get; init; }
}
