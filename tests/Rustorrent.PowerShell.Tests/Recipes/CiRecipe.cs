using System.Text.RegularExpressions;
using Rustorrent.PowerShell.Tests.Infrastructure;

namespace Rustorrent.PowerShell.Tests.Recipes;

/// <summary>
/// One recipe of docs/ci-recipes.md: the ```powershell block under its "## title", exactly as a reader copies it,
/// saved as a script file and run the way CI runs it, with parameters; its <c>exit</c> code is the result.
/// </summary>
internal sealed partial class CiRecipe
{
    private CiRecipe(string title, string script)
    {
        Title = title;
        Script = script;
    }

    public string Title { get; }

    public string Script { get; }

    public static string DocumentPath => Path.Combine(RepoPaths.Root, "docs", "ci-recipes.md");

    public static CiRecipe Load(string title)
    {
        var markdown = File.ReadAllText(DocumentPath).Replace("\r\n", "\n", StringComparison.Ordinal);
        var section = Regex.Match(markdown, "^## " + Regex.Escape(title) + "\n(.*?)(?=^## |\\z)", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(section.Success, $"docs/ci-recipes.md has no section '## {title}'");
        var blocks = CodeBlock().Matches(section.Groups[1].Value);
        Assert.True(blocks.Count == 1, $"'## {title}' should hold one powershell block; it holds {blocks.Count}");
        return new CiRecipe(title, blocks[0].Groups[1].Value);
    }

    /// <summary>Saves the recipe as <paramref name="fileName"/> in <paramref name="folder"/> and runs it in
    /// <paramref name="session"/> with <paramref name="parameters"/>: `& ./recipe.ps1 @parameters`, as pwsh -File would.
    /// An `exit N` in a script file ends only that script and sets $LASTEXITCODE, which is what this returns.</summary>
    public RecipeRun Run(PowerShellSession session, string folder, string fileName, IDictionary<string, object> parameters)
    {
        var path = Path.Combine(folder, fileName);
        File.WriteAllText(path, Script);
        RecipeShims.Define(session);
        var result = session.Invoke(
            "$global:LASTEXITCODE = $null; $parameters = $args[1]; & $args[0] @parameters; if ($null -eq $global:LASTEXITCODE) { 'NO EXIT CODE' } else { $global:LASTEXITCODE }",
            path, new System.Collections.Hashtable(parameters.ToDictionary(p => p.Key, p => p.Value)));
        var last = result.Output.LastOrDefault()?.BaseObject;
        Assert.True(last is int, $"the recipe '{Title}' did not end with exit N; it output: " + string.Join(" | ", result.Output));
        return new RecipeRun((int)last!, result with { Output = new(result.Output.Take(result.Output.Count - 1).ToList()) });
    }

    [GeneratedRegex("^```powershell\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}

/// <summary>What a recipe did: its exit code and its streams (the exit code's own line removed from Output).</summary>
internal sealed record RecipeRun(int ExitCode, PowerShellResult Result)
{
    public IReadOnlyList<string> Warnings => Result.Warnings.Select(w => w.Message).ToList();

    public IReadOnlyList<string> Lines => Result.Output.Where(o => o.BaseObject is string).Select(o => (string)o.BaseObject).ToList();

    public override string ToString() =>
        $"exit {ExitCode}; output: {string.Join(" | ", Result.Output)}; warnings: {string.Join(" | ", Warnings)}; errors: {string.Join(" | ", Result.Errors)}";
}
