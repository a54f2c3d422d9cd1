using System.Xml.Linq;
using Rustorrent.HelpBuilder.Markdown;
using Rustorrent.HelpBuilder.Maml;

namespace Rustorrent.PowerShell.Tests.Help;

public sealed class MamlWriterTests
{
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    private static XElement Written()
    {
        var document = MamlWriter.Write([CommandHelpParser.Parse(SampleHelpMarkdown.Text, "Get-Thing.md")]);
        var root = document.Root!;
        Assert.Equal(XName.Get("helpItems", "http://msh"), root.Name);
        Assert.Equal("maml", (string?)root.Attribute("schema"));
        return Assert.Single(root.Elements(Command + "command"));
    }

    [Fact]
    public void Writes_details_with_name_verb_noun_and_synopsis_and_the_description_as_paragraphs()
    {
        var command = Written();

        var details = command.Element(Command + "details")!;
        Assert.Equal("Get-Thing", details.Element(Command + "name")!.Value);
        Assert.Equal("Get", details.Element(Command + "verb")!.Value);
        Assert.Equal("Thing", details.Element(Command + "noun")!.Value);
        Assert.Equal("Gets things.", details.Element(Maml + "description")!.Element(Maml + "para")!.Value);
        Assert.Equal(["The `Get-Thing` cmdlet gets things.", "It never changes them."],
            command.Element(Maml + "description")!.Elements(Maml + "para").Select(p => p.Value));
    }

    [Fact]
    public void Writes_one_syntax_item_per_set_with_the_attributes_of_that_set_and_no_value_for_a_switch()
    {
        var items = Written().Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();

        Assert.Equal(2, items.Count);
        var name = items[0].Elements(Command + "parameter").ToList();
        Assert.Equal(["Name", "Force"], name.Select(p => p.Element(Maml + "name")!.Value));
        Assert.Equal(
            [("required", "true"), ("variableLength", "true"), ("globbing", "true"), ("pipelineInput", "True (ByValue)"), ("position", "0"), ("aliases", "none")],
            name[0].Attributes().Select(a => (a.Name.LocalName, a.Value)));
        Assert.Equal(["a", "b"], name[0].Element(Command + "parameterValueGroup")!.Elements(Command + "parameterValue").Select(v => v.Value));
        Assert.Null(name[1].Element(Command + "parameterValue"));
        Assert.Equal("SwitchParameter", name[1].Element(Dev + "type")!.Element(Maml + "name")!.Value);
        var id = Assert.Single(items[1].Elements(Command + "parameter"), p => p.Element(Maml + "name")!.Value == "Id");
        Assert.Equal("Identity, I", (string?)id.Attribute("aliases"));
        Assert.Equal("named", (string?)id.Attribute("position"));
        Assert.Equal("True (ByPropertyName, ByValue)", (string?)id.Attribute("pipelineInput"));
        Assert.Equal("Int32", id.Element(Command + "parameterValue")!.Value);
    }

    [Fact]
    public void Writes_parameters_types_notes_examples_and_links()
    {
        var command = Written();

        var parameters = command.Element(Command + "parameters")!.Elements(Command + "parameter").ToList();
        Assert.Equal(["Force", "Id", "Name"], parameters.Select(p => p.Element(Maml + "name")!.Value));
        Assert.Equal("False", parameters[0].Element(Dev + "defaultValue")!.Value);
        Assert.Equal(["The names.", "- first item", "- second item"], parameters[2].Element(Maml + "description")!.Elements(Maml + "para").Select(p => p.Value));
        Assert.Equal("System.String[]", command.Element(Command + "inputTypes")!.Element(Command + "inputType")!.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal("Sample.Thing", command.Element(Command + "returnValues")!.Element(Command + "returnValue")!.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal("A note.", command.Element(Maml + "alertSet")!.Element(Maml + "alert")!.Element(Maml + "para")!.Value);
        var example = command.Element(Command + "examples")!.Element(Command + "example")!;
        Assert.Equal("-------------------------- Example 1: Get one thing --------------------------", example.Element(Maml + "title")!.Value);
        Assert.Equal("# a comment, not a heading\nGet-Thing -Name a\n\na", example.Element(Dev + "code")!.Value);
        Assert.Equal("Gets the thing named a.", example.Element(Dev + "remarks")!.Element(Maml + "para")!.Value);
        Assert.Equal(
            [("Online Version:", "https://example.org/Get-Thing"), ("Set-Thing", ""), ("Docs", "https://example.org/docs")],
            command.Element(Command + "relatedLinks")!.Elements(Maml + "navigationLink").Select(l => (l.Element(Maml + "linkText")!.Value, l.Element(Maml + "uri")!.Value)));
    }
}
