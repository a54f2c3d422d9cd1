using System.Text.RegularExpressions;

namespace Rustorrent.PowerShell.Tests.Examples;

/// <summary>
/// Compares a ```text sample of the README with what its example really output, on what does not change
/// from run to run: every row of a TorrentInfo table and every "Torrent:" group heading must be what the
/// module's format view shows for one of the output objects (whitespace aside); a TorrentPeer row must name a
/// peer that was output, with a real source kind; a TorrentJob row must name a job of the output with that
/// total size and a real job state (progress and rates vary); a "WARNING:" line must be a warning the example wrote.
/// </summary>
internal static partial class SampleOutput
{
    /// <summary>The cells of the format views (Rustorrent.format.ps1xml), computed by the same helpers, one line per object.</summary>
    private const string Rows = """
        $shortHash = { param($hash) [Rustorrent.PowerShell.DisplayFormat]::ShortHash($hash) }
        $size = { param($bytes) [Rustorrent.PowerShell.DisplayFormat]::Size($bytes) }
        foreach ($o in $args[0]) {
            if ($o -is [Rustorrent.PowerShell.TorrentInfo]) {
                'info|' + (@((& $size $o.TotalSize),
                    $(if ($o.HasMetadata) { $o.FileCount } else { '?' }), $(if ($o.HasMetadata) { $o.PieceCount } else { '?' }),
                    (& $shortHash $(if ($o.InfoHash) { $o.InfoHash } else { $o.InfoHashV2 })), $o.Version, $o.Name) -join ' ')
            }
            elseif ($o -is [Rustorrent.PowerShell.TorrentPeer]) {
                'peer|' + $o.EndPoint
                [enum]::GetNames($o.Source.GetType()) | ForEach-Object { 'source|' + $_ }
                'group|Torrent: {0} ({1})' -f $o.TorrentName, (& $shortHash $o.InfoHash)
            }
            elseif ($o -is [Rustorrent.PowerShell.TorrentJob]) {
                'job|{0} {1}' -f $o.Name, (& $size $o.Size)
            }
        }
        """;

    public static void AssertMatches(string sample, ExampleRun run, ExampleSession session)
    {
        var shown = session.Invoke(Rows, TimeSpan.FromSeconds(30), run.Output.ToList()).Output.Select(o => o.ToString()).ToHashSet(StringComparer.Ordinal);
        var lines = sample.Split('\n').Select(l => l.Trim()).ToList();
        var kind = "";
        var compared = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = Spaces().Replace(lines[i], " ");
            if (line.Length == 0 || Dashes().IsMatch(line))
                continue;
            if (i + 1 < lines.Count && lines[i + 1].Length > 0 && Dashes().IsMatch(lines[i + 1]))
            {
                kind = line.Split(' ')[0] switch
                {
                    "Size" => "info",
                    "EndPoint" => "peer",
                    "Id" => "job",
                    var other => throw new InvalidOperationException($"A sample table with columns '{line}' (first '{other}') is not compared yet."),
                };
                continue;
            }
            compared++;
            if (line.StartsWith("WARNING: ", StringComparison.Ordinal))
                Assert.True(run.Warnings.Contains(line["WARNING: ".Length..]), $"The sample shows '{line}'; the warnings were:\n{string.Join("\n", run.Warnings)}");
            else if (line.StartsWith("Torrent: ", StringComparison.Ordinal))
                AssertShown(shown, "group|" + line, line);
            else if (kind == "job")
            {
                var row = JobRow().Match(line);
                Assert.True(row.Success, $"'{line}' is not a row of the TorrentJob table");
                Assert.True(Enum.TryParse<System.Management.Automation.JobState>(row.Groups["state"].Value, out _), $"'{row.Groups["state"].Value}' is not a job state");
                AssertShown(shown, $"job|{row.Groups["name"].Value} {row.Groups["size"].Value}", line);
            }
            else if (kind == "peer")
            {
                // Every source is asked at once and a peer is output once, from whichever source named it
                // first: the sample's source is one possible answer, its peer the one that must be found.
                var cells = line.Split(' ');
                Assert.True(cells.Length is 2 or 3, $"'{line}' is not a row of the TorrentPeer table");
                AssertShown(shown, "peer|" + cells[0], line);
                AssertShown(shown, "source|" + cells[1], line);
                Assert.True(cells.Length == 2 || Uri.IsWellFormedUriString(cells[2], UriKind.Absolute), $"'{cells[2]}' is not a source URI");
            }
            else
                AssertShown(shown, kind + "|" + line, line);
        }
        Assert.True(compared > 0, "The sample output has no line to compare:\n" + sample);
    }

    private static void AssertShown(HashSet<string> shown, string expected, string line) =>
        Assert.True(shown.Contains(expected), $"The sample shows '{line}'; the output shows:\n{string.Join("\n", shown.Order(StringComparer.Ordinal))}");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"^-+(\s+-+)*$")]
    private static partial Regex Dashes();

    /// <summary>"1 album Running 42.5% 2.28 MiB / 5.36 MiB ...": id, name, state, progress, done / total.</summary>
    [GeneratedRegex(@"^\d+ (?<name>\S+) (?<state>\w+) [\d.]+% \S+ \S+ / (?<size>\S+ \S+)")]
    private static partial Regex JobRow();
}
