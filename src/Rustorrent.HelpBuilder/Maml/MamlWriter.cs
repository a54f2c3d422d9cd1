using System.Globalization;
using System.Xml.Linq;
using Rustorrent.HelpBuilder.Model;

namespace Rustorrent.HelpBuilder.Maml;

/// <summary>
/// Writes cmdlet help as MAML, the XML Get-Help reads for binary cmdlets (`&lt;Assembly&gt;.dll-Help.xml`), in the
/// shape platyPS' New-ExternalHelp produces: details (name, verb, noun, synopsis), description, one syntax item
/// per parameter set, parameters, input and return types, notes, examples and related links.
/// </summary>
internal static class MamlWriter
{
    public static readonly XNamespace Msh = "http://msh";
    public static readonly XNamespace MamlNs = "http://schemas.microsoft.com/maml/2004/10";
    public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public static XDocument Write(IEnumerable<CommandHelp> commands) =>
        new(new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems",
                new XAttribute("schema", "maml"),
                commands.OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).Select(WriteCommand)));

    public static XElement WriteCommand(CommandHelp help) =>
        new(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", MamlNs),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XElement(Command + "details",
                new XElement(Command + "name", help.Name),
                new XElement(Command + "verb", help.Verb),
                new XElement(Command + "noun", help.Noun),
                Description(help.Synopsis)),
            Description(help.Description),
            new XElement(Command + "syntax", help.Syntax.Select(set => SyntaxItem(help, set))),
            new XElement(Command + "parameters",
                help.Parameters.Select(p => Parameter(p, p.Metadata[0], inSyntax: false))),
            new XElement(Command + "inputTypes", help.Inputs.Select(t => TypeEntry(Command + "inputType", t))),
            new XElement(Command + "returnValues", help.Outputs.Select(t => TypeEntry(Command + "returnValue", t))),
            new XElement(MamlNs + "alertSet",
                new XElement(MamlNs + "alert", Paragraphs(help.Notes))),
            new XElement(Command + "examples", help.Examples.Select(Example)),
            new XElement(Command + "relatedLinks", Links(help)));

    private static XElement SyntaxItem(CommandHelp help, SyntaxSet set) =>
        new(Command + "syntaxItem",
            new XElement(MamlNs + "name", help.Name),
            set.Parameters
                .Select(shown => help.Parameters.FirstOrDefault(p => string.Equals(p.Name, shown.Name, StringComparison.OrdinalIgnoreCase)))
                .Where(p => p is not null)
                .Select(p => Parameter(p!, help.MetadataFor(p!, set.Name)!, inSyntax: true)));

    private static XElement Parameter(ParameterHelp parameter, ParameterMetadata metadata, bool inSyntax)
    {
        var element = new XElement(Command + "parameter",
            new XAttribute("required", metadata.Required ? "true" : "false"),
            new XAttribute("variableLength", "true"),
            new XAttribute("globbing", metadata.Wildcards ? "true" : "false"),
            new XAttribute("pipelineInput", metadata.PipelineInputText),
            new XAttribute("position", metadata.Position?.ToString(CultureInfo.InvariantCulture) ?? "named"),
            new XAttribute("aliases", metadata.Aliases.Count == 0 ? "none" : string.Join(", ", metadata.Aliases)),
            new XElement(MamlNs + "name", parameter.Name),
            Description(parameter.Description));
        if (metadata.AcceptedValues.Count > 0 && inSyntax)
        {
            element.Add(new XElement(Command + "parameterValueGroup",
                metadata.AcceptedValues.Select(v => new XElement(Command + "parameterValue",
                    new XAttribute("required", "false"), new XAttribute("variableLength", "false"), v))));
        }
        // A switch takes no value: without parameterValue Get-Help shows `[-Scrape]`, not `[-Scrape <SwitchParameter>]`.
        else if (!metadata.IsSwitch)
        {
            element.Add(new XElement(Command + "parameterValue",
                new XAttribute("required", "true"), new XAttribute("variableLength", "false"), metadata.Type));
        }
        element.Add(
            new XElement(Dev + "type", new XElement(MamlNs + "name", metadata.Type), new XElement(MamlNs + "uri")),
            new XElement(Dev + "defaultValue", metadata.DefaultValue));
        return element;
    }

    private static XElement TypeEntry(XName name, TypeHelp type) =>
        new(name,
            new XElement(Dev + "type", new XElement(MamlNs + "name", type.TypeName)),
            Description(type.Description));

    private static XElement Example(HelpExample example) =>
        new(Command + "example",
            // Get-Help prints the title as is; platyPS pads it with dashes the same way.
            new XElement(MamlNs + "title", $"-------------------------- {example.Title} --------------------------"),
            new XElement(Dev + "code", example.Code),
            new XElement(Dev + "remarks", Paragraphs(example.Remarks)));

    private static IEnumerable<XElement> Links(CommandHelp help)
    {
        if (help.OnlineVersion is not null)
            yield return Link("Online Version:", help.OnlineVersion);
        foreach (var link in help.RelatedLinks)
            yield return Link(link.Text, link.Uri);
    }

    private static XElement Link(string text, string uri) =>
        new(MamlNs + "navigationLink", new XElement(MamlNs + "linkText", text), new XElement(MamlNs + "uri", uri));

    private static XElement Description(IEnumerable<string> paragraphs) => new(MamlNs + "description", Paragraphs(paragraphs));

    private static IEnumerable<XElement> Paragraphs(IEnumerable<string> paragraphs) =>
        paragraphs.Select(p => new XElement(MamlNs + "para", p));
}
