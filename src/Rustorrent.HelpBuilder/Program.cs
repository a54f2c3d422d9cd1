using Rustorrent.HelpBuilder;
using Rustorrent.HelpBuilder.Markdown;

// Rustorrent.HelpBuilder <markdown folder> <output folder>: run by Rustorrent.PowerShell's build.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Rustorrent.HelpBuilder <markdown folder (docs/en-US)> <output folder (en-US)>");
    return 2;
}
try
{
    foreach (var path in HelpBuild.Run(args[0], args[1]))
        Console.WriteLine($"Rustorrent.HelpBuilder: wrote {path}");
    return 0;
}
catch (MarkdownHelpException e)
{
    // MSBuild turns "file(line): error CODE: text" into a clickable build error.
    Console.Error.WriteLine($"{e.File}({e.Line}): error RTHELP1: {e.Reason}");
    return 1;
}
catch (IOException e)
{
    Console.Error.WriteLine($"error RTHELP2: {e.Message}");
    return 1;
}
