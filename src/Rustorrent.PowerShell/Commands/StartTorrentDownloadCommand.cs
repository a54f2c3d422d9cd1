using System.Management.Automation;
using Rustorrent.Metadata;
using Rustorrent.PowerShell.Metadata;
using Rustorrent.Downloads;
using Rustorrent.Peers;
using Rustorrent.PowerShell.Completion;
using Rustorrent.PowerShell.Jobs;
using Rustorrent.Storage;

namespace Rustorrent.PowerShell.Commands;

/// <summary>
/// Start-TorrentDownload: starts a <see cref="TorrentJob"/> for each torrent and outputs it at once (the
/// session runs -ThrottleLimit of them at a time, the rest wait in order); with -Wait, downloads in the
/// foreground with Write-Progress and outputs a <see cref="TorrentDownloadResult"/>.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "TorrentDownload", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(TorrentJob), typeof(TorrentDownloadResult))]
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
    [ArgumentCompleter(typeof(TorrentFileCompleter))]
    public string[] File { get; set; } = [];

    /// <summary>Seconds without new verified data after which the download fails.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int StallTimeout { get; set; } = 120;

    /// <summary>The job's name (default: the torrent's name).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>How many downloads of the session run at once (a session setting: it stays for later starts).</summary>
    [Parameter]
    [ValidateRange(1, 1000)]
    public int ThrottleLimit { get; set; }

    /// <summary>Most peers connected at once for each download.</summary>
    [Parameter]
    [ValidateRange(1, 10000)]
    public int MaxConnections { get; set; } = 50;

    /// <summary>Bytes per second each download may receive; 0 (the default) means no limit.</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long DownloadRateLimit { get; set; }

    /// <summary>Bytes per second each download may send; 0 (the default) means no limit.</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long UploadRateLimit { get; set; }

    /// <summary>Keep serving peers once complete (until -SeedRatio or -SeedTime, or until stopped).</summary>
    [Parameter]
    public SwitchParameter Seed { get; set; }

    /// <summary>Stop seeding once this many times the download's size is uploaded (implies -Seed).</summary>
    [Parameter]
    [ValidateRange(0.01, 1000.0)]
    public double SeedRatio { get; set; }

    /// <summary>Stop seeding after this long (implies -Seed).</summary>
    [Parameter]
    public TimeSpan SeedTime { get; set; }

    /// <summary>The port the module listens on for peers (0: any free port); the session's engine keeps it for
    /// later downloads. By default 6881, or the next free port.</summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int Port { get; set; } = TorrentEngine.DefaultPort;

    /// <summary>DHT nodes (host:port) to bootstrap from, besides the routers and the nodes known from before.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] DhtBootstrap { get; set; } = [];

    /// <summary>Find peers through the trackers and -Peer only, not the DHT.</summary>
    [Parameter]
    public SwitchParameter NoDht { get; set; }

    /// <summary>Download in the foreground with a progress bar and output the result instead of a job.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    private readonly List<PeerEndpoint> peers = [];
    private DownloadOptions options = new();

    /// <summary>-Peer and -SeedTime are checked once, before any input: a typo stops the cmdlet rather than each download.</summary>
    protected override void BeginProcessing()
    {
        peers.AddRange(PeerArguments.Parse(this, Peer));
        var seedTimeGiven = MyInvocation.BoundParameters.ContainsKey(nameof(SeedTime));
        if (seedTimeGiven && SeedTime < TimeSpan.FromSeconds(1))
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-SeedTime must be at least 1 second; it is {SeedTime}."), "InvalidSeedTime", ErrorCategory.InvalidArgument, SeedTime));
        var seedRatioGiven = MyInvocation.BoundParameters.ContainsKey(nameof(SeedRatio));
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Port)))
        {
            try
            {
                TorrentEngine.Shared.Listen(Port);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"-Port {Port}: cannot listen there: {e.Message}", e), "PortUnavailable", ErrorCategory.ResourceUnavailable, Port));
            }
        }
        options = new DownloadOptions
        {
            UseDht = !NoDht.IsPresent,
            DhtBootstrap = DhtBootstrap,
            Peers = peers,
            FilePatterns = File,
            StallTimeout = TimeSpan.FromSeconds(StallTimeout),
            MaxConnections = MaxConnections,
            DownloadRateLimit = DownloadRateLimit,
            UploadRateLimit = UploadRateLimit,
            Seed = Seed.IsPresent || seedRatioGiven || seedTimeGiven,
            SeedRatio = seedRatioGiven ? SeedRatio : null,
            SeedTime = seedTimeGiven ? SeedTime : null,
        };
    }

    protected override void ProcessTorrent(TorrentInfo torrent)
    {
        // A magnet link or info hash: the job (or -Wait) fetches the metadata from peers first (BEP 9).
        var metainfo = torrent.Metainfo;
        var destination = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination ?? SessionState.Path.CurrentFileSystemLocation.ProviderPath);
        if (!ShouldProcess(destination, $"Download '{torrent.Name}' ({DisplayFormat.Size(torrent.TotalSize)})"))
            return;
        if (Wait)
            DownloadInForeground(torrent, metainfo, destination);
        else
            StartJob(torrent, metainfo, destination);
    }

    /// <summary>How magnets and hashes get their metadata: -Peer, the magnet's trackers and the DHT, for up to -StallTimeout.</summary>
    private MetadataLookup Lookup => new(peers, !NoDht.IsPresent, DhtBootstrap, TimeSpan.FromSeconds(StallTimeout));

    private void StartJob(TorrentInfo torrent, Metainfo.TorrentMetainfo? metainfo, string destination)
    {
        var command = $"Start-TorrentDownload {torrent.Source}";
        var job = new TorrentJob(Name, command, torrent, metainfo, Lookup, destination, options);
        if (!job.TryClaim())
        {
            job.Dispose();
            WriteAlreadyDownloading(torrent, destination);
            return;
        }
        var definition = new JobDefinition(typeof(TorrentJobSourceAdapter), command, job.Name);
        var parameters = new Dictionary<string, object> { [TorrentJobSourceAdapter.NewJobParameter] = job };
        var registered = JobManager.NewJob(new JobInvocationInfo(definition, parameters));
        if (!ReferenceEquals(registered, job) || job.Scheduler is not { } scheduler)
        {
            job.Dispose();
            ThrowTerminatingError(new ErrorRecord(new InvalidOperationException("The session's job manager did not register the torrent job: import the Rustorrent module with Import-Module."),
                "JobSourceAdapterMissing", ErrorCategory.NotInstalled, torrent));
            return;
        }
        if (ThrottleLimit > 0)
            scheduler.ThrottleLimit = ThrottleLimit;
        job.StartJob();
        WriteObject(job);
    }

    private void DownloadInForeground(TorrentInfo torrent, Metainfo.TorrentMetainfo? metainfo, string destination)
    {
        if (metainfo is null)
        {
            var activityId = Math.Abs(torrent.Name.GetHashCode(StringComparison.Ordinal)) % 100000;
            WriteProgress(new ProgressRecord(activityId, $"Downloading {torrent.Name}", "Fetching the metadata from peers"));
            try
            {
                torrent = Lookup.FetchAsync(torrent, StopToken).GetAwaiter().GetResult();
                metainfo = torrent.Metainfo!;
                WriteVerbose($"Got the metadata of '{torrent.Name}': {torrent.Files.Length} files, {DisplayFormat.Size(torrent.TotalSize)}.");
            }
            catch (MetadataFetchException e)
            {
                WriteError(MetadataLookup.Failed(torrent, e));
                return;
            }
            catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
            {
                return;
            }
            finally
            {
                WriteProgress(new ProgressRecord(activityId, $"Downloading {torrent.Name}", "Done") { RecordType = ProgressRecordType.Completed });
            }
        }
        var claim = DownloadClaims.KeyOf(torrent.InfoHash ?? torrent.InfoHashV2 ?? "", destination);
        var owner = new object();
        if (!DownloadClaims.TryClaim(claim, owner))
        {
            WriteAlreadyDownloading(torrent, destination);
            return;
        }
        var monitor = new DownloadMonitor();
        var download = new TorrentDownload(TorrentEngine.Shared, metainfo, destination, options);
        var run = Task.Run(() => download.RunAsync(monitor, StopToken));
        var activity = Math.Abs(torrent.InfoHash?.GetHashCode() ?? 0) % 100000;
        try
        {
            // The pipeline thread only reports: a few progress records a second at most (PowerShell #2138).
            while (Task.WaitAny([run], ProgressInterval) < 0)
                WriteReport(activity, torrent, monitor);
            WriteReport(activity, torrent, monitor);
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
            DownloadClaims.Release(claim, owner);
            WriteProgress(new ProgressRecord(activity, $"Downloading {torrent.Name}", "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    private void WriteReport(int activity, TorrentInfo torrent, DownloadMonitor monitor)
    {
        while (monitor.TryTakeEvent(out var e))
        {
            if (e.Level == DownloadEventLevel.Warning)
                WriteWarning(e.Message);
            else
                WriteVerbose(e.Message);
        }
        if (monitor.Latest is not { } p)
            return;
        WriteProgress(new ProgressRecord(activity, $"Downloading {torrent.Name}", DownloadStatus.Describe(p))
        {
            PercentComplete = (int)DownloadStatus.Percent(p),
        });
    }

    private void WriteAlreadyDownloading(TorrentInfo torrent, string destination) =>
        WriteError(new ErrorRecord(
            new InvalidOperationException($"'{torrent.Name}' is already being downloaded into '{destination}' in this process; stop that download first (Stop-Job), or choose another -Destination."),
            "DownloadInProgress", ErrorCategory.ResourceBusy, torrent));
}
