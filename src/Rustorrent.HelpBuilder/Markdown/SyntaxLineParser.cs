using System.Text.RegularExpressions;
using Rustorrent.HelpBuilder.Model;

namespace Rustorrent.HelpBuilder.Markdown;

/// <summary>
/// Reads a platyPS syntax line, e.g. `Get-TorrentInfo [-Path] &lt;String[]&gt; [-Timeout &lt;Int32&gt;] [-Scrape] [&lt;CommonParameters&gt;]`,
/// into its parameters: `-Name &lt;T&gt;` mandatory, `[-Name &lt;T&gt;]` optional, `[-Name] &lt;T&gt;` mandatory positional,
/// `[[-Name] &lt;T&gt;]` optional positional, `-Name` / `[-Name]` switches.
/// </summary>
internal static partial class SyntaxLineParser
{
    public static (List<SyntaxParameter> Parameters, bool HasCommonParameters) Parse(string line, string commandName, Func<string, Exception> error)
    {
        var text = line.Trim();
        if (!text.StartsWith(commandName, StringComparison.OrdinalIgnoreCase) || (text.Length > commandName.Length && text[commandName.Length] != ' '))
            throw error($"the syntax line must start with the command name '{commandName}'");
        var parameters = new List<SyntaxParameter>();
        var common = false;
        var position = commandName.Length;
        while (true)
        {
            while (position < text.Length && text[position] == ' ')
                position++;
            if (position >= text.Length)
                break;
            if (common)
                throw error("[<CommonParameters>] must come last in a syntax line");
            Match match;
            if ((match = CommonParameters().Match(text, position)).Success)
                common = true;
            else if ((match = OptionalPositional().Match(text, position)).Success)
                parameters.Add(new SyntaxParameter(match.Groups[1].Value, IsOptional: true, IsPositional: true, match.Groups[2].Value));
            else if ((match = MandatoryPositional().Match(text, position)).Success)
                parameters.Add(new SyntaxParameter(match.Groups[1].Value, IsOptional: false, IsPositional: true, match.Groups[2].Value));
            else if ((match = OptionalNamed().Match(text, position)).Success)
                parameters.Add(new SyntaxParameter(match.Groups[1].Value, IsOptional: true, IsPositional: false, match.Groups[2].Value));
            else if ((match = OptionalSwitch().Match(text, position)).Success)
                parameters.Add(new SyntaxParameter(match.Groups[1].Value, IsOptional: true, IsPositional: false, null));
            else if ((match = MandatoryNamed().Match(text, position)).Success)
                parameters.Add(new SyntaxParameter(match.Groups[1].Value, IsOptional: false, IsPositional: false, match.Groups[2].Value));
            else if ((match = MandatorySwitch().Match(text, position)).Success)
                parameters.Add(new SyntaxParameter(match.Groups[1].Value, IsOptional: false, IsPositional: false, null));
            else
                throw error($"cannot read the syntax line from column {position + 1}: '{text[position..]}'");
            position += match.Length;
        }
        var duplicate = parameters.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw error($"the syntax line names -{duplicate.Key} twice");
        return (parameters, common);
    }

    [GeneratedRegex(@"\G\[<CommonParameters>\](?= |$)")]
    private static partial Regex CommonParameters();

    [GeneratedRegex(@"\G\[\[-(\w+)\] <([^<>]+)>\](?= |$)")]
    private static partial Regex OptionalPositional();

    [GeneratedRegex(@"\G\[-(\w+)\] <([^<>]+)>(?= |$)")]
    private static partial Regex MandatoryPositional();

    [GeneratedRegex(@"\G\[-(\w+) <([^<>]+)>\](?= |$)")]
    private static partial Regex OptionalNamed();

    [GeneratedRegex(@"\G\[-(\w+)\](?= |$)")]
    private static partial Regex OptionalSwitch();

    [GeneratedRegex(@"\G-(\w+) <([^<>]+)>(?= |$)")]
    private static partial Regex MandatoryNamed();

    [GeneratedRegex(@"\G-(\w+)(?= |$)")]
    private static partial Regex MandatorySwitch();
}
