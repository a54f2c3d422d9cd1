namespace Rustorrent.PowerShell.Tests.Infrastructure;

internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Manifest => Path.Combine(Root, "Rustorrent.psd1");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rustorrent.sln")) && File.Exists(Path.Combine(dir.FullName, "Rustorrent.psd1")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"Cannot find the repository root (Rustorrent.sln) above {AppContext.BaseDirectory}.");
    }
}
