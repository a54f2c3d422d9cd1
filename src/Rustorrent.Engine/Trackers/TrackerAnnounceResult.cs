namespace Rustorrent.Trackers;

/// <summary>How one tracker answered an announce: its reply, or the error that stopped it.</summary>
public sealed class TrackerAnnounceResult
{
    private TrackerAnnounceResult(Uri tracker, int tier, AnnounceResponse? response, TrackerException? error, TimeSpan elapsed)
    {
        Tracker = tracker;
        Tier = tier;
        Response = response;
        Error = error;
        Elapsed = elapsed;
    }

    /// <summary>The tracker's announce URL.</summary>
    public Uri Tracker { get; }

    /// <summary>The tracker's tier in the torrent's announce list, from 0 (BEP 12).</summary>
    public int Tier { get; }

    /// <summary>The reply, when the announce succeeded.</summary>
    public AnnounceResponse? Response { get; }

    /// <summary>Why the announce failed, when it did.</summary>
    public TrackerException? Error { get; }

    public bool Succeeded => Response is not null;

    /// <summary>How long the announce took, retries and redirects included.</summary>
    public TimeSpan Elapsed { get; }

    internal static TrackerAnnounceResult Success(Uri tracker, int tier, AnnounceResponse response, TimeSpan elapsed) =>
        new(tracker, tier, response ?? throw new ArgumentNullException(nameof(response)), null, elapsed);

    internal static TrackerAnnounceResult Failure(Uri tracker, int tier, TrackerException error, TimeSpan elapsed) =>
        new(tracker, tier, null, error ?? throw new ArgumentNullException(nameof(error)), elapsed);

    public override string ToString() =>
        Response is { } r ? $"{Tracker}: {r.Peers.Count} peers" : $"{Tracker}: {Error?.Reason}";
}
