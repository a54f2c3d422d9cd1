using Rustorrent.PowerShell.Tests.Infrastructure;
using Rustorrent.TestKit;

namespace Rustorrent.PowerShell.Tests.Recipes;

/// <summary>
/// docs/ci-recipes.md "Download a list of magnet links", run as written on a list of magnet links whose only way
/// to their peers is the tracker they name: opentracker on 127.0.0.1, where python3-libtorrent seeders announce.
/// A complete run exits 0 with every file as seeded; a link nobody seeds fails the run, whether the download fails
/// at its stall timeout or is still waiting when the run's timeout ends it; a malformed line fails it too.
/// </summary>
public sealed class DownloadMagnetsRecipeTests : IAsyncDisposable
{
    private const int PieceLength = 32 * 1024;
    private readonly TempDirectory temp = new("recipe-magnets");
    private readonly CiRecipe recipe = CiRecipe.Load("Download a list of magnet links");
    private readonly List<IAsyncDisposable> fixtures = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var fixture in Enumerable.Reverse(fixtures))
            await fixture.DisposeAsync();
        temp.Dispose();
    }

    private sealed record Seeded(string Name, string Magnet, PayloadFile File);

    /// <summary>Seeds single-file torrents through one opentracker; returns their magnet links (hash, name, tracker).</summary>
    private async Task<IReadOnlyList<Seeded>> SeedAsync(params (string Name, int Length)[] payloads)
    {
        var made = new List<(string Name, string Torrent, PayloadFile File, string Hash)>();
        foreach (var (name, length) in payloads)
        {
            var folder = temp.CreateSubdirectory("seed-" + name);
            var file = (await Payload.CreateAsync(folder, PayloadSpec.SingleFile(name, length, seed: name))).Single();
            made.Add((name, "", file, ""));
        }
        var tracker = await Opentracker.StartAsync([]);
        fixtures.Add(tracker);
        var seeded = new List<Seeded>();
        var hashes = new List<string>();
        foreach (var (name, _, file, _) in made)
        {
            var torrent = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(file.FullPath, temp.Combine(name + ".torrent"))
            {
                Version = LibtorrentTorrentVersion.V1,
                PieceLength = PieceLength,
                TrackerTiers = [[tracker.HttpAnnounceUrl.ToString()]],
            });
            var hash = (await LibtorrentTool.DumpAsync(torrent)).InfoHashV1!;
            hashes.Add(hash);
            tracker.UpdateWhitelist(hashes);
            var seeder = await LibtorrentSeeder.StartAsync(torrent, Path.GetDirectoryName(file.FullPath)!, announceToTrackers: true);
            fixtures.Add(seeder);
            await seeder.Process.WaitForOutputAsync(l => l.StartsWith("TRACKER_REPLY", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            seeded.Add(new Seeded(name, Magnet(hash, name, tracker.HttpAnnounceUrl), file));
        }
        return seeded;
    }

    private static string Magnet(string hash, string name, Uri tracker) =>
        $"magnet:?xt=urn:btih:{hash}&dn={Uri.EscapeDataString(name)}&tr={Uri.EscapeDataString(tracker.ToString())}";

    /// <summary>A magnet link nobody seeds, naming a tracker that answers (it knows no such torrent).</summary>
    private static string Orphan(Uri tracker) => Magnet("0123456789abcdef0123456789abcdef01234567", "orphan.iso", tracker);

    private RecipeRun Run(IEnumerable<string> lines, int timeoutSeconds, int stallSeconds)
    {
        File.WriteAllLines(temp.Combine("magnets.txt"), lines);
        using var shell = new PowerShellSession(temp.Path);
        return recipe.Run(shell, temp.Path, "download-magnets.ps1", new Dictionary<string, object>
        {
            ["List"] = "./magnets.txt",
            ["Destination"] = temp.Combine("downloads"),
            ["TimeoutSeconds"] = timeoutSeconds,
            ["StallSeconds"] = stallSeconds,
        });
    }

    private void AssertDownloaded(Seeded torrent)
    {
        var copy = temp.Combine("downloads/" + torrent.Name);
        Assert.True(File.Exists(copy), $"missing {copy}");
        Assert.Equal(torrent.File.Sha256, Payload.Sha256Of(copy));
    }

    private static Uri TrackerOf(Seeded torrent) =>
        new(Uri.UnescapeDataString(torrent.Magnet[(torrent.Magnet.IndexOf("&tr=", StringComparison.Ordinal) + 4)..]));

    [SkippableFact]
    public async Task Every_link_downloads_and_the_script_exits_0()
    {
        RequiredTool.PythonWithLibtorrent();
        RequiredTool.Opentracker();
        var seeded = await SeedAsync(("alpha.bin", 300_000), ("beta.bin", 70_000));

        var run = Run(["# nightly inputs", seeded[0].Magnet, "", "  ", seeded[1].Magnet], timeoutSeconds: 120, stallSeconds: 30);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.Result.Errors);
        Assert.Equal(["alpha.bin", "beta.bin"], run.Result.Output.Select(o => o.BaseObject).Where(o => o.GetType().Name == "TorrentDownloadResult").Select(r => (string)((dynamic)r).Name).Order(StringComparer.Ordinal));
        Assert.Equal([$"All 2 downloads completed in {temp.Combine("downloads")}."], run.Lines);
        AssertDownloaded(seeded[0]);
        AssertDownloaded(seeded[1]);
    }

    [SkippableFact]
    public async Task A_download_still_waiting_at_the_timeout_is_stopped_and_the_script_exits_1()
    {
        RequiredTool.PythonWithLibtorrent();
        RequiredTool.Opentracker();
        var seeded = await SeedAsync(("alpha.bin", 300_000));

        var run = Run([seeded[0].Magnet, Orphan(TrackerOf(seeded[0]))], timeoutSeconds: 15, stallSeconds: 300);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(run.Warnings, w => w.StartsWith("Timed out after 15 s: orphan.iso", StringComparison.Ordinal));
        Assert.Equal("1 of 2 downloads failed.", run.Warnings[^1]);
        AssertDownloaded(seeded[0]);
        Assert.Empty(run.Lines);
    }

    [SkippableFact]
    public async Task A_link_nobody_seeds_and_a_malformed_line_fail_and_the_script_exits_1()
    {
        RequiredTool.PythonWithLibtorrent();
        RequiredTool.Opentracker();
        var seeded = await SeedAsync(("alpha.bin", 70_000));

        // The stall timeout also bounds the metadata search: long enough for the seeded link on a loaded machine.
        var run = Run([Orphan(TrackerOf(seeded[0])), "magnet:?xt=urn:btih:not-a-hash", seeded[0].Magnet], timeoutSeconds: 120, stallSeconds: 10);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(run.Result.Errors, e => e.FullyQualifiedErrorId.StartsWith("InvalidMagnetLink,", StringComparison.Ordinal));
        Assert.Contains(run.Result.Errors, e => e.ToString().Contains("orphan.iso", StringComparison.Ordinal));
        Assert.Equal("2 of 3 downloads failed.", run.Warnings[^1]);
        AssertDownloaded(seeded[0]);
    }
}
