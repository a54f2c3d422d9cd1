namespace Rustorrent.Trackers;

/// <summary>
/// The event an announce reports (BEP 3). The numbers are those of the UDP protocol (BEP 15), which
/// orders them differently from the obvious lifecycle.
/// </summary>
public enum AnnounceEvent
{
    /// <summary>A regular announce at the tracker's interval.</summary>
    None = 0,

    /// <summary>The download finished (sent once, not when starting as a seed).</summary>
    Completed = 1,

    /// <summary>The first announce of a session.</summary>
    Started = 2,

    /// <summary>The torrent is being stopped.</summary>
    Stopped = 3,
}
