using Rustorrent.PowerShell.Tests.Infrastructure;
using Rustorrent.TestKit;

namespace Rustorrent.PowerShell.Tests.Recipes;

/// <summary>
/// docs/ci-recipes.md "Verify a download against its torrent", run as written on files libtorrent made the torrent
/// of: intact files pass; one flipped byte fails, whether nobody can send the piece again or the torrent's tracker
/// leads to a seeder that does.
/// </summary>
public sealed class VerifyDownloadRecipeTests : IDisposable
{
    private const int PieceLength = 32 * 1024;
    private readonly TempDirectory temp = new("recipe-verify");
    private readonly CiRecipe recipe = CiRecipe.Load("Verify a download against its torrent");

    public void Dispose() => temp.Dispose();

    private async Task<(string Torrent, IReadOnlyList<PayloadFile> Files)> DownloadedAlbumAsync()
    {
        var files = await Payload.CreateAsync(temp.CreateSubdirectory("downloads"), PayloadSpec.MultiFileEdgeCases("album", PieceLength, seed: "verify-recipe"));
        var torrent = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(temp.Combine("downloads/album"), temp.Combine("album.torrent"))
        {
            Version = LibtorrentTorrentVersion.V1,
            PieceLength = PieceLength,
        });
        return (torrent, files);
    }

    private static void Damage(PayloadFile file)
    {
        using var stream = File.Open(file.FullPath, FileMode.Open);
        stream.Position = file.Length / 2;
        var b = stream.ReadByte();
        stream.Position--;
        stream.WriteByte((byte)~b);
    }

    private RecipeRun Verify(string torrent, int stallSeconds = 2)
    {
        using var shell = new PowerShellSession(temp.Path);
        return recipe.Run(shell, temp.Path, "verify-download.ps1", new Dictionary<string, object>
        {
            ["Torrent"] = torrent,
            ["Destination"] = temp.Combine("downloads"),
            ["StallSeconds"] = stallSeconds,
        });
    }

    [SkippableFact]
    public async Task Intact_files_verify_and_the_script_exits_0()
    {
        RequiredTool.PythonWithLibtorrent();
        var (torrent, files) = await DownloadedAlbumAsync();
        var pieces = (await LibtorrentTool.DumpAsync(torrent)).PieceCount;

        var run = Verify(torrent);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.Warnings);
        Assert.Equal([$"album: all {pieces} pieces verify ({files.Count} files in {temp.Combine("downloads/album")})."], run.Lines);
    }

    [SkippableFact]
    public async Task One_damaged_byte_fails_the_check_with_exit_1()
    {
        RequiredTool.PythonWithLibtorrent();
        var (torrent, files) = await DownloadedAlbumAsync();
        var victim = files.OrderByDescending(f => f.Length).First();
        Damage(victim);

        var run = Verify(torrent);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(run.Warnings, w => w.StartsWith("album: pieces are missing or damaged and no peer sent them", StringComparison.Ordinal));
        Assert.Empty(run.Lines);
        Assert.NotEqual(victim.Sha256, Payload.Sha256Of(victim.FullPath));
    }

    [SkippableFact]
    public async Task A_damaged_piece_a_seeder_sends_again_is_repaired_and_still_fails_the_check_with_exit_1()
    {
        RequiredTool.PythonWithLibtorrent();
        RequiredTool.Opentracker();
        var files = await Payload.CreateAsync(temp.CreateSubdirectory("seed"), PayloadSpec.SingleFile("data.bin", 10 * PieceLength + 123, seed: "data"));
        var options = new LibtorrentCreateOptions(files[0].FullPath, temp.Combine("data.torrent")) { Version = LibtorrentTorrentVersion.V1, PieceLength = PieceLength };
        // The info hash does not cover the trackers: made once to whitelist it, then again naming the tracker.
        var hash = (await LibtorrentTool.DumpAsync(await LibtorrentTool.CreateTorrentAsync(options))).InfoHashV1!;
        await using var tracker = await Opentracker.StartAsync([hash]);
        var torrent = await LibtorrentTool.CreateTorrentAsync(options with { TrackerTiers = [[tracker.HttpAnnounceUrl.ToString()]] });
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent, temp.Combine("seed"), announceToTrackers: true);
        await seeder.Process.WaitForOutputAsync(l => l.StartsWith("TRACKER_REPLY", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        var copy = temp.Combine("downloads/data.bin");
        Directory.CreateDirectory(temp.Combine("downloads"));
        File.Copy(files[0].FullPath, copy);
        Damage(files[0] with { FullPath = copy });

        var run = Verify(torrent, stallSeconds: 30);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("data.bin: only 10 of 11 pieces were intact; the rest was downloaded again.", run.Warnings);
        Assert.Equal(files[0].Sha256, Payload.Sha256Of(copy));
    }
}
