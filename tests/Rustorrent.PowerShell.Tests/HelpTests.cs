using Rustorrent.HelpBuilder.Markdown;
using Rustorrent.HelpBuilder.Model;
using Rustorrent.PowerShell.Tests.Infrastructure;
using static Rustorrent.PowerShell.Tests.Infrastructure.HelpObject;

namespace Rustorrent.PowerShell.Tests;

/// <summary>
/// Get-Help on the hosted engine finds the help the build generated from docs/en-US (beside the manifest) and
/// shows the markdown's text, not the syntax-only help PowerShell makes up when it finds none.
/// </summary>
public sealed class HelpTests : IDisposable
{
    private readonly PowerShellSession shell = new();

    public void Dispose() => shell.Dispose();

    private static CommandHelp Markdown(string command) =>
        CommandHelpParser.Parse(File.ReadAllText(System.IO.Path.Combine(RepoPaths.Root, "docs", "en-US", command + ".md")), command + ".md");

    private object FullHelp(string command) => Assert.Single(shell.Invoke("Get-Help -Name $args[0] -Full", command).ThrowOnError().Output);

    [Fact]
    public void Help_file_is_found_beside_the_manifest_in_en_US()
    {
        // CommandInfo.HelpFile holds the bare file name until Get-Help has looked the file up.
        var helpFile = (string)Assert.Single(shell.Invoke("$null = Get-Help -Name Get-TorrentInfo; (Get-Command -Name Get-TorrentInfo).HelpFile").ThrowOnError().Output).BaseObject;

        Assert.Equal(System.IO.Path.Combine(shell.Module.ModuleBase, "en-US", "Rustorrent.PowerShell.dll-Help.xml"), helpFile);
        Assert.True(File.Exists(helpFile));
    }

    [Fact]
    public void Get_Help_Full_shows_the_synopsis_description_and_examples_of_the_markdown()
    {
        var markdown = Markdown("Get-TorrentInfo");
        var help = FullHelp("Get-TorrentInfo");

        Assert.Equal("Reads .torrent files, magnet links and info hashes into TorrentInfo objects.", Text(Property(help, "Synopsis")));
        var description = Paragraphs(Property(help, "description"));
        Assert.Equal(markdown.Description, description);
        Assert.StartsWith("The `Get-TorrentInfo` cmdlet reads torrents in any of the forms", description[0], StringComparison.Ordinal);

        var examples = Many(Path(help, "examples", "example"));
        Assert.Equal(markdown.Examples.Count, examples.Count);
        for (var i = 0; i < examples.Count; i++)
        {
            Assert.Contains(markdown.Examples[i].Title, Text(Property(examples[i], "title")), StringComparison.Ordinal);
            Assert.Equal(markdown.Examples[i].Code, Text(Property(examples[i], "code")));
            Assert.Equal(markdown.Examples[i].Remarks, Paragraphs(Property(examples[i], "remarks")));
        }
        Assert.Equal("Get-TorrentInfo -Path ./debian-12.9.0-amd64-netinst.iso.torrent", Text(Property(examples[0], "code")));
    }

    [Fact]
    public void Get_Help_Full_shows_each_parameter_with_its_text_and_metadata()
    {
        var markdown = Markdown("Get-TorrentInfo");
        var parameters = Many(Path(FullHelp("Get-TorrentInfo"), "parameters", "parameter"));

        Assert.Equal(markdown.Parameters.Select(p => p.Name), parameters.Select(p => Text(Property(p, "name"))));
        foreach (var parameter in parameters)
        {
            var documented = markdown.Parameters.Single(p => p.Name == Text(Property(parameter, "name")));
            Assert.Equal(documented.Description, Paragraphs(Property(parameter, "description")));
        }
        var path = parameters.Single(p => Text(Property(p, "name")) == "Path");
        Assert.Equal("true", Text(Property(path, "required")));
        Assert.Equal("0", Text(Property(path, "position")));
        Assert.Equal("True (ByValue)", Text(Property(path, "pipelineInput")));
        Assert.Equal("true", Text(Property(path, "globbing")));
        Assert.Equal("String[]", Text(Path(path, "type", "name")));
        var literalPath = parameters.Single(p => Text(Property(p, "name")) == "LiteralPath");
        Assert.Equal("PSPath, LP", Text(Property(literalPath, "aliases")));
        Assert.Equal("True (ByPropertyName)", Text(Property(literalPath, "pipelineInput")));
    }

    [Fact]
    public void Get_Help_Full_shows_one_syntax_item_per_parameter_set_inputs_outputs_notes_and_links()
    {
        var help = FullHelp("Resolve-TorrentPeers");

        var syntax = Many(Path(help, "syntax", "syntaxItem"));
        Assert.Equal(5, syntax.Count);
        Assert.Equal(["Path", "Timeout", "Tracker", "Scrape", "DhtBootstrap", "NoDht"], Many(Property(syntax[0], "parameter")).Select(p => Text(Property(p, "name"))));
        Assert.Equal(["InputObject", "Timeout", "Tracker", "Scrape", "DhtBootstrap", "NoDht"], Many(Property(syntax[1], "parameter")).Select(p => Text(Property(p, "name"))));
        Assert.Equal(
            ["Rustorrent.PowerShell.TorrentPeer", "Rustorrent.PowerShell.TrackerScrape"],
            Many(Path(help, "returnValues", "returnValue")).Select(r => Text(Path(r, "type", "name"))));
        Assert.Contains(Paragraphs(Path(help, "alertSet", "alert")), p => p.Contains("NoTrackerAnswered", StringComparison.Ordinal));
        var links = Many(Path(help, "relatedLinks", "navigationLink"));
        Assert.Equal("https://github.com/rustorrent/Rustorrent/blob/main/docs/en-US/Resolve-TorrentPeers.md", Text(Property(links[0], "uri")));
        Assert.Contains(links, l => Text(Property(l, "linkText")) == "Get-TorrentInfo");
    }

    [Fact]
    public void Get_Help_Parameter_Timeout_shows_the_parameter_alone()
    {
        var parameter = Assert.Single(shell.Invoke("Get-Help -Name Resolve-TorrentPeers -Parameter Timeout").ThrowOnError().Output);

        Assert.Equal("Timeout", Text(Property(parameter, "name")));
        Assert.Equal("Int32", Text(Path(parameter, "type", "name")));
        Assert.Equal("5", Text(Property(parameter, "defaultValue")));
        Assert.Equal("false", Text(Property(parameter, "required")));
        Assert.Equal("named", Text(Property(parameter, "position")));
        Assert.Equal(
            ["Specifies how many seconds to wait for the trackers and the DHT for each torrent, from 1 to 600. The peers found by then are output and the trackers still silent are reported as warnings."],
            Paragraphs(Property(parameter, "description")));
    }

    [Fact]
    public void Get_Help_about_Rustorrent_shows_the_about_topic()
    {
        var topic = Text(Assert.Single(shell.Invoke("Get-Help -Name about_Rustorrent").ThrowOnError().Output));

        Assert.StartsWith("TOPIC\n    about_Rustorrent\n\nSHORT DESCRIPTION\n", topic.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        foreach (var id in new[] { "InvalidTorrentFile", "TorrentFileNotFound", "InvalidMagnetLink", "InvalidInfoHash", "TorrentDownloadFailed", "NoTrackerAnswered", "NoPeerSource", "NoPeersFound" })
            Assert.Contains(id, topic, StringComparison.Ordinal);
    }
}
