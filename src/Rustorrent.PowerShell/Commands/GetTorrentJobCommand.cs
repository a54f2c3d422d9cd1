using System.Management.Automation;
using Rustorrent.PowerShell.Completion;
using Rustorrent.PowerShell.Jobs;

namespace Rustorrent.PowerShell.Commands;

/// <summary>
/// Get-TorrentJob: the session's torrent jobs, which are the jobs themselves (pipe them to Wait-Job,
/// Receive-Job, Stop-Job, Remove-Job) with their live status as properties. Filters combine.
/// </summary>
[Cmdlet(VerbsCommon.Get, "TorrentJob", DefaultParameterSetName = NameSet)]
[OutputType(typeof(TorrentJob))]
public sealed class GetTorrentJobCommand : PSCmdlet
{
    private const string NameSet = "Name";
    private const string IdSet = "Id";
    private const string InfoHashSet = "InfoHash";

    private List<TorrentJob>? jobs;
    private readonly HashSet<Guid> written = [];

    /// <summary>Job names, with wildcards.</summary>
    [Parameter(Position = 0, ParameterSetName = NameSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TorrentJobNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary>Job ids (the Id column of Get-Job).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet)]
    [ValidateNotNullOrEmpty]
    public int[] Id { get; set; } = [];

    /// <summary>Info hashes of the torrents; TorrentInfo objects bind here from the pipeline.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = InfoHashSet)]
    [ValidateNotNullOrEmpty]
    public string[] InfoHash { get; set; } = [];

    /// <summary>Only jobs in these states.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public JobState[] State { get; set; } = [];

    protected override void ProcessRecord()
    {
        var all = jobs ??= SessionJobs();
        IEnumerable<TorrentJob> selected = State.Length > 0 ? all.Where(j => State.Contains(j.JobStateInfo.State)) : all;
        switch (ParameterSetName)
        {
            case IdSet:
                foreach (var id in Id)
                    Select(selected.Where(j => j.Id == id), id.ToString(System.Globalization.CultureInfo.InvariantCulture), "Id", exact: true);
                break;
            case InfoHashSet:
                foreach (var hash in InfoHash)
                    Select(selected.Where(j => j.InfoHash.Equals(hash, StringComparison.OrdinalIgnoreCase)), hash, "InfoHash", exact: true);
                break;
            default:
                if (Name.Length == 0)
                {
                    Select(selected, "", "Name", exact: false);
                    break;
                }
                foreach (var name in Name)
                    Select(selected.Where(j => TorrentJobSourceAdapter.NameMatches(j.Name, name)), name, "Name", exact: !WildcardPattern.ContainsWildcardCharacters(name));
                break;
        }
    }

    /// <summary>The session's torrent jobs, in Id order, as the job manager lists them for Get-Job.</summary>
    internal static List<TorrentJob> JobsOf(IEnumerable<PSObject> getJobOutput) =>
        [.. getJobOutput.Select(o => o?.BaseObject).OfType<TorrentJob>().OrderBy(j => j.Id)];

    private List<TorrentJob> SessionJobs() =>
        JobsOf(InvokeCommand.InvokeScript("Microsoft.PowerShell.Core\\Get-Job"));

    /// <summary>Writes each job once; an exact name, id or hash that matches nothing is an error, as with Get-Job.</summary>
    private void Select(IEnumerable<TorrentJob> matches, string filter, string what, bool exact)
    {
        var any = false;
        foreach (var job in matches)
        {
            any = true;
            if (written.Add(job.InstanceId))
                WriteObject(job);
        }
        if (!any && exact)
        {
            WriteError(new ErrorRecord(
                new ItemNotFoundException($"No torrent job with {what} '{filter}' was found in this session."),
                "TorrentJobNotFound", ErrorCategory.ObjectNotFound, filter));
        }
    }
}
