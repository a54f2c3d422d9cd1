namespace Rustorrent.Downloads;

/// <summary>What a finished download did.</summary>
internal sealed record DownloadResult(
    string ContentPath,
    IReadOnlyList<string> Files,
    long WantedBytes,
    long DownloadedBytes,
    int PiecesAlreadyPresent,
    TimeSpan Duration,
    int PeersUsed,
    IReadOnlyList<string> BannedPeers)
{
    /// <summary>New peers that connected peers told us of (BEP 11 ut_pex).</summary>
    public int PeersFromPex { get; init; }
}
