using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Rustorrent.Bencode;
using Rustorrent.Metainfo;

namespace Rustorrent.PowerShell.Completion;

/// <summary>
/// Completes Start-TorrentDownload -File with the file paths of the torrent being downloaded, read from
/// -InputObject, -LiteralPath or -Path as bound so far, or else from the pipeline before the command when it
/// names a .torrent file (`'x.torrent' | ...`, `Get-TorrentInfo x.torrent | ...`, `Get-Item x.torrent | ...`).
/// Only local files are read: a completer never downloads.
/// </summary>
public sealed class TorrentFileCompleter : IArgumentCompleter
{
    /// <summary>Torrents read for one completion at most: wildcards could name a whole folder.</summary>
    private const int MaxTorrents = 8;

    private static readonly HashSet<string> PathCommands = new(StringComparer.OrdinalIgnoreCase)
    {
        "Get-TorrentInfo", "Rustorrent\\Get-TorrentInfo", "Get-Item", "gi", "Get-ChildItem", "gci", "dir", "ls",
        "Microsoft.PowerShell.Management\\Get-Item", "Microsoft.PowerShell.Management\\Get-ChildItem",
    };

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = CompletionText.Unquote(wordToComplete);
        var files = new SortedDictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        foreach (var metainfo in Torrents(commandAst, fakeBoundParameters).Take(MaxTorrents))
        {
            foreach (var file in metainfo.Files)
            {
                if (!file.IsPadding && (CompletionText.Matches(file.Path, typed) || CompletionText.Matches(System.IO.Path.GetFileName(file.Path), typed)))
                    files.TryAdd(file.Path, file.Length);
            }
        }
        return files.Select(f => new CompletionResult(CompletionText.Quote(f.Key), f.Key, CompletionResultType.ParameterValue, $"{f.Key} ({DisplayFormat.Size(f.Value)})")).ToList();
    }

    private static IEnumerable<TorrentMetainfo> Torrents(CommandAst commandAst, IDictionary bound)
    {
        if (bound is null)
            yield break;
        if (bound.Contains("InputObject"))
        {
            foreach (var item in Values(bound["InputObject"]))
            {
                if (item is TorrentInfo { Metainfo: { } metainfo })
                    yield return metainfo;
            }
            yield break;
        }
        var (paths, literal) = bound.Contains("LiteralPath") ? (Strings(bound["LiteralPath"]), true)
            : bound.Contains("Path") ? (Strings(bound["Path"]), false)
            : PipedPaths(commandAst);
        foreach (var file in Resolve(paths, literal))
        {
            if (Read(file) is { } metainfo)
                yield return metainfo;
        }
    }

    /// <summary>What the element before this command in its pipeline names: string constants, or the path
    /// argument of Get-TorrentInfo, Get-Item or Get-ChildItem.</summary>
    private static (List<string> Paths, bool Literal) PipedPaths(CommandAst commandAst)
    {
        if (commandAst?.Parent is not PipelineAst pipeline)
            return ([], false);
        var at = pipeline.PipelineElements.IndexOf(commandAst);
        if (at <= 0)
            return ([], false);
        switch (pipeline.PipelineElements[at - 1])
        {
            case CommandExpressionAst { Expression: var expression }:
                return (Constants(expression), false);
            case CommandAst previous when previous.GetCommandName() is { } name && PathCommands.Contains(name):
                var elements = previous.CommandElements;
                for (var i = 1; i < elements.Count; i++)
                {
                    if (elements[i] is CommandParameterAst parameter)
                    {
                        var literal = parameter.ParameterName.StartsWith("L", StringComparison.OrdinalIgnoreCase) || parameter.ParameterName.Equals("PSPath", StringComparison.OrdinalIgnoreCase);
                        var isPath = literal || parameter.ParameterName.StartsWith("P", StringComparison.OrdinalIgnoreCase);
                        var argument = parameter.Argument ?? (i + 1 < elements.Count ? elements[i + 1] as ExpressionAst : null);
                        if (isPath && argument is not null)
                            return (Constants(argument), literal);
                        if (parameter.Argument is null)
                            i++; // skip the parameter's value
                        continue;
                    }
                    if (elements[i] is ExpressionAst positional)
                        return (Constants(positional), false);
                }
                return ([], false);
            default:
                return ([], false);
        }
    }

    private static List<string> Constants(Ast expression) => expression switch
    {
        StringConstantExpressionAst s => [s.Value],
        ArrayLiteralAst array => [.. array.Elements.OfType<StringConstantExpressionAst>().Select(s => s.Value)],
        _ => [],
    };

    /// <summary>Full paths of the .torrent files named, resolved against the current location in a nested
    /// pipeline (the completer runs on the session's pipeline thread).</summary>
    private static List<string> Resolve(List<string> paths, bool literal)
    {
        paths = [.. paths.Where(p => !string.IsNullOrEmpty(p) && TorrentInputDetector.Detect(p) == TorrentInputKind.Path)];
        if (paths.Count == 0)
            return [];
        try
        {
            using var shell = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
            shell.AddScript("""
                param([string[]] $Paths, [bool] $Literal)
                foreach ($p in $Paths) {
                    try {
                        if ($Literal) { $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($p) }
                        else { $ExecutionContext.SessionState.Path.GetResolvedProviderPathFromPSPath($p, [ref] $null) }
                    } catch { }
                }
                """).AddArgument(paths.ToArray()).AddArgument(literal);
            return [.. shell.Invoke().Select(o => o?.BaseObject as string).OfType<string>().Where(File.Exists)];
        }
        catch (Exception e) when (e is PSInvalidOperationException or InvalidOperationException or RuntimeException)
        {
            return [];
        }
    }

    private static TorrentMetainfo? Read(string file)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            return TorrentMetainfo.Parse(TorrentFileLoader.ReadFileAsync(file, timeout.Token).GetAwaiter().GetResult());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BencodeException or MetainfoException or OperationCanceledException)
        {
            return null;
        }
    }

    private static IEnumerable<object?> Values(object? value) =>
        Unwrap(value) is IEnumerable items and not string ? items.Cast<object?>().Select(Unwrap) : [Unwrap(value)];

    private static List<string> Strings(object? value) => [.. Values(value).Select(v => v?.ToString()).OfType<string>()];

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;
}
