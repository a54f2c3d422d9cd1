namespace Rustorrent.HelpBuilder.Markdown;

/// <summary>A help markdown file that does not follow the schema, with the file and line at fault.</summary>
internal sealed class MarkdownHelpException(string file, int line, string reason)
    : Exception($"{file}({line}): {reason}")
{
    public string File { get; } = file;

    /// <summary>1-based line number.</summary>
    public int Line { get; } = line;

    public string Reason { get; } = reason;
}
