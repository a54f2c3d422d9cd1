using System.Globalization;
using System.Net;

namespace Rustorrent.TestKit;

/// <summary>
/// A libtorrent session seeding one torrent on 127.0.0.1 only (no DHT, LSD, UPnP, NAT-PMP or uTP).
/// Ready once the data has been checked and is being seeded; stopped (gracefully, then killed) on dispose.
/// </summary>
public sealed class LibtorrentSeeder : IAsyncDisposable, IDisposable
{
    private LibtorrentSeeder(ManagedProcess process, int port)
    {
        Process = process;
        Port = port;
    }

    public ManagedProcess Process { get; }

    public int Port { get; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <param name="torrentPath">The .torrent to seed.</param>
    /// <param name="savePath">The folder that CONTAINS the payload (libtorrent's save_path).</param>
    /// <param name="port">Listen port; a <see cref="FreePort"/> when null.</param>
    /// <param name="announceToTrackers">Announce to the torrent's trackers; otherwise they are dropped and peers must dial us.</param>
    /// <param name="settings">Extra libtorrent settings (name = value), applied last.</param>
    public static async Task<LibtorrentSeeder> StartAsync(
        string torrentPath,
        string savePath,
        int? port = null,
        bool announceToTrackers = false,
        IReadOnlyDictionary<string, string>? settings = null,
        TimeSpan? readyTimeout = null,
        TimeSpan? maxLifetime = null,
        CancellationToken cancellationToken = default)
    {
        var args = new List<string>
        {
            "seed", "--torrent", torrentPath, "--save-path", savePath,
            "--port", (port ?? FreePort.Next()).ToString(CultureInfo.InvariantCulture),
        };
        if (announceToTrackers)
            args.Add("--tracker-announce");
        args.AddRange(LibtorrentTool.SettingArguments(settings));
        var (process, actualPort) = await LibtorrentTool.StartSessionAsync(
            args, readyTimeout ?? TimeSpan.FromSeconds(30), maxLifetime ?? TimeSpan.FromMinutes(3), cancellationToken).ConfigureAwait(false);
        return new LibtorrentSeeder(process, actualPort);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    public void Dispose() => Process.Dispose();

    public override string ToString() => $"libtorrent seeder on 127.0.0.1:{Port} ({Process})";
}
