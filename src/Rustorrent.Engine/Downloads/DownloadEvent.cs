namespace Rustorrent.Downloads;

/// <summary>
/// Something a running download did that a user may want to know, beyond the numbers of
/// <see cref="DownloadProgress"/>: a tracker that failed or answered, a peer banned, a piece that failed its
/// hash check. The PowerShell job writes Warning-level events to its Warning stream and the rest to Verbose.
/// </summary>
internal sealed record DownloadEvent(DownloadEventLevel Level, DownloadEventKind Kind, string Message)
{
    /// <summary>With <see cref="DownloadEventKind.Completed"/>: what the download did, raised when the last piece is
    /// verified while the run goes on seeding (its final result comes when seeding ends).</summary>
    public DownloadResult? Result { get; init; }
}

internal enum DownloadEventLevel
{
    /// <summary>Worth a line in a verbose log (a tracker answered, a peer connected).</summary>
    Information,

    /// <summary>Something went wrong that the download survives (a tracker failed, a peer was banned).</summary>
    Warning,
}

internal enum DownloadEventKind
{
    TrackerAnswered,
    TrackerFailed,
    PeerConnected,
    PeerDisconnected,
    PeerBanned,
    PieceFailedHashCheck,

    /// <summary>Every wanted piece is verified and the download seeds on; carries the result so far.</summary>
    Completed,
    Other,
}

/// <summary>
/// Receives <see cref="DownloadEvent"/>s. The object passed as <c>progress</c> to
/// <see cref="TorrentDownload.RunAsync"/> may implement it too; the download then raises its events there
/// (`(progress as IDownloadEventSink)?.OnEvent(...)`). Called from engine threads: implementations must be
/// thread-safe, quick, and must not throw.
/// </summary>
internal interface IDownloadEventSink
{
    void OnEvent(DownloadEvent downloadEvent);
}
