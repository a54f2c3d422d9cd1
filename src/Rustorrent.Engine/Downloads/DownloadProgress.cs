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
}

internal enum DownloadPhase
{
    Checking,
    Downloading,
    Completed,
}
