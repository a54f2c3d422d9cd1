namespace Rustorrent.HelpBuilder.Model;

/// <summary>A `### SetName [(Default)]` of SYNTAX with its one-line syntax and the parameter names in it, in order.</summary>
internal sealed record SyntaxSet(string Name, bool IsDefault, string Line, IReadOnlyList<SyntaxParameter> Parameters, int SourceLine);
