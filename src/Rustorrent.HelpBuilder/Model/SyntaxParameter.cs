namespace Rustorrent.HelpBuilder.Model;

/// <summary>One parameter as a syntax line shows it: `-Name`, `[-Name]` (positional), `[... ]` (optional),
/// `&lt;Type&gt;` (null for a switch).</summary>
internal sealed record SyntaxParameter(string Name, bool IsOptional, bool IsPositional, string? TypeName);
