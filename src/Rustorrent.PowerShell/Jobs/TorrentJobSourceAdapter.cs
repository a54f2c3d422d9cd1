using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Rustorrent.PowerShell.Jobs;

namespace Rustorrent.PowerShell;

/// <summary>
/// Makes torrent jobs visible to the built-in job cmdlets (Get-Job, Wait-Job, Receive-Job, Stop-Job,
/// Remove-Job). PowerShell creates one per runspace when the module is imported (the job manager registers
/// every public JobSourceAdapter of a module), so the jobs and the download slots are the session's.
/// </summary>
public sealed class TorrentJobSourceAdapter : JobSourceAdapter
{
    /// <summary>The key of the job in the <see cref="JobInvocationInfo"/> parameters Start-TorrentDownload passes.</summary>
    internal const string NewJobParameter = "NewJob";

    private readonly ConcurrentDictionary<Guid, TorrentJob> jobs = new();
    private readonly TorrentJobScheduler scheduler = new();
    private Runspace? session;

    public TorrentJobSourceAdapter()
    {
        Name = nameof(TorrentJobSourceAdapter);
    }

    /// <summary>Registers a job Start-TorrentDownload made (it passes the job itself as the "NewJob" parameter)
    /// and gives it the session's download slots.</summary>
    public override Job2 NewJob(JobInvocationInfo specification)
    {
        ArgumentNullException.ThrowIfNull(specification);
        var job = specification.Parameters.SelectMany(set => set)
            .Where(p => string.Equals(p.Name, NewJobParameter, StringComparison.OrdinalIgnoreCase))
            .Select(p => p.Value)
            .OfType<TorrentJob>()
            .FirstOrDefault()
            ?? throw new ArgumentException("A torrent job is created by Start-TorrentDownload.", nameof(specification));
        job.Scheduler = scheduler;
        jobs.TryAdd(job.InstanceId, job);
        WatchSession();
        return job;
    }

    public override IList<Job2> GetJobs() => Ordered(jobs.Values);

    public override IList<Job2> GetJobsByName(string name, bool recurse) =>
        Ordered(jobs.Values.Where(j => NameMatches(j.Name, name)));

    public override IList<Job2> GetJobsByCommand(string command, bool recurse) =>
        Ordered(jobs.Values.Where(j => NameMatches(j.Command, command)));

    public override Job2? GetJobByInstanceId(Guid instanceId, bool recurse) =>
        jobs.TryGetValue(instanceId, out var job) ? job : null;

    public override Job2? GetJobBySessionId(int id, bool recurse) =>
        jobs.Values.FirstOrDefault(j => j.Id == id);

    public override IList<Job2> GetJobsByState(JobState state, bool recurse) =>
        Ordered(jobs.Values.Where(j => j.JobStateInfo.State == state));

    /// <summary>Get-Job -Filter: each key names a property of the job (Name, InfoHash, Destination, State...);
    /// string values may hold wildcards.</summary>
    public override IList<Job2> GetJobsByFilter(Dictionary<string, object> filter, bool recurse)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return Ordered(jobs.Values.Where(job =>
        {
            var adapted = PSObject.AsPSObject(job);
            return filter.All(pair =>
            {
                var value = pair.Key.Equals("State", StringComparison.OrdinalIgnoreCase)
                    ? job.JobStateInfo.State
                    : adapted.Properties[pair.Key]?.Value;
                return pair.Value is string pattern
                    ? NameMatches(value?.ToString() ?? "", pattern)
                    : Equals(value?.ToString(), pair.Value?.ToString());
            });
        }));
    }

    /// <summary>Remove-Job: forgets the job (Remove-Job -Force has stopped it already; this stops it otherwise).</summary>
    public override void RemoveJob(Job2 job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!jobs.TryRemove(job.InstanceId, out var removed))
            return;
        removed.StopJob();
        removed.Dispose();
    }

    /// <summary>Downloads end with the session: a closed runspace cannot receive them, and a hosting process
    /// that opens and closes runspaces must not collect downloads nobody can stop. NewJob runs on the session's
    /// pipeline thread, where the default runspace is the session's own.</summary>
    private void WatchSession()
    {
        if (Volatile.Read(ref session) is not null || Runspace.DefaultRunspace is not { } current)
            return;
        if (Interlocked.CompareExchange(ref session, current, null) is null)
            current.StateChanged += OnSessionStateChanged;
    }

    private void OnSessionStateChanged(object? sender, RunspaceStateEventArgs e)
    {
        if (e.RunspaceStateInfo.State is not (RunspaceState.Closing or RunspaceState.Closed or RunspaceState.Broken))
            return;
        foreach (var job in jobs.Values)
        {
            _ = Task.Run(() =>
            {
                try
                {
                    job.StopJob();
                }
                catch (Exception)
                {
                    // The session is going away; nothing is left to report to.
                }
            });
        }
    }

    /// <summary>A name matches itself, or as a wildcard pattern: torrent names often hold [brackets], which a
    /// pattern would read as a character set.</summary>
    internal static bool NameMatches(string name, string pattern)
    {
        if (string.Equals(name, pattern, StringComparison.OrdinalIgnoreCase))
            return true;
        try
        {
            return new WildcardPattern(pattern, WildcardOptions.IgnoreCase).IsMatch(name);
        }
        catch (WildcardPatternException)
        {
            return false; // "[abc" and the like: only the exact name matches
        }
    }

    private static List<Job2> Ordered(IEnumerable<TorrentJob> selected) => [.. selected.OrderBy(j => j.Id)];
}
