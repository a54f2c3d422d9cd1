using System.ComponentModel;
using System.Globalization;
using System.Management.Automation;
using System.Reflection;
using Rustorrent.Downloads;
using Rustorrent.Metainfo;
using Rustorrent.PowerShell.Jobs;
using Rustorrent.PowerShell.Metadata;
using Rustorrent.Metadata;

namespace Rustorrent.PowerShell;

/// <summary>
/// A torrent download as a PowerShell job (PSJobTypeName TorrentJob): Get-Job, Wait-Job, Receive-Job,
/// Stop-Job and Remove-Job work on it, and its properties give the live status (percent, bytes, rates, peers,
/// ETA). A run is one <see cref="TorrentDownload.RunAsync"/>; stopping or suspending cancels it, which keeps
/// the verified pieces on disk, and resuming starts a new run that re-checks the files and fetches only the
/// rest. Runs wait for a slot of the session's <see cref="TorrentJobScheduler"/>.
/// </summary>
/// <remarks>
/// Threads: the pipeline thread starts, stops and reads the job; a run and its reporter run on the thread
/// pool; the engine reports from its own threads into <see cref="DownloadMonitor"/>. <see cref="gate"/> owns
/// the run's stage; streams are thread-safe collections, written only through <see cref="Add{T}"/>, which
/// ignores a stream the engine closed. Nothing a run does may throw out of it: a fault becomes the Failed state.
/// </remarks>
public sealed class TorrentJob : Job2
{
    internal const string JobTypeName = "TorrentJob";

    /// <summary>Progress records a second at most: the console redraws every 200 ms anyway, and records
    /// nobody receives pile up (PowerShell #2138 shows what per-chunk progress costs).</summary>
    private static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Unreceived progress records kept: only the newest matters to a progress bar.</summary>
    private const int MaxProgressBacklog = 16;

    /// <summary>Unreceived verbose or warning records kept per stream; older ones are dropped first.</summary>
    private const int MaxMessageBacklog = 1000;

    /// <summary>Peer-count messages at most this often, so a big swarm does not flood Verbose.</summary>
    private static readonly TimeSpan PeerMessageInterval = TimeSpan.FromSeconds(5);

    /// <summary>The engine's Job2 sets a failed state with its reason through a non-public overload
    /// (PowerShellStandard exposes only SetJobState(JobState)); Receive-Job then writes the reason as an error.</summary>
    private static readonly MethodInfo? SetJobStateWithReason =
        typeof(Job2).GetMethod("SetJobState", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, null, [typeof(JobState), typeof(Exception)], null)
        ?? typeof(Job).GetMethod("SetJobState", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, null, [typeof(JobState), typeof(Exception)], null);

    private readonly object gate = new();
    private readonly MetadataLookup lookup;
    private TorrentMetainfo? metainfo;
    private readonly DownloadOptions options;
    private readonly DownloadMonitor monitor = new();
    private readonly string claimKey;
    private TorrentJobScheduler? scheduler;
    private Stage stage;
    private RunEnd requestedEnd;
    private CancellationTokenSource? cancel;
    private Task? run;
    private TorrentDownloadResult? result;
    private bool resultWritten;
    private Exception? failure;
    private bool progressWritten;
    private bool completedRecordWritten;

    /// <param name="metainfo">The torrent's metadata; null for a magnet link or info hash, whose first run fetches it with <paramref name="lookup"/>.</param>
    internal TorrentJob(string? name, string command, TorrentInfo torrent, TorrentMetainfo? metainfo, MetadataLookup lookup, string destination, DownloadOptions options)
        : base(command, string.IsNullOrEmpty(name) ? torrent.Name : name)
    {
        this.metainfo = metainfo;
        this.lookup = lookup;
        this.options = options;
        Torrent = torrent;
        InfoHash = torrent.InfoHash ?? torrent.InfoHashV2 ?? "";
        Destination = destination;
        claimKey = DownloadClaims.KeyOf(InfoHash, destination);
        PSJobTypeName = JobTypeName;
        Output = new PSDataCollection<PSObject> { EnumeratorNeverBlocks = true };
        Error = new PSDataCollection<ErrorRecord> { EnumeratorNeverBlocks = true };
        Progress = new PSDataCollection<ProgressRecord> { EnumeratorNeverBlocks = true };
        Verbose = new PSDataCollection<VerboseRecord> { EnumeratorNeverBlocks = true };
        Warning = new PSDataCollection<WarningRecord> { EnumeratorNeverBlocks = true };
        Debug = new PSDataCollection<DebugRecord> { EnumeratorNeverBlocks = true };
        Information = new PSDataCollection<InformationRecord> { EnumeratorNeverBlocks = true };
    }

    private enum Stage
    {
        Created,
        Queued,
        Running,
        Suspending,
        Suspended,
        Stopping,
        Finished,
    }

    private enum RunEnd
    {
        None,
        Stop,
        Suspend,
    }

    /// <summary>The torrent being downloaded (for a magnet link, its full TorrentInfo once the metadata came).</summary>
    public TorrentInfo Torrent { get; private set; }

    /// <summary>v1 info hash (or v2 for a v2-only torrent), as Get-TorrentInfo shows it.</summary>
    public string InfoHash { get; }

    /// <summary>The folder the torrent is saved into.</summary>
    public string Destination { get; }

    /// <summary>Percent of the wanted pieces verified on disk (0 to 100). Named so because a job's
    /// <c>Progress</c> is its progress stream.</summary>
    public double PercentComplete => Latest is { } p ? DownloadStatus.Percent(p) : 0;

    /// <summary>Bytes of the wanted pieces verified on disk, from earlier runs too.</summary>
    public long Downloaded => Latest?.VerifiedBytes ?? 0;

    /// <summary>Bytes of the pieces wanted (the selected files'); the torrent's size until the files are checked.</summary>
    public long Size => Latest is { Phase: not DownloadPhase.Checking } p ? p.WantedBytes : Torrent.TotalSize ?? 0;

    /// <summary>Payload bytes sent to peers in the current (or last) run.</summary>
    public long Uploaded => Latest?.UploadedBytes ?? 0;

    /// <summary>Bytes per second received, over the last seconds; 0 when not running.</summary>
    public double DownloadRate => IsRunning && Latest is { } p ? Math.Round(p.DownloadRate) : 0;

    /// <summary>Bytes per second sent, over the last seconds; 0 when not running.</summary>
    public double UploadRate => IsRunning && Latest is { } p ? Math.Round(p.UploadRate) : 0;

    /// <summary>Peers connected now.</summary>
    public int ConnectedPeers => IsRunning ? Latest?.ConnectedPeers ?? 0 : 0;

    /// <summary>Peers known from trackers and -Peer.</summary>
    public int KnownPeers => Latest?.KnownPeers ?? 0;

    /// <summary>Time left at the current rate: null while unknown (queued, checking, no data flowing), zero when complete.</summary>
    public TimeSpan? Eta
    {
        get
        {
            if (JobStateInfo.State == JobState.Completed)
                return TimeSpan.Zero;
            return IsRunning && Latest is { } p ? DownloadStatus.Eta(p) : null;
        }
    }

    /// <summary>What the download output when it completed; null before.</summary>
    public TorrentDownloadResult? Result
    {
        get
        {
            lock (gate)
                return result;
        }
    }

    /// <summary>The session's download slots: set by the job source adapter when the job is registered.</summary>
    internal TorrentJobScheduler? Scheduler
    {
        get
        {
            lock (gate)
                return scheduler;
        }
        set
        {
            lock (gate)
                scheduler = value;
        }
    }

    public override string Location => Destination;

    public override bool HasMoreData
    {
        get
        {
            try
            {
                return Output.Count > 0 || Error.Count > 0 || Progress.Count > 0 || Verbose.Count > 0
                    || Warning.Count > 0 || Debug.Count > 0 || Information.Count > 0;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }

    public override string StatusMessage
    {
        get
        {
            Stage now;
            lock (gate)
                now = stage;
            var p = Latest;
            return now switch
            {
                Stage.Created => "Not started",
                Stage.Queued => "Queued: waiting for a download slot",
                Stage.Running => p is { } running ? DownloadStatus.Describe(running) : "Starting",
                Stage.Suspending => "Suspending",
                Stage.Suspended => string.Create(CultureInfo.InvariantCulture, $"Suspended at {PercentComplete:0.0}%"),
                Stage.Stopping => "Stopping",
                _ => JobStateInfo.State switch
                {
                    JobState.Completed => "Complete",
                    JobState.Failed => failure?.Message ?? "Failed",
                    _ => string.Create(CultureInfo.InvariantCulture, $"Stopped at {PercentComplete:0.0}%"),
                },
            };
        }
    }

    private DownloadProgress? Latest => monitor.Latest;

    private bool IsRunning
    {
        get
        {
            lock (gate)
                return stage == Stage.Running;
        }
    }

    private int ActivityId => Id;

    private string Activity => $"Downloading {Torrent.Name}";

    /// <summary>Claims the torrent and destination for this job: false when another download in the process has them.</summary>
    internal bool TryClaim() => DownloadClaims.TryClaim(claimKey, this);

    public override void StartJob()
    {
        TorrentJobScheduler slots;
        lock (gate)
        {
            if (stage != Stage.Created)
                throw new InvalidOperationException($"The torrent job '{Name}' has already been started.");
            slots = scheduler ?? throw new InvalidOperationException($"The torrent job '{Name}' is not registered with the session's job manager.");
            stage = Stage.Queued;
        }
        slots.Enqueue(this, first: false);
    }

    public override void StartJobAsync() => RunAsyncOperation(StartJob, OnStartJobCompleted);

    public override void StopJob() => RequestStop().GetAwaiter().GetResult();

    public override void StopJob(bool force, string reason) => StopJob();

    public override void StopJobAsync() => RunAsyncOperation(StopJob, OnStopJobCompleted);

    public override void StopJobAsync(bool force, string reason) => StopJobAsync();

    /// <summary>Stops the run and keeps the job: the files stay as they are, and <see cref="ResumeJob"/> starts a
    /// new run that re-checks them and fetches the rest.</summary>
    public override void SuspendJob() => RequestSuspend().GetAwaiter().GetResult();

    public override void SuspendJob(bool force, string reason) => SuspendJob();

    public override void SuspendJobAsync() => RunAsyncOperation(SuspendJob, OnSuspendJobCompleted);

    public override void SuspendJobAsync(bool force, string reason) => SuspendJobAsync();

    /// <summary>Puts a suspended job first in the session's queue (NotStarted); it runs at once when a slot is free.</summary>
    public override void ResumeJob()
    {
        Task? previous = null;
        lock (gate)
        {
            switch (stage)
            {
                case Stage.Queued or Stage.Running:
                    return;
                case Stage.Suspending:
                    previous = run;
                    break;
                case Stage.Suspended:
                    break;
                default:
                    throw new InvalidOperationException($"Cannot resume the torrent job '{Name}': it is {JobStateInfo.State}.");
            }
        }
        previous?.GetAwaiter().GetResult();
        TorrentJobScheduler slots;
        lock (gate)
        {
            if (stage != Stage.Suspended)
                return;
            stage = Stage.Queued;
            slots = scheduler!;
        }
        // Waiting for a slot is NotStarted, as for a new job: Wait-Job must not take a resumed job for a
        // suspended one. Set before queueing, so that a free slot's Running always comes after it.
        SetState(JobState.NotStarted, null);
        slots.Enqueue(this, first: true);
    }

    public override void ResumeJobAsync() => RunAsyncOperation(ResumeJob, OnResumeJobCompleted);

    /// <summary>A torrent job never blocks (it never waits for user input): nothing to unblock.</summary>
    public override void UnblockJob()
    {
    }

    public override void UnblockJobAsync() => RunAsyncOperation(UnblockJob, OnUnblockJobCompleted);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Remove-Job stops a running job first; this is for a job disposed any other way. No wait: the run
            // ends on its own, and what it writes to the closed job is ignored.
            try
            {
                _ = RequestStop();
            }
            catch (Exception)
            {
                // Disposing must not throw: the job is being dropped.
            }
        }
        base.Dispose(disposing);
    }

    /// <summary>Starts a run if the job is still waiting: called by the scheduler when a slot is free.</summary>
    internal bool TryBeginRun()
    {
        Task<Task> starter;
        lock (gate)
        {
            if (stage != Stage.Queued)
                return false;
            stage = Stage.Running;
            requestedEnd = RunEnd.None;
            var cts = new CancellationTokenSource();
            cancel = cts;
            starter = new Task<Task>(() => RunOnceAsync(cts.Token));
            run = starter.Unwrap();
        }
        // Running before the run starts, so the run's own end state always comes after it.
        SetState(JobState.Running, null);
        starter.Start(TaskScheduler.Default);
        return true;
    }

    /// <summary>One run: never throws; ends in Completed, Failed, Stopped or Suspended and frees its slot.</summary>
    private async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var final = JobState.Completed;
        Exception? reason = null;
        TorrentDownloadResult? done = null;
        using var reporting = new CancellationTokenSource();
        var reporter = ReportAsync(reporting.Token);
        try
        {
            if (metainfo is null)
            {
                var fetched = await lookup.FetchAsync(Torrent, cancellationToken).ConfigureAwait(false);
                lock (gate)
                {
                    Torrent = fetched;
                    metainfo = fetched.Metainfo!;
                }
                AddBounded(Verbose, new VerboseRecord($"Got the metadata of '{fetched.Name}': {fetched.Files.Length} files, {DisplayFormat.Size(fetched.TotalSize)}."));
            }
            var download = new TorrentDownload(TorrentEngine.Shared, metainfo, Destination, options);
            done = new TorrentDownloadResult(Torrent, await download.RunAsync(monitor, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Stop-Job or SuspendJob: verified pieces are on disk, the files are closed.
            lock (gate)
                final = requestedEnd == RunEnd.Suspend ? JobState.Suspended : JobState.Stopped;
        }
        catch (MetadataFetchException e)
        {
            final = JobState.Failed;
            reason = MetadataLookup.Failed(Torrent, e).Exception;
        }
        catch (Exception e)
        {
            final = JobState.Failed;
            reason = e;
        }

        try
        {
            await reporting.CancelAsync().ConfigureAwait(false);
            await reporter.ConfigureAwait(false);
            bool written;
            lock (gate)
                written = resultWritten;
            if (done is not null && !written)
                Add(Output, PSObject.AsPSObject(done));
            var terminal = final != JobState.Suspended;
            lock (gate)
            {
                result = done ?? result;
                failure = reason;
                stage = terminal ? Stage.Finished : Stage.Suspended;
                cancel = null;
            }
            if (terminal)
                EndStreams();
            SetState(final, reason);
        }
        catch (Exception)
        {
            // Never out of a run: the state is set as far as the job could be reached.
        }
        finally
        {
            Scheduler?.Release();
        }
    }

    /// <summary>Writes progress a few times a second and turns what changed into Verbose and Warning records.</summary>
    private async Task ReportAsync(CancellationToken cancellationToken)
    {
        var state = new ReportState();
        try
        {
            using var timer = new PeriodicTimer(ReportInterval);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                ReportOnce(state);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception)
        {
            // A reporting fault must not end the download; the final report below still runs.
        }
        try
        {
            ReportOnce(state);
        }
        catch (Exception)
        {
        }
    }

    private void ReportOnce(ReportState state)
    {
        while (monitor.TryTakeEvent(out var e))
        {
            if (e is { Kind: DownloadEventKind.Completed, Result: { } completed })
            {
                // Seeding goes on; the download itself is done: its result is output now, once.
                var early = new TorrentDownloadResult(Torrent, completed);
                lock (gate)
                {
                    result = early;
                    resultWritten = true;
                }
                Add(Output, PSObject.AsPSObject(early));
            }
            if (e.Level == DownloadEventLevel.Warning)
                AddBounded(Warning, new WarningRecord(e.Message));
            else
                AddBounded(Verbose, new VerboseRecord(e.Message));
        }
        if (monitor.TakeDroppedCount() is > 0 and var dropped)
            AddBounded(Verbose, new VerboseRecord($"{dropped} more engine events were not recorded."));

        while (monitor.TryTakePhaseChange(out var entered))
            AddBounded(Verbose, new VerboseRecord(DescribePhase(entered)));

        if (Latest is not { } p)
            return;
        var now = DateTime.UtcNow;
        CheckStall(state, p, now);
        if (state.Last == p)
            return;
        if (state.Last is { } before && before.ConnectedPeers != p.ConnectedPeers && p.Phase != DownloadPhase.Completed
            && (before.ConnectedPeers == 0 || p.ConnectedPeers == 0 || now - state.PeerMessageAt >= PeerMessageInterval))
        {
            AddBounded(Verbose, new VerboseRecord($"{Torrent.Name}: {p.ConnectedPeers} peers connected ({p.KnownPeers} known)."));
            state.PeerMessageAt = now;
        }

        var record = new ProgressRecord(ActivityId, Activity, DownloadStatus.Describe(p))
        {
            PercentComplete = (int)DownloadStatus.Percent(p),
            SecondsRemaining = DownloadStatus.Eta(p) is { } eta ? (int)Math.Min(eta.TotalSeconds, int.MaxValue) : -1,
        };
        lock (gate)
            progressWritten = true;
        AddProgress(record);
        state.Last = p;
    }

    /// <summary>Warns once per stall, at half the stall timeout: the download fails at the full one.</summary>
    private void CheckStall(ReportState state, DownloadProgress p, DateTime now)
    {
        if (p.Phase != DownloadPhase.Downloading || p.VerifiedBytes != state.StallBytes)
        {
            state.StallBytes = p.VerifiedBytes;
            state.DataAt = now;
            state.StallWarned = false;
            return;
        }
        var quiet = now - state.DataAt;
        if (state.StallWarned || quiet < options.StallTimeout / 2)
            return;
        state.StallWarned = true;
        AddBounded(Warning, new WarningRecord(string.Create(CultureInfo.InvariantCulture,
            $"{Torrent.Name}: no new data for {quiet.TotalSeconds:0} s ({p.ConnectedPeers} peers connected, {p.KnownPeers} known); the download fails after {options.StallTimeout.TotalSeconds:0} s without data.")));
    }

    private string DescribePhase(DownloadProgress p) => p.Phase switch
    {
        DownloadPhase.Checking => $"{Torrent.Name}: checking the files already in {Destination}.",
        DownloadPhase.Downloading => $"{Torrent.Name}: downloading; {p.VerifiedPieces} of {p.WantedPieces} pieces verified so far.",
        DownloadPhase.Seeding => $"{Torrent.Name}: complete; seeding.",
        _ => $"{Torrent.Name}: complete.",
    };

    /// <summary>At a terminal state: the one Completed progress record, and the claim on the files released.</summary>
    private void EndStreams()
    {
        bool write;
        lock (gate)
        {
            write = progressWritten && !completedRecordWritten;
            completedRecordWritten = true;
        }
        if (write)
            AddProgress(new ProgressRecord(ActivityId, Activity, "Done") { RecordType = ProgressRecordType.Completed });
        DownloadClaims.Release(claimKey, this);
    }

    private Task RequestStop()
    {
        Task? wait = null;
        CancellationTokenSource? toCancel = null;
        var stopNow = false;
        var wasQueued = false;
        lock (gate)
        {
            switch (stage)
            {
                case Stage.Created or Stage.Queued:
                    wasQueued = stage == Stage.Queued;
                    stage = Stage.Finished;
                    stopNow = true;
                    break;
                case Stage.Suspended:
                    stage = Stage.Finished;
                    stopNow = true;
                    break;
                case Stage.Running or Stage.Suspending:
                    requestedEnd = RunEnd.Stop;
                    stage = Stage.Stopping;
                    toCancel = cancel;
                    wait = run;
                    break;
                case Stage.Stopping:
                    wait = run;
                    break;
            }
        }
        if (wasQueued)
            scheduler?.Remove(this);
        Cancel(toCancel);
        if (stopNow)
        {
            EndStreams();
            SetState(JobState.Stopped, null);
        }
        return wait ?? Task.CompletedTask;
    }

    private Task RequestSuspend()
    {
        Task? wait = null;
        CancellationTokenSource? toCancel = null;
        var suspendNow = false;
        lock (gate)
        {
            switch (stage)
            {
                case Stage.Queued:
                    stage = Stage.Suspended;
                    suspendNow = true;
                    break;
                case Stage.Running:
                    requestedEnd = RunEnd.Suspend;
                    stage = Stage.Suspending;
                    toCancel = cancel;
                    wait = run;
                    break;
                case Stage.Suspending:
                    wait = run;
                    break;
                case Stage.Suspended:
                    break;
                default:
                    throw new InvalidOperationException($"Cannot suspend the torrent job '{Name}': it is {JobStateInfo.State}.");
            }
        }
        if (suspendNow)
        {
            scheduler?.Remove(this);
            SetState(JobState.Suspended, null);
        }
        Cancel(toCancel);
        return wait ?? Task.CompletedTask;
    }

    private static void Cancel(CancellationTokenSource? source)
    {
        try
        {
            source?.Cancel();
        }
        catch (AggregateException)
        {
            // A cancellation callback of the engine threw; the run still ends and reports its state.
        }
    }

    /// <summary>Sets the state (with the reason for Failed) and never throws: StateChanged handlers run on
    /// this thread, and the job may already be disposed.</summary>
    private void SetState(JobState state, Exception? reason)
    {
        try
        {
            if (JobStateInfo.State == state)
                return;
            if (SetJobStateWithReason is { } withReason)
            {
                withReason.Invoke(this, [state, reason]);
                return;
            }
            if (state == JobState.Failed && reason is not null)
                Add(Error, new ErrorRecord(reason, "DownloadFailed", ErrorCategory.OperationStopped, Torrent));
            SetJobState(state);
        }
        catch (Exception)
        {
            // Disposed job or a throwing handler: nothing to report to.
        }
    }

    /// <summary>Runs a job operation for an *Async member off the caller's thread and always raises its
    /// completed event, with the error if it failed: Stop-Job and Remove-Job wait for that event.</summary>
    private void RunAsyncOperation(Action operation, Action<AsyncCompletedEventArgs> completed) =>
        _ = Task.Run(() =>
        {
            Exception? error = null;
            try
            {
                operation();
            }
            catch (Exception e)
            {
                error = e;
            }
            try
            {
                completed(new AsyncCompletedEventArgs(error, false, null));
            }
            catch (Exception)
            {
                // A handler threw; the operation itself is done.
            }
        });

    private void AddProgress(ProgressRecord record) => AddBounded(Progress, record, MaxProgressBacklog);

    /// <summary>Adds to a stream keeping at most <paramref name="max"/> unreceived items: the oldest go first.</summary>
    private static void AddBounded<T>(PSDataCollection<T> stream, T item, int max = MaxMessageBacklog)
    {
        try
        {
            while (stream.Count >= max)
                stream.RemoveAt(0);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentOutOfRangeException)
        {
            // Receive-Job took them meanwhile, or the stream is closed.
        }
        Add(stream, item);
    }

    /// <summary>Adds to a stream unless the engine already closed it (a finished or removed job).</summary>
    private static void Add<T>(PSDataCollection<T> stream, T item)
    {
        try
        {
            stream.Add(item);
        }
        catch (InvalidOperationException)
        {
            // PSInvalidOperationException (closed) and ObjectDisposedException both derive from it.
        }
    }

    /// <summary>The reporter's memory between ticks; only the reporter touches it.</summary>
    private sealed class ReportState
    {
        public DownloadProgress? Last;
        public DateTime PeerMessageAt;
        public DateTime DataAt = DateTime.UtcNow;
        public long StallBytes = -1;
        public bool StallWarned;
    }
}
