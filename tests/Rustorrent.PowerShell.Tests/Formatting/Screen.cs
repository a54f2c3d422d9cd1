using System.Text.RegularExpressions;

namespace Rustorrent.PowerShell.Tests.Formatting;

/// <summary>Reads what a <see cref="RenderingSession"/> rendered as a user sees it: colour codes removed, line by line.</summary>
internal static partial class Screen
{
    public static IReadOnlyList<string> Lines(string rendered) =>
        AnsiEscape().Replace(rendered, "").Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');

    /// <summary>No line wider than the terminal: a wider one would wrap and break the table.</summary>
    public static void AssertFits(string rendered)
    {
        foreach (var line in Lines(rendered))
            Assert.True(line.Length <= RenderingSession.Width, $"{line.Length} columns: '{line}'\nin:\n{rendered}");
    }

    /// <summary>The column headers of the table in <paramref name="rendered"/>: the words of the line above the dashes.</summary>
    public static IReadOnlyList<string> TableHeaders(string rendered)
    {
        var lines = Lines(rendered);
        for (var i = 1; i < lines.Count; i++)
        {
            if (lines[i].Trim().Length > 0 && lines[i].Trim().All(c => c is '-' or ' '))
                return lines[i - 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        throw new Xunit.Sdk.XunitException("no table in:\n" + rendered);
    }

    /// <summary>The table's data line that contains <paramref name="text"/>.</summary>
    public static string Row(string rendered, string text) =>
        Lines(rendered).SingleOrDefault(l => l.Contains(text, StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"no line with '{text}' in:\n{rendered}");

    /// <summary>The value of a list view's item: the text after "<paramref name="label"/> : " (first line only).</summary>
    public static string ListValue(string rendered, string label)
    {
        var match = Lines(rendered).Select(l => Regex.Match(l, "^" + Regex.Escape(label) + @" *: ?(.*)$")).FirstOrDefault(m => m.Success)
            ?? throw new Xunit.Sdk.XunitException($"no list item '{label}' in:\n{rendered}");
        return match.Groups[1].Value.TrimEnd();
    }

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex AnsiEscape();
}
