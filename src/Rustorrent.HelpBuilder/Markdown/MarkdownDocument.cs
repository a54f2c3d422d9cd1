namespace Rustorrent.HelpBuilder.Markdown;

/// <summary>
/// The lines of a markdown file with what the help schemas need: which lines are inside fenced code (where a
/// `# comment` is not a heading), headings of a level within a range, and the paragraphs and code blocks of a range.
/// </summary>
internal sealed class MarkdownDocument
{
    private readonly bool[] inFence;

    public MarkdownDocument(string text, string file)
    {
        File = file;
        Lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        inFence = new bool[Lines.Length];
        var open = -1;
        for (var i = 0; i < Lines.Length; i++)
        {
            var fence = Lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal);
            inFence[i] = open >= 0 || fence;
            if (fence)
                open = open >= 0 ? -1 : i;
        }
        if (open >= 0)
            throw Error(open, "the code block opened here is never closed (```)");
    }

    public string File { get; }

    public string[] Lines { get; }

    public MarkdownHelpException Error(int index, string reason) => new(File, index + 1, reason);

    /// <summary>Indexes of the headings of exactly <paramref name="level"/> in [start, end), outside code.</summary>
    public List<(int Index, string Title)> Headings(int level, int start, int end)
    {
        var prefix = new string('#', level) + " ";
        var found = new List<(int, string)>();
        for (var i = start; i < end; i++)
        {
            if (!inFence[i] && Lines[i].StartsWith(prefix, StringComparison.Ordinal))
                found.Add((i, Lines[i][prefix.Length..].Trim()));
        }
        return found;
    }

    /// <summary>The paragraphs, list items and fenced code blocks of [start, end). Lines of one paragraph are
    /// joined with spaces, as MAML wants one para per paragraph and Get-Help wraps them itself.</summary>
    public List<MarkdownBlock> Blocks(int start, int end)
    {
        var blocks = new List<MarkdownBlock>();
        var paragraph = new List<string>();
        var paragraphStart = start;
        void Flush()
        {
            if (paragraph.Count > 0)
                blocks.Add(new MarkdownBlock(false, string.Join(' ', paragraph), "", paragraphStart + 1));
            paragraph.Clear();
        }
        for (var i = start; i < end; i++)
        {
            var line = Lines[i];
            if (inFence[i])
            {
                Flush();
                var language = line.Trim()[3..].Trim();
                var code = new List<string>();
                var first = i;
                for (i++; i < end && !Lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal); i++)
                    code.Add(Lines[i]);
                if (i >= end)
                    throw Error(first, "the code block opened here does not end in its section");
                blocks.Add(new MarkdownBlock(true, string.Join('\n', code), language, first + 1));
                continue;
            }
            var trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                Flush();
                continue;
            }
            if (IsListItem(trimmed))
                Flush();
            if (paragraph.Count == 0)
                paragraphStart = i;
            paragraph.Add(trimmed);
        }
        Flush();
        return blocks;
    }

    private static bool IsListItem(string line) =>
        line.StartsWith("- ", StringComparison.Ordinal) || line.StartsWith("* ", StringComparison.Ordinal)
        || (line.Length > 2 && char.IsAsciiDigit(line[0]) && line.IndexOf(". ", StringComparison.Ordinal) is > 0 and < 4
            && line[..line.IndexOf(". ", StringComparison.Ordinal)].All(char.IsAsciiDigit));
}
