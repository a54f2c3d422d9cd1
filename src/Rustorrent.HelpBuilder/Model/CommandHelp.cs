namespace Rustorrent.HelpBuilder.Model;

/// <summary>One cmdlet's help as its platyPS markdown file (schema 2.0.0) states it.</summary>
internal sealed record CommandHelp(
    string SourceFile,
    string Name,
    string ExternalHelpFile,
    string ModuleName,
    string? OnlineVersion,
    IReadOnlyList<string> Synopsis,
    IReadOnlyList<SyntaxSet> Syntax,
    IReadOnlyList<string> Description,
    IReadOnlyList<HelpExample> Examples,
    IReadOnlyList<ParameterHelp> Parameters,
    bool HasCommonParameters,
    IReadOnlyList<TypeHelp> Inputs,
    IReadOnlyList<TypeHelp> Outputs,
    IReadOnlyList<string> Notes,
    IReadOnlyList<RelatedLink> RelatedLinks)
{
    public string Verb => Name[..Math.Max(0, Name.IndexOf('-', StringComparison.Ordinal))];

    public string Noun => Name[(Name.IndexOf('-', StringComparison.Ordinal) + 1)..];

    /// <summary>The parameter's metadata block that applies in <paramref name="setName"/>, if it is in that set.</summary>
    public ParameterMetadata? MetadataFor(ParameterHelp parameter, string setName) =>
        parameter.Metadata.FirstOrDefault(m => m.InAllSets || m.ParameterSets.Contains(setName, StringComparer.OrdinalIgnoreCase));
}
