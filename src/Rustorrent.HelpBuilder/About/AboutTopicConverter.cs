using System.Text;
using Rustorrent.HelpBuilder.Markdown;

namespace Rustorrent.HelpBuilder.About;

/// <summary>
/// Turns an about topic in markdown (`# about_Name`, `## Short description`, `## Long description`, further
/// `##`/`###` sections) into the plain text of `about_Name.help.txt`, laid out as PowerShell's own about topics:
/// headings in capitals at the margin, text indented four spaces and wrapped at 80 columns, code indented eight.
/// </summary>
internal static class AboutTopicConverter
{
    private const int Width = 80;
    private const string TextIndent = "    ";
    private const string CodeIndent = "        ";

    public static string Convert(string markdown, string file, out string topicName)
    {
        var document = new MarkdownDocument(markdown, file);
        var lines = document.Lines;
        var start = 0;
        if (lines.Length > 0 && lines[0].Trim() == "---")
        {
            start = Array.FindIndex(lines, 1, l => l.Trim() == "---") + 1;
            if (start == 0)
                throw document.Error(0, "the front matter block is never closed with '---'");
        }
        var titles = document.Headings(1, start, lines.Length);
        if (titles.Count != 1 || !titles[0].Title.StartsWith("about_", StringComparison.Ordinal))
            throw document.Error(start, "an about topic has exactly one title, '# about_Name'");
        topicName = titles[0].Title;
        var sections = document.Headings(2, titles[0].Index + 1, lines.Length);
        if (sections.Count == 0 || !string.Equals(sections[0].Title, "Short description", StringComparison.OrdinalIgnoreCase))
            throw document.Error(titles[0].Index, "an about topic starts with '## Short description'");
        if (sections.Count < 2 || !string.Equals(sections[1].Title, "Long description", StringComparison.OrdinalIgnoreCase))
            throw document.Error(sections[0].Index, "'## Long description' follows the short description");

        var text = new StringBuilder();
        text.Append("TOPIC\n").Append(TextIndent).Append(topicName).Append("\n\n");
        var headings = document.Headings(2, titles[0].Index + 1, lines.Length)
            .Concat(document.Headings(3, titles[0].Index + 1, lines.Length))
            .OrderBy(h => h.Index)
            .ToList();
        for (var i = 0; i < headings.Count; i++)
        {
            var (index, title) = headings[i];
            var level = lines[index].StartsWith("### ", StringComparison.Ordinal) ? 3 : 2;
            text.Append(level == 2 ? title.ToUpperInvariant() : TextIndent + title).Append('\n');
            var blocks = document.Blocks(index + 1, i + 1 < headings.Count ? headings[i + 1].Index : lines.Length);
            for (var b = 0; b < blocks.Count; b++)
            {
                var block = blocks[b];
                if (block.IsCode)
                {
                    foreach (var line in block.Text.Split('\n'))
                        text.Append(line.Length == 0 ? "" : CodeIndent + line).Append('\n');
                }
                else
                {
                    var isItem = IsItem(block);
                    Wrap(text, isItem ? "- " + block.Text[2..] : block.Text, TextIndent, isItem ? TextIndent + "  " : TextIndent);
                    // The items of one list stay together; a blank line ends the list.
                    if (isItem && b + 1 < blocks.Count && IsItem(blocks[b + 1]))
                        continue;
                }
                text.Append('\n');
            }
            if (i + 1 < headings.Count && document.Blocks(index + 1, headings[i + 1].Index).Count == 0)
                text.Append('\n');
        }
        return text.ToString().TrimEnd('\n') + "\n";
    }

    private static bool IsItem(MarkdownBlock block) =>
        !block.IsCode && (block.Text.StartsWith("- ", StringComparison.Ordinal) || block.Text.StartsWith("* ", StringComparison.Ordinal));

    /// <summary>Greedy word wrap; a word longer than the line (a URL) stands on a line of its own.</summary>
    private static void Wrap(StringBuilder text, string paragraph, string firstIndent, string indent)
    {
        var line = new StringBuilder(firstIndent);
        var empty = true;
        foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!empty && line.Length + 1 + word.Length > Width)
            {
                text.Append(line).Append('\n');
                line.Clear().Append(indent);
                empty = true;
            }
            if (!empty)
                line.Append(' ');
            line.Append(word);
            empty = false;
        }
        text.Append(line).Append('\n');
    }
}
