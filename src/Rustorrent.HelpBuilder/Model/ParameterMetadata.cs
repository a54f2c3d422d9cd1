namespace Rustorrent.HelpBuilder.Model;

/// <summary>A parameter's yaml block: Type, Parameter Sets, Aliases, Accepted values, Required, Position,
/// Default value, Accept pipeline input, Accept wildcard characters.</summary>
internal sealed record ParameterMetadata(
    string Type,
    bool InAllSets,
    IReadOnlyList<string> ParameterSets,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<string> AcceptedValues,
    bool Required,
    int? Position,
    string DefaultValue,
    bool PipelineByValue,
    bool PipelineByPropertyName,
    bool Wildcards,
    int SourceLine)
{
    public bool IsSwitch => Type is "SwitchParameter" or "System.Management.Automation.SwitchParameter";

    /// <summary>As MAML and Get-Help write it: "False", "True (ByValue)", "True (ByPropertyName, ByValue)".</summary>
    public string PipelineInputText => (PipelineByValue, PipelineByPropertyName) switch
    {
        (true, true) => "True (ByPropertyName, ByValue)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };
}
