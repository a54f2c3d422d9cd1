using System.Globalization;
using System.Management.Automation;
using System.Text.RegularExpressions;
using Rustorrent.HelpBuilder.Model;

namespace Rustorrent.PowerShell.Tests.Infrastructure;

/// <summary>
/// What platyPS' Update-MarkdownHelp would flag: every way a cmdlet's help markdown disagrees with the cmdlet
/// as the engine sees it (Get-Command's CommandInfo): parameter names, types, aliases, wildcards, accepted values,
/// defaults, and per parameter set Required, Position and pipeline input; the SYNTAX sets, their default and the
/// parameters of each syntax line in the engine's order. Returns one plain sentence per disagreement.
/// </summary>
internal static partial class CommandHelpDrift
{
    private const string AllSets = "__AllParameterSets";

    public static List<string> Compare(CmdletInfo command, CommandHelp help)
    {
        var problems = new List<string>();
        void Problem(string text) => problems.Add($"{command.Name}: {text}");

        if (!string.Equals(help.Name, command.Name, StringComparison.Ordinal))
            Problem($"the markdown's title is '{help.Name}'");
        if (!help.HasCommonParameters)
            Problem("### CommonParameters is missing");

        var parameters = command.Parameters.Values
            // platyPS documents -WhatIf and -Confirm (SupportsShouldProcess) like the cmdlet's own parameters.
            .Where(p => !Cmdlet.CommonParameters.Contains(p.Name) && (!Cmdlet.OptionalCommonParameters.Contains(p.Name) || p.Name is "WhatIf" or "Confirm"))
            .ToList();
        var setNames = command.ParameterSets.Select(s => s.Name).ToList();
        var defaults = Activator.CreateInstance(command.ImplementingType);

        foreach (var documented in help.Parameters.Where(d => parameters.All(p => !string.Equals(p.Name, d.Name, StringComparison.Ordinal))))
            Problem($"-{documented.Name} is documented but the cmdlet has no such parameter (or it is spelled differently)");

        foreach (var parameter in parameters)
        {
            var documented = help.Parameters.FirstOrDefault(d => string.Equals(d.Name, parameter.Name, StringComparison.Ordinal));
            if (documented is null)
            {
                Problem($"-{parameter.Name} has no '### -{parameter.Name}' section");
                continue;
            }
            var inSets = parameter.ParameterSets.ContainsKey(AllSets) ? setNames : parameter.ParameterSets.Keys.ToList();
            foreach (var metadata in documented.Metadata)
            {
                if (!TypeMatches(metadata.Type, parameter.ParameterType))
                    Problem($"-{parameter.Name}: Type is '{metadata.Type}', the cmdlet's is {parameter.ParameterType.Name}");
                if (!SameSet(metadata.Aliases, parameter.Aliases))
                    Problem($"-{parameter.Name}: Aliases are '{string.Join(", ", metadata.Aliases)}', the cmdlet's are '{string.Join(", ", parameter.Aliases)}'");
                var wildcards = parameter.Attributes.OfType<SupportsWildcardsAttribute>().Any();
                if (metadata.Wildcards != wildcards)
                    Problem($"-{parameter.Name}: Accept wildcard characters is {metadata.Wildcards}, the cmdlet says {wildcards}");
                var accepted = parameter.Attributes.OfType<ValidateSetAttribute>().SelectMany(a => a.ValidValues).ToList();
                if (!SameSet(metadata.AcceptedValues, accepted))
                    Problem($"-{parameter.Name}: Accepted values are '{string.Join(", ", metadata.AcceptedValues)}', the cmdlet's are '{string.Join(", ", accepted)}'");
                var defaultValue = DefaultText(command.ImplementingType.GetProperty(parameter.Name)?.GetValue(defaults));
                if (!string.Equals(metadata.DefaultValue, defaultValue, StringComparison.Ordinal))
                    Problem($"-{parameter.Name}: Default value is '{metadata.DefaultValue}', the cmdlet's is '{defaultValue}'");
                if (metadata.InAllSets && inSets.Count != setNames.Count)
                    Problem($"-{parameter.Name}: Parameter Sets is (All), but the parameter is only in {string.Join(", ", inSets)}");
                foreach (var extra in metadata.ParameterSets.Where(s => !inSets.Contains(s, StringComparer.Ordinal)))
                    Problem($"-{parameter.Name}: Parameter Sets names '{extra}', a set the parameter is not in");
            }
            foreach (var set in inSets)
            {
                var metadata = help.MetadataFor(documented, set);
                if (metadata is null)
                {
                    Problem($"-{parameter.Name} is in parameter set '{set}', which no yaml block of it lists");
                    continue;
                }
                var actual = parameter.ParameterSets.TryGetValue(set, out var specific) ? specific : parameter.ParameterSets[AllSets];
                if (metadata.Required != actual.IsMandatory)
                    Problem($"-{parameter.Name} in set '{set}': Required is {metadata.Required}, the cmdlet says {actual.IsMandatory}");
                int? position = actual.Position == int.MinValue ? null : actual.Position;
                if (metadata.Position != position)
                    Problem($"-{parameter.Name} in set '{set}': Position is {Text(metadata.Position)}, the cmdlet says {Text(position)}");
                if (metadata.PipelineByValue != actual.ValueFromPipeline || metadata.PipelineByPropertyName != actual.ValueFromPipelineByPropertyName)
                    Problem($"-{parameter.Name} in set '{set}': Accept pipeline input is {metadata.PipelineInputText}, the cmdlet says ByValue={actual.ValueFromPipeline}, ByPropertyName={actual.ValueFromPipelineByPropertyName}");
            }
        }

        var documentedSets = help.Syntax.Select(s => s.Name).ToList();
        if (!documentedSets.SequenceEqual(setNames, StringComparer.Ordinal))
            Problem($"SYNTAX lists the sets {string.Join(", ", documentedSets)}; the cmdlet's are {string.Join(", ", setNames)}");
        foreach (var set in command.ParameterSets)
        {
            var syntax = help.Syntax.FirstOrDefault(s => string.Equals(s.Name, set.Name, StringComparison.Ordinal));
            if (syntax is null)
                continue;
            if (syntax.IsDefault != set.IsDefault && command.ParameterSets.Count > 1)
                Problem($"SYNTAX set '{set.Name}': (Default) is {(syntax.IsDefault ? "marked" : "not marked")}, but the cmdlet's default set is '{command.DefaultParameterSet}'");
            // The engine's own syntax line gives the order users see with Get-Command -Syntax.
            var expected = SyntaxParameterName().Matches(set.ToString()).Select(m => m.Groups[1].Value).ToList();
            var shown = syntax.Parameters.Select(p => p.Name).ToList();
            if (!shown.SequenceEqual(expected, StringComparer.Ordinal))
                Problem($"SYNTAX set '{set.Name}' shows {string.Join(" ", shown.Select(n => "-" + n))}; the cmdlet's is {string.Join(" ", expected.Select(n => "-" + n))}");
            foreach (var shownParameter in syntax.Parameters.Where(p => p.TypeName is not null))
            {
                var actual = parameters.FirstOrDefault(p => p.Name == shownParameter.Name);
                if (actual is not null && !TypeMatches(shownParameter.TypeName!, actual.ParameterType))
                    Problem($"SYNTAX set '{set.Name}' shows -{shownParameter.Name} <{shownParameter.TypeName}>; its type is {actual.ParameterType.Name}");
            }
        }
        return problems;
    }

    /// <summary>Cmdlets without a markdown file, and markdown files for no cmdlet of the module.</summary>
    public static List<string> CompareCoverage(IEnumerable<string> cmdlets, IEnumerable<string> markdownFiles)
    {
        var documented = markdownFiles.Select(f => Path.GetFileNameWithoutExtension(f))
            .Where(n => !n.StartsWith("about_", StringComparison.OrdinalIgnoreCase)).ToHashSet(StringComparer.Ordinal);
        var names = cmdlets.ToHashSet(StringComparer.Ordinal);
        return names.Where(c => !documented.Contains(c)).Select(c => $"{c} has no docs/en-US/{c}.md")
            .Concat(documented.Where(d => !names.Contains(d)).Select(d => $"docs/en-US/{d}.md documents no cmdlet of the module"))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>platyPS writes a type's short name (String[], Int32, SwitchParameter); the full name is fine too.</summary>
    private static bool TypeMatches(string documented, Type type) =>
        documented == type.Name || documented == type.FullName;

    private static bool SameSet(IEnumerable<string> documented, IEnumerable<string> actual) =>
        documented.ToHashSet(StringComparer.Ordinal).SetEquals(actual);

    private static string Text(int? position) => position?.ToString(CultureInfo.InvariantCulture) ?? "Named";

    /// <summary>As platyPS writes defaults: None for null or an empty array, False/True for a switch.</summary>
    private static string DefaultText(object? value) => value switch
    {
        null => "None",
        Array { Length: 0 } => "None",
        SwitchParameter s => s.IsPresent ? "True" : "False",
        bool b => b ? "True" : "False",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "None",
    };

    [GeneratedRegex(@"(?:^|[ \[])-(\w+)")]
    private static partial Regex SyntaxParameterName();
}
