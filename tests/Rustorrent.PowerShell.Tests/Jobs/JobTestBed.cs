using System.Globalization;
using Rustorrent.PowerShell.Tests.Infrastructure;
using Rustorrent.TestKit;

namespace Rustorrent.PowerShell.Tests.Jobs;

/// <summary>
/// A folder, a hosted PowerShell session working in it, and python3-libtorrent seeders on 127.0.0.1 for
/// torrents made on the spot. A seeder can be slowed down (libtorrent's rate limit for local peers), so a
/// download lasts long enough to be watched, stopped or suspended.
/// </summary>
internal sealed class JobTestBed : IAsyncDisposable
{
    public const int PieceLength = 32 * 1024;

    /// <summary>How long a test waits for something before it fails (never an assertion on time).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly List<LibtorrentSeeder> seeders = [];
    private PowerShellSession? shell;

    public TempDirectory Temp { get; } = new("jobs");

    public PowerShellSession Shell => shell ??= new PowerShellSession(Temp.Path);

    public string Out => Temp.Combine("out");

    /// <summary>A single-file v1 torrent of <paramref name="length"/> bytes, seeded at <paramref name="bytesPerSecond"/> (0: no limit).</summary>
    public async Task<SeededTorrent> SeedAsync(string name, long length, long bytesPerSecond = 0)
    {
        var torrent = await CreateAsync(name, length);
        var settings = new Dictionary<string, string>();
        if (bytesPerSecond > 0)
        {
            // Loopback peers are "local": libtorrent exempts them from the global limit unless told otherwise.
            settings["upload_rate_limit"] = bytesPerSecond.ToString(CultureInfo.InvariantCulture);
            settings["ignore_limits_on_local_network"] = "false";
        }
        var seeder = await LibtorrentSeeder.StartAsync(torrent.Torrent, torrent.SeedFolder, settings: settings, maxLifetime: TimeSpan.FromMinutes(5));
        seeders.Add(seeder);
        return torrent with { Port = seeder.Port };
    }

    /// <summary>A torrent nobody seeds.</summary>
    public async Task<SeededTorrent> CreateAsync(string name, long length)
    {
        var seedFolder = Temp.CreateSubdirectory("seed-" + name);
        var file = (await Payload.CreateAsync(seedFolder, PayloadSpec.SingleFile(name, length, seed: name))).Single();
        var torrent = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(file.FullPath, Temp.Combine(name + ".torrent"))
        {
            Version = LibtorrentTorrentVersion.V1,
            PieceLength = PieceLength,
        });
        var hash = (await LibtorrentTool.DumpAsync(torrent)).InfoHashV1!;
        return new SeededTorrent(name, torrent, seedFolder, file, hash, 0);
    }

    public static void AssertDownloaded(SeededTorrent torrent, string folder)
    {
        var copy = Path.Combine(folder, torrent.Name);
        Assert.True(File.Exists(copy), $"missing {copy}");
        Assert.Equal(torrent.File.Sha256, Payload.Sha256Of(copy));
    }

    /// <summary>Runs <paramref name="probe"/> until it returns a value, failing after <see cref="Patience"/>.</summary>
    public static T Until<T>(Func<T?> probe, string what) where T : class
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            if (probe() is { } value)
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Gave up after {Patience.TotalSeconds:0} s waiting for {what}.");
            Thread.Sleep(50);
        }
    }

    public static void Until(Func<bool> condition, string what) => Until(() => condition() ? "" : null, what);

    public async ValueTask DisposeAsync()
    {
        // Jobs first: Stop them so no download still writes into the folder being deleted.
        if (shell is not null)
        {
            shell.Invoke("Get-Job | Remove-Job -Force");
            shell.Dispose();
        }
        foreach (var seeder in seeders)
            await seeder.DisposeAsync();
        Temp.Dispose();
    }
}

internal sealed record SeededTorrent(string Name, string Torrent, string SeedFolder, PayloadFile File, string InfoHash, int Port)
{
    public string Peer => $"127.0.0.1:{Port}";
}
