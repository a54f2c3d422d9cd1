using System.Management.Automation;
using Rustorrent.HelpBuilder.Markdown;
using Rustorrent.PowerShell.Tests.Infrastructure;

namespace Rustorrent.PowerShell.Tests.Help;

/// <summary>
/// The help markdown must describe the cmdlets as they are: every exported cmdlet has docs/en-US/&lt;Name&gt;.md
/// and its parameters, sets and syntax agree with Get-Command. The mutation tests prove the check fails
/// when one fact of the markdown is changed.
/// </summary>
public sealed class HelpMarkdownDriftTests : IDisposable
{
    private static readonly string DocsFolder = Path.Combine(RepoPaths.Root, "docs", "en-US");
    private readonly PowerShellSession shell = new();

    public void Dispose() => shell.Dispose();

    private CmdletInfo Command(string name) => shell.Module.ExportedCmdlets[name];

    private static string ReadDoc(string name) => File.ReadAllText(Path.Combine(DocsFolder, name + ".md"));

    private List<string> Drift(string command, string markdown) =>
        CommandHelpDrift.Compare(Command(command), CommandHelpParser.Parse(markdown, command + ".md"));

    [Fact]
    public void Every_exported_cmdlet_has_a_markdown_file_and_every_file_a_cmdlet()
    {
        Assert.NotEmpty(shell.Module.ExportedCmdlets);
        Assert.Empty(CommandHelpDrift.CompareCoverage(shell.Module.ExportedCmdlets.Keys, Directory.GetFiles(DocsFolder, "*.md")));
    }

    [Fact]
    public void Every_markdown_file_agrees_with_its_cmdlet()
    {
        var problems = shell.Module.ExportedCmdlets.Values
            .Where(c => File.Exists(Path.Combine(DocsFolder, c.Name + ".md")))
            .SelectMany(c => Drift(c.Name, ReadDoc(c.Name)))
            .ToList();

        Assert.True(problems.Count == 0, "The help markdown disagrees with the cmdlets:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void A_cmdlet_without_markdown_and_markdown_without_cmdlet_are_reported()
    {
        var problems = CommandHelpDrift.CompareCoverage(
            ["Get-TorrentInfo", "Start-TorrentDownload"],
            ["/docs/Get-TorrentInfo.md", "/docs/Remove-Torrent.md", "/docs/about_Rustorrent.md"]);

        Assert.Equal(["Start-TorrentDownload has no docs/en-US/Start-TorrentDownload.md", "docs/en-US/Remove-Torrent.md documents no cmdlet of the module"], problems);
    }

    /// <summary>One changed fact each; the expected text names the parameter and what disagrees.</summary>
    [Theory]
    [InlineData("Get-TorrentInfo", "Position: 0", "Position: 1", "-Path in set 'Path': Position is 1, the cmdlet says 0")]
    [InlineData("Get-TorrentInfo", "Accept pipeline input: True (ByValue)", "Accept pipeline input: False", "-Path in set 'Path': Accept pipeline input is False")]
    [InlineData("Get-TorrentInfo", "Aliases: PSPath, LP", "Aliases: PSPath", "-LiteralPath: Aliases are 'PSPath'")]
    [InlineData("Get-TorrentInfo", "Type: Uri[]", "Type: String[]", "-Uri: Type is 'String[]', the cmdlet's is Uri[]")]
    [InlineData("Resolve-TorrentPeers", "Default value: 5", "Default value: 10", "-Timeout: Default value is '10', the cmdlet's is '5'")]
    [InlineData("Resolve-TorrentPeers", "Accept pipeline input: True (ByPropertyName)\nAccept wildcard characters: False\n```\n\n### -InputObject", "Accept pipeline input: True (ByPropertyName, ByValue)\nAccept wildcard characters: False\n```\n\n### -InputObject", "-InfoHash in set 'InfoHash': Accept pipeline input is True (ByPropertyName, ByValue)")]
    public void A_changed_parameter_fact_is_reported(string command, string original, string changed, string expected)
    {
        var markdown = ReadDoc(command).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.Contains(original, markdown, StringComparison.Ordinal);

        var problems = Drift(command, ReplaceFirst(markdown, original, changed));

        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Wildcards_and_mandatory_changes_are_reported_even_when_syntax_is_changed_to_match()
    {
        var markdown = ReadDoc("Get-TorrentInfo").Replace("\r\n", "\n", StringComparison.Ordinal);
        markdown = ReplaceFirst(markdown, "Accept pipeline input: True (ByValue)\nAccept wildcard characters: True", "Accept pipeline input: True (ByValue)\nAccept wildcard characters: False");
        markdown = ReplaceFirst(markdown, "Get-TorrentInfo -InfoHash <String[]> [-ResolveMetadata]", "Get-TorrentInfo [-InfoHash <String[]>] [-ResolveMetadata]");
        markdown = ReplaceFirst(markdown, "Parameter Sets: InfoHash\nAliases:\n\nRequired: True", "Parameter Sets: InfoHash\nAliases:\n\nRequired: False");

        var problems = Drift("Get-TorrentInfo", markdown);

        Assert.Contains("Get-TorrentInfo: -Path: Accept wildcard characters is False, the cmdlet says True", problems);
        Assert.Contains("Get-TorrentInfo: -InfoHash in set 'InfoHash': Required is False, the cmdlet says True", problems);
    }

    [Fact]
    public void A_parameter_missing_from_the_markdown_is_reported()
    {
        var markdown = ReadDoc("Resolve-TorrentPeers").Replace("\r\n", "\n", StringComparison.Ordinal);
        var start = markdown.IndexOf("### -Scrape", StringComparison.Ordinal);
        var end = markdown.IndexOf("### -Timeout", StringComparison.Ordinal);
        markdown = markdown.Remove(start, end - start).Replace(" [-Scrape]", "", StringComparison.Ordinal);

        var problems = Drift("Resolve-TorrentPeers", markdown);

        Assert.Contains("Resolve-TorrentPeers: -Scrape has no '### -Scrape' section", problems);
        Assert.Contains(problems, p => p.StartsWith("Resolve-TorrentPeers: SYNTAX set 'Path' shows -Path -Timeout -Tracker -DhtBootstrap -NoDht;", StringComparison.Ordinal));
    }

    [Fact]
    public void A_parameter_the_cmdlet_does_not_have_is_reported()
    {
        var markdown = ReadDoc("Resolve-TorrentPeers").Replace("\r\n", "\n", StringComparison.Ordinal)
            .Replace("-Tracker", "-Trackers", StringComparison.Ordinal);

        var problems = Drift("Resolve-TorrentPeers", markdown);

        Assert.Contains("Resolve-TorrentPeers: -Trackers is documented but the cmdlet has no such parameter (or it is spelled differently)", problems);
        Assert.Contains("Resolve-TorrentPeers: -Tracker has no '### -Tracker' section", problems);
    }

    [Fact]
    public void Parameter_sets_and_the_default_set_are_compared()
    {
        var markdown = ReadDoc("Resolve-TorrentPeers").Replace("\r\n", "\n", StringComparison.Ordinal)
            .Replace("### Path (Default)", "### Path", StringComparison.Ordinal)
            .Replace("### InputObject\n", "### InputObject (Default)\n", StringComparison.Ordinal);

        var problems = Drift("Resolve-TorrentPeers", markdown);

        Assert.Contains("Resolve-TorrentPeers: SYNTAX set 'Path': (Default) is not marked, but the cmdlet's default set is 'Path'", problems);
        Assert.Contains("Resolve-TorrentPeers: SYNTAX set 'InputObject': (Default) is marked, but the cmdlet's default set is 'Path'", problems);
    }

    [Fact]
    public void A_renamed_parameter_set_is_reported()
    {
        var markdown = ReadDoc("Get-TorrentInfo").Replace("\r\n", "\n", StringComparison.Ordinal)
            .Replace("### InfoHash\n", "### Hash\n", StringComparison.Ordinal)
            .Replace("Parameter Sets: InfoHash", "Parameter Sets: Hash", StringComparison.Ordinal);

        var problems = Drift("Get-TorrentInfo", markdown);

        Assert.Contains("Get-TorrentInfo: SYNTAX lists the sets Path, LiteralPath, Hash, Uri; the cmdlet's are Path, LiteralPath, InfoHash, Uri", problems);
        Assert.Contains("Get-TorrentInfo: -InfoHash: Parameter Sets names 'Hash', a set the parameter is not in", problems);
        Assert.Contains("Get-TorrentInfo: -InfoHash is in parameter set 'InfoHash', which no yaml block of it lists", problems);
    }

    [Fact]
    public void A_syntax_line_in_another_order_than_the_cmdlet_is_reported()
    {
        var markdown = ReadDoc("Resolve-TorrentPeers").Replace("\r\n", "\n", StringComparison.Ordinal);
        markdown = ReplaceFirst(markdown, "[-Timeout <Int32>] [-Tracker <String[]>]", "[-Tracker <String[]>] [-Timeout <Int32>]");

        var problems = Drift("Resolve-TorrentPeers", markdown);

        Assert.Contains("Resolve-TorrentPeers: SYNTAX set 'Path' shows -Path -Tracker -Timeout -Scrape -DhtBootstrap -NoDht; the cmdlet's is -Path -Timeout -Tracker -Scrape -DhtBootstrap -NoDht", problems);
    }

    private static string ReplaceFirst(string text, string original, string replacement)
    {
        var at = text.IndexOf(original, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{original}' is not in the markdown");
        return string.Concat(text.AsSpan(0, at), replacement, text.AsSpan(at + original.Length));
    }
}
