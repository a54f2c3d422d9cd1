namespace Rustorrent.HelpBuilder.Model;

/// <summary>An `### Example N: title`: its code blocks with their languages (```powershell, ```Output) and the
/// text around them.</summary>
internal sealed record HelpExample(string Title, IReadOnlyList<(string Language, string Text)> CodeBlocks, IReadOnlyList<string> Remarks)
{
    /// <summary>Every code block, as MAML's one dev:code holds them.</summary>
    public string Code => string.Join("\n\n", CodeBlocks.Select(b => b.Text));
}
