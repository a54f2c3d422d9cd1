using System.Globalization;

namespace Rustorrent.TestKit;

/// <summary>
/// aria2c downloading (or seeding) one torrent on 127.0.0.1, with DHT, LPD and PEX off so it finds peers
/// only through the torrent's trackers. A downloader exits by itself when done (--seed-time=0).
/// </summary>
public sealed class Aria2 : IAsyncDisposable, IDisposable
{
    private Aria2(ManagedProcess process, int port)
    {
        Process = process;
        Port = port;
    }

    public ManagedProcess Process { get; }

    public int Port { get; }

    /// <param name="torrentPath">The .torrent to download or seed.</param>
    /// <param name="directory">Download folder (for a seeder: the folder that holds the payload).</param>
    /// <param name="seed">Seed existing data forever instead of downloading (aria2 checks it first).</param>
    public static Aria2 Start(string torrentPath, string directory, bool seed = false, int? port = null, TimeSpan? maxLifetime = null)
    {
        var tool = RequiredTool.Aria2c();
        var listenPort = port ?? FreePort.Next();
        var args = new List<string>
        {
            "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false", "--enable-peer-exchange=false",
            "--disable-ipv6=true", "--interface=127.0.0.1", "--listen-port=" + listenPort.ToString(CultureInfo.InvariantCulture),
            "--file-allocation=none", "--summary-interval=0", "--console-log-level=warn", "--bt-stop-timeout=120",
            "--dir", directory,
        };
        // aria2 stops seeding at ratio 1.0 by default; a test seeder must keep going.
        args.AddRange(seed ? ["--check-integrity=true", "--seed-ratio=0.0"] : ["--seed-time=0"]);
        args.Add(torrentPath);
        var process = ManagedProcess.Start(tool.Path, args, new ManagedProcessOptions { MaxLifetime = maxLifetime ?? TimeSpan.FromMinutes(3) });
        return new Aria2(process, listenPort);
    }

    /// <summary>Waits for a downloader to finish; throws with aria2's output when it fails or times out.</summary>
    public async Task WaitForDownloadAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var code = await Process.WaitForExitAsync(timeout, cancellationToken).ConfigureAwait(false);
        if (code != 0)
            throw new InvalidOperationException($"aria2c exited with {code}:\n{Process.Output}");
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    public void Dispose() => Process.Dispose();

    public override string ToString() => $"aria2c on 127.0.0.1:{Port} ({Process})";
}
