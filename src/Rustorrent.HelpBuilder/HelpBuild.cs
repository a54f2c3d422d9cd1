using System.Text;
using System.Xml;
using Rustorrent.HelpBuilder.About;
using Rustorrent.HelpBuilder.Markdown;
using Rustorrent.HelpBuilder.Maml;
using Rustorrent.HelpBuilder.Model;

namespace Rustorrent.HelpBuilder;

/// <summary>
/// Builds a culture's help folder from its markdown folder: every cmdlet markdown goes into the MAML file its
/// front matter names (`external help file`), every about_*.md becomes about_*.help.txt.
/// </summary>
internal static class HelpBuild
{
    /// <summary>Reads and checks every markdown file of <paramref name="markdownFolder"/>.</summary>
    public static (IReadOnlyList<CommandHelp> Commands, IReadOnlyList<(string Topic, string Text)> AboutTopics) Read(string markdownFolder)
    {
        var commands = new List<CommandHelp>();
        var about = new List<(string, string)>();
        foreach (var file in Directory.EnumerateFiles(Path.GetFullPath(markdownFolder), "*.md").Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file, Encoding.UTF8);
            if (Path.GetFileName(file).StartsWith("about_", StringComparison.OrdinalIgnoreCase))
            {
                var converted = AboutTopicConverter.Convert(text, file, out var topic);
                if (!string.Equals(topic + ".md", Path.GetFileName(file), StringComparison.Ordinal))
                    throw new MarkdownHelpException(file, 1, $"the topic '{topic}' must be in a file named {topic}.md");
                about.Add((topic, converted));
                continue;
            }
            var help = CommandHelpParser.Parse(text, file);
            if (!string.Equals(help.Name + ".md", Path.GetFileName(file), StringComparison.Ordinal))
                throw new MarkdownHelpException(file, 1, $"the help of {help.Name} must be in a file named {help.Name}.md");
            commands.Add(help);
        }
        return (commands, about);
    }

    /// <summary>Writes the MAML and about files into <paramref name="outputFolder"/> and deletes help files of
    /// ours that no markdown produces any more; returns the paths written.</summary>
    public static IReadOnlyList<string> Run(string markdownFolder, string outputFolder)
    {
        var (commands, about) = Read(markdownFolder);
        outputFolder = Path.GetFullPath(outputFolder);
        Directory.CreateDirectory(outputFolder);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in commands.GroupBy(c => c.ExternalHelpFile, StringComparer.Ordinal))
            files[group.Key] = ToXml(MamlWriter.Write(group));
        foreach (var (topic, text) in about)
            files[topic + ".help.txt"] = text;

        var written = new List<string>();
        foreach (var (name, content) in files)
        {
            var path = Path.Combine(outputFolder, name);
            WriteIfChanged(path, content);
            written.Add(path);
        }
        foreach (var stale in Directory.EnumerateFiles(outputFolder).Where(IsGeneratedName).Where(f => !files.ContainsKey(Path.GetFileName(f))).ToList())
            File.Delete(stale);
        return written;
    }

    public static string ToXml(System.Xml.Linq.XDocument document)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), NewLineChars = "\n" };
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, settings))
            document.Save(writer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static bool IsGeneratedName(string path)
    {
        var name = Path.GetFileName(path);
        return name.EndsWith("-Help.xml", StringComparison.Ordinal)
            || (name.StartsWith("about_", StringComparison.Ordinal) && name.EndsWith(".help.txt", StringComparison.Ordinal));
    }

    /// <summary>Leaves an unchanged file alone (its time stamp too) and replaces a changed one by renaming a
    /// finished temporary file over it: builds running side by side never see a half-written help file.</summary>
    private static void WriteIfChanged(string path, string content)
    {
        if (File.Exists(path) && File.ReadAllText(path, Encoding.UTF8) == content)
            return;
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, content, new UTF8Encoding(false));
        File.Move(temporary, path, overwrite: true);
    }
}
