using Rustorrent.HelpBuilder.Markdown;
using Rustorrent.HelpBuilder.Model;

namespace Rustorrent.PowerShell.Tests.Help;

public sealed class CommandHelpParserTests
{
    private static CommandHelp Parse(string text = SampleHelpMarkdown.Text) => CommandHelpParser.Parse(text, "Get-Thing.md");

    private static MarkdownHelpException Fails(string original, string replacement)
    {
        Assert.Contains(original, SampleHelpMarkdown.Text, StringComparison.Ordinal);
        return Assert.Throws<MarkdownHelpException>(() => Parse(SampleHelpMarkdown.Text.Replace(original, replacement, StringComparison.Ordinal)));
    }

    private static int LineOf(string text) =>
        SampleHelpMarkdown.Text.Split('\n').Select((line, i) => (line, i)).First(x => x.line.Contains(text, StringComparison.Ordinal)).i + 1;

    [Fact]
    public void Reads_front_matter_title_and_text_sections()
    {
        var help = Parse();

        Assert.Equal(("Get-Thing", "Get", "Thing"), (help.Name, help.Verb, help.Noun));
        Assert.Equal(("Sample.dll-Help.xml", "Sample", "https://example.org/Get-Thing"), (help.ExternalHelpFile, help.ModuleName, help.OnlineVersion));
        Assert.Equal(["Gets things."], help.Synopsis);
        Assert.Equal(["The `Get-Thing` cmdlet gets things.", "It never changes them."], help.Description);
        Assert.Equal(["A note."], help.Notes);
        var input = Assert.Single(help.Inputs);
        Assert.Equal(("System.String[]", "Names."), (input.TypeName, Assert.Single(input.Description)));
        Assert.Equal("Sample.Thing", Assert.Single(help.Outputs).TypeName);
        Assert.Equal([new RelatedLink("Set-Thing", ""), new RelatedLink("Docs", "https://example.org/docs")], help.RelatedLinks);
        Assert.True(help.HasCommonParameters);
    }

    [Fact]
    public void Reads_examples_with_their_code_blocks_and_a_comment_inside_code_is_not_a_heading()
    {
        var example = Assert.Single(Parse().Examples);

        Assert.Equal("Example 1: Get one thing", example.Title);
        Assert.Equal([("powershell", "# a comment, not a heading\nGet-Thing -Name a"), ("Output", "a")], example.CodeBlocks);
        Assert.Equal("# a comment, not a heading\nGet-Thing -Name a\n\na", example.Code);
        Assert.Equal(["Gets the thing named a."], example.Remarks);
    }

    [Fact]
    public void Reads_syntax_sets_and_their_parameters()
    {
        var syntax = Parse().Syntax;

        Assert.Equal(["Name", "Id"], syntax.Select(s => s.Name));
        Assert.Equal([true, false], syntax.Select(s => s.IsDefault));
        Assert.Equal(
            [new SyntaxParameter("Name", false, true, "String[]"), new SyntaxParameter("Force", true, false, null)],
            syntax[0].Parameters);
        Assert.Equal(new SyntaxParameter("Id", false, false, "Int32"), syntax[1].Parameters[0]);
    }

    [Fact]
    public void Reads_every_yaml_field_of_a_parameter()
    {
        var parameters = Parse().Parameters;

        Assert.Equal(["Force", "Id", "Name"], parameters.Select(p => p.Name));
        var force = Assert.Single(parameters[0].Metadata);
        Assert.True(force.InAllSets);
        Assert.True(force.IsSwitch);
        Assert.Equal("False", force.DefaultValue);
        var id = Assert.Single(parameters[1].Metadata);
        Assert.Equal(["Identity", "I"], id.Aliases);
        Assert.Equal(["Id"], id.ParameterSets);
        Assert.True(id.Required);
        Assert.Null(id.Position);
        Assert.Equal("True (ByPropertyName, ByValue)", id.PipelineInputText);
        var name = Assert.Single(parameters[2].Metadata);
        Assert.Equal(0, name.Position);
        Assert.Equal(["a", "b"], name.AcceptedValues);
        Assert.True(name.Wildcards);
        Assert.Equal((true, false), (name.PipelineByValue, name.PipelineByPropertyName));
        Assert.Equal(["The names.", "- first item", "- second item"], parameters[2].Description);
    }

    [Fact]
    public void A_missing_section_is_an_error_naming_it()
    {
        var error = Fails("## NOTES\nA note.\n\n", "");

        Assert.Equal("Get-Thing.md", error.File);
        Assert.Contains("expected '## NOTES' here, found '## RELATED LINKS'", error.Reason, StringComparison.Ordinal);
        Assert.Equal(LineOf("## RELATED LINKS") - 3, error.Line);
    }

    [Fact]
    public void An_unknown_yaml_key_is_an_error_at_its_line()
    {
        var error = Fails("Aliases: Identity, I", "Alias: Identity, I");

        Assert.Equal(LineOf("Aliases: Identity, I"), error.Line);
        Assert.Contains("-Id: unknown yaml line 'Alias: Identity, I'", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Position: 0", "Position: first", "'Position: first' should be Named or a number")]
    [InlineData("Accept pipeline input: True (ByValue)", "Accept pipeline input: Yes", "should be False, True (ByValue)")]
    [InlineData("Required: True\nPosition: 0", "Required: Maybe\nPosition: 0", "'Required: Maybe' should be True or False")]
    [InlineData("schema: 2.0.0", "schema: 1.0.0", "schema: 2.0.0")]
    [InlineData("# Get-Thing\n", "# Get Thing\n", "is not a Verb-Noun command name")]
    [InlineData("### -Name\nThe names.", "### Name\nThe names.", "a parameter heading is '### -Name'")]
    [InlineData("Get-Thing [-Name] <String[]> [-Force]", "Get-Thing [-Name <String[]>] [-Force]", "shows -Name as optional, its yaml says Required: True")]
    [InlineData("Get-Thing [-Name] <String[]> [-Force]", "Get-Thing -Name <String[]> [-Force]", "shows -Name as named, its yaml says Position: 0")]
    [InlineData("Get-Thing [-Name] <String[]> [-Force]", "Get-Thing [-Name] <String[]>", "-Force is in set 'Name' by its yaml, but the set's syntax line does not show it")]
    [InlineData("Get-Thing -Id <Int32> [-Force]", "Get-Thing -Id <Int32> [-Force] [-Color <String>]", "set 'Id' shows -Color, which PARAMETERS does not document")]
    [InlineData("Get-Thing -Id <Int32> [-Force] [<CommonParameters>]", "Get-Thing -Id <Int32> [-Force]", "lacks [<CommonParameters>]")]
    [InlineData("Parameter Sets: Id", "Parameter Sets: Identity", "-Id names parameter set 'Identity', which SYNTAX does not list")]
    [InlineData("### Name (Default)", "### Name", "exactly one is marked '(Default)'")]
    [InlineData("[Docs](https://example.org/docs)", "Docs: https://example.org/docs", "a related link is '[text](uri)'")]
    [InlineData("Gets the thing named a.\n", "Gets the thing named a.\n```\n", "is never closed")]
    public void A_schema_violation_is_an_error_that_says_what_is_wrong(string original, string replacement, string reason)
    {
        var error = Fails(original, replacement);

        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.StartsWith("Get-Thing.md(", error.Message, StringComparison.Ordinal);
    }
}
