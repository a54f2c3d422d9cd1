namespace Rustorrent.HelpBuilder.Markdown;

/// <summary>A paragraph (or list item) of text, or a fenced code block with its language; Line is 1-based.</summary>
internal sealed record MarkdownBlock(bool IsCode, string Text, string Language, int Line);
