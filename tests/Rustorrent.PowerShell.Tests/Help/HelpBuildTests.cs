using System.Xml.Linq;
using Rustorrent.HelpBuilder;
using Rustorrent.HelpBuilder.About;
using Rustorrent.HelpBuilder.Markdown;
using Rustorrent.TestKit;

namespace Rustorrent.PowerShell.Tests.Help;

public sealed class HelpBuildTests : IDisposable
{
    private const string About = """
        ---
        title: about_Thing
        ---
        # about_Thing

        ## Short description
        Things.

        ## Long description
        A long paragraph that is wrapped because it goes on and on for well over eighty columns of text.

        - one
        - two

        ### Details
        ```powershell
        Get-Thing
        ```

        ## See also
        - Get-Thing
        """;

    private readonly TempDirectory temp = new("helpbuild");

    public void Dispose() => temp.Dispose();

    [Fact]
    public void About_topic_becomes_indented_wrapped_text()
    {
        var text = AboutTopicConverter.Convert(About, "about_Thing.md", out var topic);

        Assert.Equal("about_Thing", topic);
        Assert.Equal("""
            TOPIC
                about_Thing

            SHORT DESCRIPTION
                Things.

            LONG DESCRIPTION
                A long paragraph that is wrapped because it goes on and on for well over
                eighty columns of text.

                - one
                - two

                Details
                    Get-Thing

            SEE ALSO
                - Get-Thing

            """.Replace("\r\n", "\n", StringComparison.Ordinal), text);
    }

    [Fact]
    public void About_topic_without_short_description_is_an_error()
    {
        var error = Assert.Throws<MarkdownHelpException>(() => AboutTopicConverter.Convert("# about_Thing\n\n## Long description\nx\n", "about_Thing.md", out _));

        Assert.Contains("starts with '## Short description'", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_writes_maml_per_external_help_file_and_about_topics_and_removes_stale_ones()
    {
        var docs = temp.CreateSubdirectory("docs");
        var output = temp.Combine("en-US");
        File.WriteAllText(Path.Combine(docs, "Get-Thing.md"), SampleHelpMarkdown.Text);
        File.WriteAllText(Path.Combine(docs, "about_Thing.md"), About);
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "about_Gone.help.txt"), "stale");
        File.WriteAllText(Path.Combine(output, "Other.txt"), "not ours");

        var written = HelpBuild.Run(docs, output);

        Assert.Equal(["Sample.dll-Help.xml", "about_Thing.help.txt"], written.Select(Path.GetFileName));
        Assert.Equal(["Other.txt", "Sample.dll-Help.xml", "about_Thing.help.txt"], Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var maml = XDocument.Load(Path.Combine(output, "Sample.dll-Help.xml"));
        Assert.Equal("Get-Thing", maml.Descendants(XName.Get("name", "http://schemas.microsoft.com/maml/dev/command/2004/10")).Single().Value);
        Assert.False(File.ReadAllBytes(Path.Combine(output, "Sample.dll-Help.xml")).AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }));
    }

    [Fact]
    public void Run_leaves_an_unchanged_file_untouched()
    {
        var docs = temp.CreateSubdirectory("docs");
        var output = temp.Combine("en-US");
        File.WriteAllText(Path.Combine(docs, "Get-Thing.md"), SampleHelpMarkdown.Text);
        HelpBuild.Run(docs, output);
        var file = Path.Combine(output, "Sample.dll-Help.xml");
        var old = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(file, old);

        HelpBuild.Run(docs, output);

        Assert.Equal(old, File.GetLastWriteTimeUtc(file));
    }

    [Fact]
    public void A_command_file_must_be_named_after_its_command()
    {
        var docs = temp.CreateSubdirectory("docs");
        File.WriteAllText(Path.Combine(docs, "Get-Things.md"), SampleHelpMarkdown.Text);

        var error = Assert.Throws<MarkdownHelpException>(() => HelpBuild.Run(docs, temp.Combine("out")));

        Assert.Equal("the help of Get-Thing must be in a file named Get-Thing.md", error.Reason);
    }
}
