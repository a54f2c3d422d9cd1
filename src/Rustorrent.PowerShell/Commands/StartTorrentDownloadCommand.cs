using System.Management.Automation;
using System.Runtime.CompilerServices;
using Rustorrent.Downloads;
using Rustorrent.Peers;
using Rustorrent.Storage;

namespace Rustorrent.PowerShell.Commands;

/// <summary>
/// Start-TorrentDownload (first form): downloads each torrent in the foreground with Write-Progress and
/// outputs a <see cref="TorrentDownloadResult"/>. Background jobs (Get-Job and friends) come with the job
/// work; magnets and bare hashes with metadata exchange.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "TorrentDownload", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(TorrentDownloadResult))]
public sealed class StartTorrentDownloadCommand : TorrentInfoInputCommandBase
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Folder to download into (default: the current location). Multi-file torrents get a folder of their name inside it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    /// <summary>Peers to connect to besides the trackers' ("host:port", "[v6]:port").</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Peer { get; set; } = [];

    /// <summary>Download only the files whose paths match these wildcards (and the pieces they need).</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] File { get; set; } = [];

    /// <summary>Seconds without new verified data after which the download fails.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int StallTimeout { get; set; } = 120;

    /// <summary>Download in the foreground and output the result (today the only mode).</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    private readonly List<PeerEndpoint> peers = [];

    /// <summary>-Peer is checked once, before any input: a typo stops the cmdlet rather than each download.</summary>
    protected override void BeginProcessing()
    {
        foreach (var text in Peer)
        {
            if (!PeerEndpoint.TryParse(text, out var endpoint, out var error))
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-Peer '{text}': {error}"), "InvalidPeer", ErrorCategory.InvalidArgument, text));
            peers.Add(endpoint);
        }
    }

    protected override void ProcessTorrent(TorrentInfo torrent)
    {
        if (torrent.Metainfo is not { } metainfo)
        {
            WriteError(new ErrorRecord(
                new NotSupportedException($"'{torrent.Name}' is a magnet link or info hash: downloading needs its metadata, and fetching metadata from peers is not available yet. Use the .torrent file."),
                "MetadataRequired", ErrorCategory.NotImplemented, torrent));
            return;
        }
        var destination = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination ?? SessionState.Path.CurrentFileSystemLocation.ProviderPath);
        if (!ShouldProcess(destination, $"Download '{torrent.Name}' ({DisplayFormat.Size(torrent.TotalSize)})"))
            return;

        var options = new DownloadOptions
        {
            Peers = peers,
            FilePatterns = File,
            StallTimeout = TimeSpan.FromSeconds(StallTimeout),
        };
        var latest = new LatestProgress();
        var download = new TorrentDownload(TorrentEngine.Shared, metainfo, destination, options);
        var run = Task.Run(() => download.RunAsync(latest, StopToken));
        var activity = Math.Abs(torrent.InfoHash?.GetHashCode() ?? 0) % 100000;
        try
        {
            // The pipeline thread only reports: a few progress records a second at most (PowerShell #2138).
            while (Task.WaitAny([run], ProgressInterval) < 0)
                WriteProgressRecord(activity, torrent, latest.Value);
            var result = run.GetAwaiter().GetResult();
            WriteObject(new TorrentDownloadResult(torrent, result));
        }
        catch (Exception e) when (e is DownloadFailedException or StorageException or ArgumentException or NotSupportedException)
        {
            WriteError(new ErrorRecord(e, "DownloadFailed", ErrorCategory.OperationStopped, torrent)
            {
                ErrorDetails = new ErrorDetails($"Download of '{torrent.Name}' failed: {e.Message}"),
            });
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            // Stopped by the user: verified pieces are on disk; the next start resumes.
        }
        finally
        {
            WriteProgress(new ProgressRecord(activity, $"Downloading {torrent.Name}", "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    private void WriteProgressRecord(int activity, TorrentInfo torrent, DownloadProgress? snapshot)
    {
        if (snapshot is not { } p)
            return;
        var status = p.Phase == DownloadPhase.Checking
            ? "Checking existing files"
            : $"{DisplayFormat.Size(p.VerifiedBytes)} of {DisplayFormat.Size(p.WantedBytes)}, {DisplayFormat.Size((long)p.DownloadRate)}/s, {p.ConnectedPeers} peers ({p.KnownPeers} known)";
        WriteProgress(new ProgressRecord(activity, $"Downloading {torrent.Name}", status)
        {
            PercentComplete = (int)Math.Clamp(p.Fraction * 100, 0, 100),
        });
    }

    /// <summary>Keeps only the newest snapshot: the engine reports often, the pipeline reads a few times a second.</summary>
    private sealed class LatestProgress : IProgress<DownloadProgress>
    {
        private StrongBox<DownloadProgress>? value;

        public DownloadProgress? Value => Volatile.Read(ref value)?.Value;

        public void Report(DownloadProgress progress) => Volatile.Write(ref value, new StrongBox<DownloadProgress>(progress));
    }
}
