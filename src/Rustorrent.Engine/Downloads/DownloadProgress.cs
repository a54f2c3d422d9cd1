namespace Rustorrent.Downloads;

/// <summary>A snapshot of a download, for progress bars and job status.</summary>
internal readonly record struct DownloadProgress(
    DownloadPhase Phase,
    long VerifiedBytes,
    long WantedBytes,
    int VerifiedPieces,
    int WantedPieces,
    int ConnectedPeers,
    int KnownPeers,
    double DownloadRate)
{
    public double Fraction => WantedBytes == 0 ? 1 : (double)VerifiedBytes / WantedBytes;

    /// <summary>Payload bytes sent to peers so far.</summary>
    public long UploadedBytes { get; init; }

    /// <summary>Payload bytes per second sent to peers, over the last few seconds.</summary>
    public double UploadRate { get; init; }
}

internal enum DownloadPhase
{
    Checking,
    Downloading,

    /// <summary>Every wanted piece is verified; serving peers until the seeding limit.</summary>
    Seeding,
    Completed,
}
