namespace Rustorrent.PowerShell.Tests.Examples;

/// <summary>
/// A ```powershell block of README.md, named by its first line, with the ```text block that follows it
/// (before the next code block) as its sample output.
/// </summary>
internal sealed record ReadmeExample(string Title, string Code, string? SampleOutput)
{
    public static IReadOnlyList<ReadmeExample> Parse(string markdown)
    {
        var examples = new List<ReadmeExample>();
        var previous = "";
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("```", StringComparison.Ordinal))
                continue;
            var language = lines[i][3..].Trim();
            var body = new List<string>();
            for (i++; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
                body.Add(lines[i]);
            var text = string.Join("\n", body);
            if (language == "powershell")
                examples.Add(new ReadmeExample(body.First(l => l.Trim().Length > 0).Trim(), text, null));
            else if (language == "text" && previous == "powershell")
                examples[^1] = examples[^1] with { SampleOutput = text };
            previous = language;
        }
        return examples;
    }

    public override string ToString() => Title;
}
