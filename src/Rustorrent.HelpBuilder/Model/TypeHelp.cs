namespace Rustorrent.HelpBuilder.Model;

/// <summary>An `### TypeName` of INPUTS or OUTPUTS with what it says about the type.</summary>
internal sealed record TypeHelp(string TypeName, IReadOnlyList<string> Description);
