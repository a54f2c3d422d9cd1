using System.Management.Automation;

namespace Rustorrent.PowerShell.Completion;

/// <summary>Turns values into completion text: quoted when PowerShell would otherwise read them differently.</summary>
internal static class CompletionText
{
    private static readonly char[] NeedsQuotes = [' ', '\t', '\'', '"', '`', '$', '(', ')', '{', '}', '[', ']', ';', ',', '&', '|', '@', '#', '<', '>', '\u2018', '\u2019', '\u201C', '\u201D'];

    /// <summary>The word typed so far without its opening (or closing) quote.</summary>
    public static string Unquote(string? word)
    {
        var text = word ?? "";
        if (text.Length > 0 && text[0] is '\'' or '"' or '\u2018' or '\u2019' or '\u201C' or '\u201D')
            text = text[1..];
        if (text.Length > 0 && text[^1] is '\'' or '"' or '\u2018' or '\u2019' or '\u201C' or '\u201D')
            text = text[..^1];
        return text;
    }

    public static string Quote(string value) =>
        value.Length == 0 || value.IndexOfAny(NeedsQuotes) >= 0 ? "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'" : value;

    /// <summary>Does <paramref name="candidate"/> start with what was typed (wildcards allowed)?</summary>
    public static bool Matches(string candidate, string typed)
    {
        if (candidate.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            return true;
        try
        {
            return new WildcardPattern(typed + "*", WildcardOptions.IgnoreCase).IsMatch(candidate);
        }
        catch (WildcardPatternException)
        {
            return false;
        }
    }
}
