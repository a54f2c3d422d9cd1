using Rustorrent.PowerShell.Tests.Infrastructure;
using Rustorrent.TestKit;

namespace Rustorrent.PowerShell.Tests.Recipes;

/// <summary>docs/ci-recipes.md "Inspect a folder of torrents", run as written on a folder of .torrent files.</summary>
public sealed class InspectTorrentsRecipeTests : IDisposable
{
    private readonly TempDirectory temp = new("recipe-inspect");
    private readonly CiRecipe recipe = CiRecipe.Load("Inspect a folder of torrents");

    public void Dispose() => temp.Dispose();

    private string Folder()
    {
        var folder = temp.CreateSubdirectory("torrents");
        TestTorrent.Write(Path.Combine(folder, "album.torrent"), "album", [(["01.flac"], 300_000), (["02.flac"], 200_000)]);
        TestTorrent.Write(Path.Combine(folder, "iso.torrent"), "debian.iso", [(["debian.iso"], 70_000)], singleFile: true);
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not a torrent, and not named like one");
        return folder;
    }

    [Fact]
    public void Lists_every_torrent_of_the_folder_and_exits_0()
    {
        var folder = Folder();
        using var shell = new PowerShellSession(temp.Path);

        var run = recipe.Run(shell, temp.Path, "inspect-torrents.ps1", new Dictionary<string, object> { ["Folder"] = folder });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.Result.Errors);
        Assert.Equal(["album", "debian.iso"], run.Result.Output.Select(o => o.BaseObject).OfType<object>()
            .Where(o => o.GetType().Name == "TorrentInfo").Select(o => (string)((dynamic)o).Name).Order(StringComparer.Ordinal));
        Assert.Equal(["2 torrents, 570,000 bytes in all."], run.Lines);
    }

    [Fact]
    public void A_file_that_is_not_a_torrent_is_named_in_a_warning_and_exits_1()
    {
        var folder = Folder();
        File.WriteAllText(Path.Combine(folder, "broken.torrent"), "d4:infod6:lengthi-5eee");
        using var shell = new PowerShellSession(temp.Path);

        var run = recipe.Run(shell, temp.Path, "inspect-torrents.ps1", new Dictionary<string, object> { ["Folder"] = folder });

        Assert.True(run.ExitCode == 1, run.ToString());
        var warning = Assert.Single(run.Warnings);
        Assert.Contains("broken.torrent: InvalidTorrentFile", warning, StringComparison.Ordinal);
        Assert.Equal(2, run.Result.Output.Count(o => o.BaseObject.GetType().Name == "TorrentInfo"));
        Assert.Empty(run.Lines);
    }
}
