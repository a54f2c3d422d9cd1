using System.Globalization;
using System.Net;

namespace Rustorrent.TestKit;

/// <summary>
/// A libtorrent session downloading one torrent (from a .torrent or a magnet link) on 127.0.0.1 only.
/// It keeps running (and seeding) after it finishes unless told to exit; stopped on dispose.
/// </summary>
public sealed class LibtorrentLeecher : IAsyncDisposable, IDisposable
{
    private LibtorrentLeecher(ManagedProcess process, int port)
    {
        Process = process;
        Port = port;
    }

    public ManagedProcess Process { get; }

    public int Port { get; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <param name="torrentOrMagnet">Path of a .torrent, or a magnet: URI.</param>
    /// <param name="savePath">Folder to download into (libtorrent's save_path).</param>
    /// <param name="peers">Loopback peers to dial at once.</param>
    public static async Task<LibtorrentLeecher> StartAsync(
        string torrentOrMagnet,
        string savePath,
        IEnumerable<IPEndPoint>? peers = null,
        int? port = null,
        bool announceToTrackers = false,
        bool exitWhenDone = false,
        IReadOnlyDictionary<string, string>? settings = null,
        TimeSpan? maxLifetime = null,
        CancellationToken cancellationToken = default)
    {
        var args = new List<string>
        {
            "leech",
            torrentOrMagnet.StartsWith("magnet:", StringComparison.OrdinalIgnoreCase) ? "--magnet" : "--torrent", torrentOrMagnet,
            "--save-path", savePath,
            "--port", (port ?? FreePort.Next()).ToString(CultureInfo.InvariantCulture),
        };
        foreach (var peer in peers ?? [])
        {
            if (!IPAddress.IsLoopback(peer.Address))
                throw new ArgumentException($"Tests only dial loopback peers, not {peer}.", nameof(peers));
            args.AddRange(["--peer", peer.ToString()]);
        }
        if (announceToTrackers)
            args.Add("--tracker-announce");
        if (exitWhenDone)
            args.Add("--exit-when-done");
        args.AddRange(LibtorrentTool.SettingArguments(settings));
        var (process, actualPort) = await LibtorrentTool.StartSessionAsync(
            args, TimeSpan.FromSeconds(30), maxLifetime ?? TimeSpan.FromMinutes(3), cancellationToken).ConfigureAwait(false);
        return new LibtorrentLeecher(process, actualPort);
    }

    /// <summary>Waits for every piece to be downloaded and verified; returns the bytes libtorrent wanted.</summary>
    public async Task<long> WaitForDoneAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var line = await Process.WaitForOutputAsync(l => l.StartsWith("DONE ", StringComparison.Ordinal), timeout, cancellationToken).ConfigureAwait(false);
        return long.Parse(line.AsSpan(5), CultureInfo.InvariantCulture);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    public void Dispose() => Process.Dispose();

    public override string ToString() => $"libtorrent leecher on 127.0.0.1:{Port} ({Process})";
}
