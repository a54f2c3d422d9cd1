namespace Rustorrent.PowerShell;

/// <summary>What Start-TorrentDownload outputs when a download completes.</summary>
public sealed class TorrentDownloadResult
{
    internal TorrentDownloadResult(TorrentInfo torrent, Downloads.DownloadResult result)
    {
        Name = torrent.Name;
        InfoHash = torrent.InfoHash ?? torrent.InfoHashV2 ?? "";
        Path = result.ContentPath;
        Files = [.. result.Files];
        Size = result.WantedBytes;
        Downloaded = result.DownloadedBytes;
        PiecesAlreadyPresent = result.PiecesAlreadyPresent;
        Duration = result.Duration;
        AverageRate = result.Duration.TotalSeconds > 0 ? result.DownloadedBytes / result.Duration.TotalSeconds : 0;
        Peers = result.PeersUsed;
        BannedPeers = [.. result.BannedPeers];
    }

    public string Name { get; }

    public string InfoHash { get; }

    /// <summary>The file (single-file torrent) or folder (multi-file) the torrent was saved to.</summary>
    public string Path { get; }

    /// <summary>Full paths of the files downloaded.</summary>
    public string[] Files { get; }

    /// <summary>Bytes of the pieces wanted (the selected files' pieces).</summary>
    public long Size { get; }

    /// <summary>Bytes received from peers in this run (less than Size when a resume found data on disk).</summary>
    public long Downloaded { get; }

    public int PiecesAlreadyPresent { get; }

    public TimeSpan Duration { get; }

    /// <summary>Bytes per second received over the whole run.</summary>
    public double AverageRate { get; }

    /// <summary>Peers we exchanged data with.</summary>
    public int Peers { get; }

    /// <summary>Peers banned for sending data that failed the hash check.</summary>
    public string[] BannedPeers { get; }

    public override string ToString() => $"{Name}: {Path}";
}
