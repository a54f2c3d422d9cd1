using System.Globalization;
using System.Text.RegularExpressions;
using Rustorrent.HelpBuilder.Model;

namespace Rustorrent.HelpBuilder.Markdown;

/// <summary>
/// Reads a cmdlet's help markdown in platyPS' schema 2.0.0 into a <see cref="CommandHelp"/>. Strict on
/// structure (every section, in platyPS' order; every yaml key), so that a typo fails the build with the file
/// and line instead of quietly losing text from Get-Help.
/// </summary>
internal static partial class CommandHelpParser
{
    public const string SchemaVersion = "2.0.0";

    private static readonly string[] SectionOrder =
        ["SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS"];

    private static readonly string[] RequiredYamlKeys =
        ["Type", "Parameter Sets", "Aliases", "Required", "Position", "Default value", "Accept pipeline input", "Accept wildcard characters"];

    /// <summary>Parameters PowerShell adds itself; they are documented by `### CommonParameters` (or, for
    /// WhatIf/Confirm, may have a section of their own).</summary>
    private static readonly HashSet<string> RiskMitigationParameters = new(["WhatIf", "Confirm"], StringComparer.OrdinalIgnoreCase);

    public static CommandHelp Parse(string markdown, string file)
    {
        var document = new MarkdownDocument(markdown, file);
        var lines = document.Lines;
        var (frontMatter, bodyStart) = ReadFrontMatter(document);
        if (!frontMatter.TryGetValue("schema", out var schema) || schema != SchemaVersion)
            throw document.Error(0, $"the front matter must say 'schema: {SchemaVersion}'");
        var externalHelpFile = Required(document, frontMatter, "external help file");
        var moduleName = Required(document, frontMatter, "Module Name");
        frontMatter.TryGetValue("online version", out var online);

        var titles = document.Headings(1, bodyStart, lines.Length);
        if (titles.Count != 1)
            throw document.Error(titles.Count > 1 ? titles[1].Index : bodyStart, "there must be exactly one '# Command-Name' title");
        var name = titles[0].Title;
        if (!CommandName().IsMatch(name))
            throw document.Error(titles[0].Index, $"'{name}' is not a Verb-Noun command name");

        var headings = document.Headings(2, titles[0].Index + 1, lines.Length);
        var sections = new Dictionary<string, (int Start, int End, int Heading)>(StringComparer.Ordinal);
        for (var i = 0; i < headings.Count; i++)
        {
            var (index, title) = headings[i];
            var expected = sections.Count < SectionOrder.Length ? SectionOrder[sections.Count] : null;
            if (title != expected)
            {
                throw document.Error(index, expected is null
                    ? $"unexpected section '## {title}' after RELATED LINKS"
                    : $"expected '## {expected}' here, found '## {title}' (sections: {string.Join(", ", SectionOrder)}, in that order)");
            }
            sections[title] = (index + 1, i + 1 < headings.Count ? headings[i + 1].Index : lines.Length, index);
        }
        if (sections.Count < SectionOrder.Length)
            throw document.Error(lines.Length - 1, $"the section '## {SectionOrder[sections.Count]}' is missing");

        var synopsis = Paragraphs(document, sections["SYNOPSIS"], "SYNOPSIS");
        if (synopsis.Count == 0)
            throw document.Error(sections["SYNOPSIS"].Heading, "the synopsis is empty");
        var description = Paragraphs(document, sections["DESCRIPTION"], "DESCRIPTION");
        if (description.Count == 0)
            throw document.Error(sections["DESCRIPTION"].Heading, "the description is empty");
        var (parameters, hasCommon) = ReadParameters(document, sections["PARAMETERS"]);
        var syntax = ReadSyntax(document, sections["SYNTAX"], name, hasCommon);
        var help = new CommandHelp(
            file, name, externalHelpFile, moduleName, string.IsNullOrWhiteSpace(online) ? null : online.Trim(),
            synopsis, syntax, description,
            ReadExamples(document, sections["EXAMPLES"]),
            parameters, hasCommon,
            ReadTypes(document, sections["INPUTS"], "INPUTS"),
            ReadTypes(document, sections["OUTPUTS"], "OUTPUTS"),
            Paragraphs(document, sections["NOTES"], "NOTES"),
            ReadLinks(document, sections["RELATED LINKS"]));
        CheckSyntaxAgainstParameters(document, help);
        return help;
    }

    private static (Dictionary<string, string> Values, int BodyStart) ReadFrontMatter(MarkdownDocument document)
    {
        var lines = document.Lines;
        if (lines.Length == 0 || lines[0].Trim() != "---")
            throw document.Error(0, "the file must start with a '---' front matter block");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line == "---")
                return (values, i + 1);
            if (line.Length == 0)
                continue;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
                throw document.Error(i, $"front matter lines are 'key: value', not '{line}'");
            values[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        throw document.Error(0, "the front matter block is never closed with '---'");
    }

    private static string Required(MarkdownDocument document, Dictionary<string, string> frontMatter, string key) =>
        frontMatter.TryGetValue(key, out var value) && value.Length > 0 ? value : throw document.Error(0, $"the front matter has no '{key}'");

    /// <summary>A section of plain text: paragraphs only (no subsections, no code).</summary>
    private static List<string> Paragraphs(MarkdownDocument document, (int Start, int End, int Heading) section, string name)
    {
        var sub = document.Headings(3, section.Start, section.End);
        if (sub.Count > 0)
            throw document.Error(sub[0].Index, $"## {name} takes no ### subsections");
        return document.Blocks(section.Start, section.End).Select(b => b.IsCode ? "    " + b.Text.Replace("\n", "\n    ", StringComparison.Ordinal) : b.Text).ToList();
    }

    private static List<SyntaxSet> ReadSyntax(MarkdownDocument document, (int Start, int End, int Heading) section, string commandName, bool hasCommon)
    {
        var sets = new List<SyntaxSet>();
        var headings = document.Headings(3, section.Start, section.End);
        if (headings.Count == 0)
            throw document.Error(section.Heading, "## SYNTAX needs one '### SetName' with a code block per parameter set");
        for (var i = 0; i < headings.Count; i++)
        {
            var (index, title) = headings[i];
            var isDefault = title.EndsWith(" (Default)", StringComparison.Ordinal);
            var setName = isDefault ? title[..^" (Default)".Length].Trim() : title;
            var blocks = document.Blocks(index + 1, i + 1 < headings.Count ? headings[i + 1].Index : section.End);
            if (blocks.Count != 1 || !blocks[0].IsCode || blocks[0].Text.Trim().Contains('\n', StringComparison.Ordinal))
                throw document.Error(index, $"the syntax of set '{setName}' must be one code block of one line");
            var line = blocks[0].Text.Trim();
            var (parameters, common) = SyntaxLineParser.Parse(line, commandName, reason => document.Error(blocks[0].Line, reason));
            if (common != hasCommon)
                throw document.Error(blocks[0].Line, hasCommon ? "the syntax line lacks [<CommonParameters>] though PARAMETERS has ### CommonParameters" : "the syntax line has [<CommonParameters>] but PARAMETERS has no ### CommonParameters");
            if (sets.Any(s => string.Equals(s.Name, setName, StringComparison.OrdinalIgnoreCase)))
                throw document.Error(index, $"parameter set '{setName}' is listed twice");
            sets.Add(new SyntaxSet(setName, isDefault, line, parameters, blocks[0].Line));
        }
        if (sets.Count > 1 && sets.Count(s => s.IsDefault) != 1)
            throw document.Error(section.Heading, "with several parameter sets, exactly one is marked '(Default)'");
        return sets;
    }

    private static List<HelpExample> ReadExamples(MarkdownDocument document, (int Start, int End, int Heading) section)
    {
        var examples = new List<HelpExample>();
        var headings = document.Headings(3, section.Start, section.End);
        if (headings.Count == 0)
            throw document.Error(section.Heading, "## EXAMPLES needs at least one '### Example 1: title'");
        for (var i = 0; i < headings.Count; i++)
        {
            var (index, title) = headings[i];
            var blocks = document.Blocks(index + 1, i + 1 < headings.Count ? headings[i + 1].Index : section.End);
            var code = blocks.Where(b => b.IsCode).Select(b => (b.Language, b.Text.TrimEnd())).ToList();
            if (code.Count == 0)
                throw document.Error(index, $"the example '{title}' has no code block");
            examples.Add(new HelpExample(title, code, blocks.Where(b => !b.IsCode).Select(b => b.Text).ToList()));
        }
        return examples;
    }

    private static (List<ParameterHelp> Parameters, bool HasCommon) ReadParameters(MarkdownDocument document, (int Start, int End, int Heading) section)
    {
        var parameters = new List<ParameterHelp>();
        var hasCommon = false;
        var headings = document.Headings(3, section.Start, section.End);
        for (var i = 0; i < headings.Count; i++)
        {
            var (index, title) = headings[i];
            var blocks = document.Blocks(index + 1, i + 1 < headings.Count ? headings[i + 1].Index : section.End);
            if (title == "CommonParameters")
            {
                if (i != headings.Count - 1)
                    throw document.Error(index, "### CommonParameters comes after every parameter");
                hasCommon = true;
                continue;
            }
            if (!title.StartsWith('-') || !ParameterName().IsMatch(title[1..]))
                throw document.Error(index, $"a parameter heading is '### -Name', not '### {title}'");
            var name = title[1..];
            if (parameters.Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
                throw document.Error(index, $"-{name} is documented twice");
            var description = blocks.TakeWhile(b => !b.IsCode).Select(b => b.Text).ToList();
            if (description.Count == 0)
                throw document.Error(index, $"-{name} has no description");
            var yaml = blocks.SkipWhile(b => !b.IsCode).ToList();
            if (yaml.Count == 0 || yaml.Any(b => !b.IsCode || b.Language != "yaml"))
                throw document.Error(index, $"-{name}: the description must be followed by ```yaml blocks only");
            parameters.Add(new ParameterHelp(name, description, yaml.Select(b => ReadMetadata(document, b, name)).ToList(), index + 1));
        }
        return (parameters, hasCommon);
    }

    private static ParameterMetadata ReadMetadata(MarkdownDocument document, MarkdownBlock block, string parameter)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = block.Line;
        foreach (var raw in block.Text.Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0)
                continue;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var key = colon > 0 ? line[..colon].Trim() : "";
            if (!RequiredYamlKeys.Contains(key) && key != "Accepted values")
                throw document.Error(lineNumber - 1, $"-{parameter}: unknown yaml line '{line}' (keys: {string.Join(", ", RequiredYamlKeys)}, Accepted values)");
            if (!values.TryAdd(key, line[(colon + 1)..].Trim()))
                throw document.Error(lineNumber - 1, $"-{parameter}: '{key}' is given twice");
        }
        var missing = RequiredYamlKeys.FirstOrDefault(k => !values.ContainsKey(k));
        if (missing is not null)
            throw document.Error(block.Line - 1, $"-{parameter}: the yaml block has no '{missing}'");

        Exception Bad(string key, string expected) => document.Error(block.Line - 1, $"-{parameter}: '{key}: {values[key]}' should be {expected}");
        bool Boolean(string key) => values[key] switch
        {
            "True" or "true" => true,
            "False" or "false" => false,
            _ => throw Bad(key, "True or False"),
        };
        static List<string> List(string text) =>
            text is "" or "None" ? [] : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();

        if (values["Type"].Length == 0)
            throw Bad("Type", "a type name");
        var sets = values["Parameter Sets"];
        if (sets.Length == 0)
            throw Bad("Parameter Sets", "(All) or a comma-separated list of set names");
        int? position = values["Position"] switch
        {
            "Named" or "named" => null,
            var p when int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
            _ => throw Bad("Position", "Named or a number"),
        };
        var pipeline = values["Accept pipeline input"];
        bool byValue = false, byName = false;
        if (pipeline is not ("False" or "false"))
        {
            var match = PipelineInput().Match(pipeline);
            if (!match.Success)
                throw Bad("Accept pipeline input", "False, True (ByValue), True (ByPropertyName) or True (ByPropertyName, ByValue)");
            foreach (var kind in match.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries))
            {
                if (kind == "ByValue")
                    byValue = true;
                else if (kind == "ByPropertyName")
                    byName = true;
                else
                    throw Bad("Accept pipeline input", "ByValue and/or ByPropertyName in the parentheses");
            }
        }
        return new ParameterMetadata(
            values["Type"],
            sets == "(All)",
            sets == "(All)" ? [] : List(sets),
            List(values["Aliases"]),
            values.TryGetValue("Accepted values", out var accepted) ? List(accepted) : [],
            Boolean("Required"),
            position,
            values["Default value"].Length == 0 ? "None" : values["Default value"],
            byValue,
            byName,
            Boolean("Accept wildcard characters"),
            block.Line);
    }

    private static List<TypeHelp> ReadTypes(MarkdownDocument document, (int Start, int End, int Heading) section, string name)
    {
        var headings = document.Headings(3, section.Start, section.End);
        if (headings.Count == 0)
            throw document.Error(section.Heading, $"## {name} needs at least one '### TypeName' (or '### None')");
        if (document.Blocks(section.Start, headings[0].Index).Count > 0)
            throw document.Error(section.Start, $"text in ## {name} belongs under a '### TypeName'");
        return headings.Select((h, i) => new TypeHelp(h.Title,
            document.Blocks(h.Index + 1, i + 1 < headings.Count ? headings[i + 1].Index : section.End).Select(b => b.Text).ToList())).ToList();
    }

    private static List<RelatedLink> ReadLinks(MarkdownDocument document, (int Start, int End, int Heading) section)
    {
        var links = new List<RelatedLink>();
        foreach (var block in document.Blocks(section.Start, section.End))
        {
            var text = block.Text.TrimStart('-', '*', ' ');
            var match = Link().Match(text);
            if (block.IsCode || !match.Success)
                throw document.Error(block.Line - 1, $"a related link is '[text](uri)' on a line of its own, not '{block.Text}'");
            links.Add(new RelatedLink(match.Groups[1].Value.Trim(), match.Groups[2].Value.Trim()));
        }
        return links;
    }

    /// <summary>The SYNTAX lines must agree with the PARAMETERS yaml: same parameters per set, and the same
    /// mandatory/positional/type facts (platyPS derives MAML syntax from the yaml; so do we).</summary>
    private static void CheckSyntaxAgainstParameters(MarkdownDocument document, CommandHelp help)
    {
        var setNames = help.Syntax.Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in help.Parameters)
        {
            foreach (var metadata in parameter.Metadata)
            {
                var unknown = metadata.ParameterSets.FirstOrDefault(s => !setNames.Contains(s));
                if (unknown is not null)
                    throw document.Error(metadata.SourceLine - 1, $"-{parameter.Name} names parameter set '{unknown}', which SYNTAX does not list");
            }
        }
        foreach (var set in help.Syntax)
        {
            foreach (var shown in set.Parameters)
            {
                if (RiskMitigationParameters.Contains(shown.Name) && help.Parameters.All(p => !string.Equals(p.Name, shown.Name, StringComparison.OrdinalIgnoreCase)))
                    continue;
                var parameter = help.Parameters.FirstOrDefault(p => string.Equals(p.Name, shown.Name, StringComparison.OrdinalIgnoreCase))
                    ?? throw document.Error(set.SourceLine, $"set '{set.Name}' shows -{shown.Name}, which PARAMETERS does not document");
                var metadata = help.MetadataFor(parameter, set.Name)
                    ?? throw document.Error(set.SourceLine, $"set '{set.Name}' shows -{shown.Name}, whose yaml does not list that set");
                if (shown.IsOptional == metadata.Required)
                    throw document.Error(set.SourceLine, $"set '{set.Name}' shows -{shown.Name} as {(shown.IsOptional ? "optional" : "mandatory")}, its yaml says Required: {metadata.Required}");
                if (shown.IsPositional != metadata.Position.HasValue)
                    throw document.Error(set.SourceLine, $"set '{set.Name}' shows -{shown.Name} as {(shown.IsPositional ? "positional" : "named")}, its yaml says Position: {metadata.Position?.ToString(CultureInfo.InvariantCulture) ?? "Named"}");
                if ((shown.TypeName is null) != metadata.IsSwitch)
                    throw document.Error(set.SourceLine, $"set '{set.Name}' shows -{shown.Name} {(shown.TypeName is null ? "as a switch" : $"with type {shown.TypeName}")}, its yaml says Type: {metadata.Type}");
            }
            foreach (var parameter in help.Parameters)
            {
                if (help.MetadataFor(parameter, set.Name) is not null && set.Parameters.All(p => !string.Equals(p.Name, parameter.Name, StringComparison.OrdinalIgnoreCase)))
                    throw document.Error(set.SourceLine, $"-{parameter.Name} is in set '{set.Name}' by its yaml, but the set's syntax line does not show it");
            }
        }
    }

    [GeneratedRegex(@"^[A-Za-z]+-[A-Za-z0-9]+$")]
    private static partial Regex CommandName();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex ParameterName();

    [GeneratedRegex(@"^True \(([A-Za-z, ]+)\)$", RegexOptions.IgnoreCase)]
    private static partial Regex PipelineInput();

    [GeneratedRegex(@"^\[([^\]]+)\]\(([^)]*)\)$")]
    private static partial Regex Link();
}
