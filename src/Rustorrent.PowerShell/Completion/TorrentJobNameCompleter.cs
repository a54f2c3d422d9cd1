using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Rustorrent.PowerShell.Commands;

namespace Rustorrent.PowerShell.Completion;

/// <summary>Completes Get-TorrentJob -Name with the names of the session's torrent jobs.</summary>
public sealed class TorrentJobNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = CompletionText.Unquote(wordToComplete);
        List<TorrentJob> jobs;
        try
        {
            // The completer runs on the session's pipeline thread: a nested pipeline reads its job list.
            using var shell = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
            jobs = GetTorrentJobCommand.JobsOf(shell.AddCommand("Microsoft.PowerShell.Core\\Get-Job").Invoke());
        }
        catch (Exception e) when (e is PSInvalidOperationException or InvalidOperationException or RuntimeException)
        {
            return [];
        }
        return jobs
            .Where(j => CompletionText.Matches(j.Name, typed))
            .GroupBy(j => j.Name, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g => new CompletionResult(CompletionText.Quote(g.Key), g.Key, CompletionResultType.ParameterValue,
                string.Join(", ", g.Select(j => $"Id {j.Id}: {j.JobStateInfo.State}, {j.PercentComplete:0.#}%"))))
            .ToList();
    }
}
