namespace Rustorrent.Trackers;

/// <summary>An announce or scrape to one tracker failed; says which tracker and why in plain words.</summary>
public sealed class TrackerException : Exception
{
    public TrackerException(Uri tracker, TrackerErrorKind kind, string reason, Exception? innerException = null)
        : base($"Tracker {tracker}: {reason}", innerException)
    {
        Tracker = tracker;
        Kind = kind;
        Reason = reason;
    }

    /// <summary>The tracker's announce URL as the torrent gives it.</summary>
    public Uri Tracker { get; }

    public TrackerErrorKind Kind { get; }

    /// <summary>What went wrong, without the tracker's URL.</summary>
    public string Reason { get; }
}
