namespace Rustorrent.HelpBuilder.Model;

/// <summary>A `### -Name` of PARAMETERS: its description and one metadata (yaml) block per group of
/// parameter sets in which it behaves the same (platyPS writes several when they differ).</summary>
internal sealed record ParameterHelp(string Name, IReadOnlyList<string> Description, IReadOnlyList<ParameterMetadata> Metadata, int SourceLine);
