using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Rustorrent.TestKit;

/// <summary>
/// transmission-cli 3.00 seeding a torrent on 127.0.0.1 from a fresh config folder (DHT, LPD, uTP, port
/// forwarding off; bound to loopback before its first start). transmission-cli never dials 127.x peers:
/// the client under test must dial it. It unchokes new peers at its next 10 s rechoke, so downloads from
/// it take seconds whatever their size. It never exits by itself: disposing stops it.
/// </summary>
public sealed class TransmissionSeeder : IAsyncDisposable, IDisposable
{
    private readonly string configFolder;

    private TransmissionSeeder(ManagedProcess process, int port, string configFolder)
    {
        Process = process;
        Port = port;
        this.configFolder = configFolder;
    }

    public ManagedProcess Process { get; }

    public int Port { get; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <param name="torrentPath">The .torrent to seed.</param>
    /// <param name="dataFolder">The folder that CONTAINS the payload (transmission's download dir).</param>
    /// <param name="encryption">0 = plaintext preferred, 1 = encryption preferred (its default), 2 = required.</param>
    public static async Task<TransmissionSeeder> StartAsync(string torrentPath, string dataFolder, int encryption = 1, TimeSpan? maxLifetime = null, CancellationToken cancellationToken = default)
    {
        var tool = RequiredTool.TransmissionCli();
        var port = FreePort.Next();
        var config = Directory.CreateTempSubdirectory("rustorrent-trcfg-").FullName;
        await File.WriteAllTextAsync(Path.Combine(config, "settings.json"), string.Create(CultureInfo.InvariantCulture, $$"""
            {
              "dht-enabled": false,
              "lpd-enabled": false,
              "pex-enabled": false,
              "utp-enabled": false,
              "port-forwarding-enabled": false,
              "bind-address-ipv4": "127.0.0.1",
              "bind-address-ipv6": "::1",
              "peer-port": {{port}},
              "peer-port-random-on-start": false,
              "speed-limit-down-enabled": false,
              "speed-limit-up-enabled": false,
              "ratio-limit-enabled": false,
              "idle-seeding-limit-enabled": false,
              "encryption": {{encryption}},
              "download-dir": "{{dataFolder}}",
              "incomplete-dir-enabled": false,
              "rename-partial-files": false,
              "message-level": 1
            }
            """), cancellationToken).ConfigureAwait(false);
        var process = ManagedProcess.Start(tool.Path,
            ["-g", config, "-w", dataFolder, "-p", port.ToString(CultureInfo.InvariantCulture), "-M", "-D", "-U", torrentPath],
            new ManagedProcessOptions { MaxLifetime = maxLifetime ?? TimeSpan.FromMinutes(3), Environment = tool.Environment });
        try
        {
            await WaitUntilListeningAsync(process, port, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            Directory.Delete(config, recursive: true);
            throw;
        }
        return new TransmissionSeeder(process, port, config);
    }

    /// <summary>transmission-cli prints its status with carriage returns only, and "Seeding" from the start,
    /// before it has checked the data: the listening port is the readiness signal. Peers that connect while
    /// it still checks may be refused; a client dials again.</summary>
    private static async Task WaitUntilListeningAsync(ManagedProcess process, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"transmission-cli exited before listening on {port}.\n{process.Output}");
            using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                try
                {
                    await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (SocketException)
                {
                }
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"transmission-cli did not listen on {port} within {timeout.TotalSeconds:0} s.\n{process.Output}");
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync().ConfigureAwait(false);
        DeleteConfig();
    }

    public void Dispose()
    {
        Process.Dispose();
        DeleteConfig();
    }

    private void DeleteConfig()
    {
        try
        {
            Directory.Delete(configFolder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public override string ToString() => $"transmission-cli seeder on 127.0.0.1:{Port} ({Process})";
}
