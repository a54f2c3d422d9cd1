using System.Globalization;
using System.Net;

namespace Rustorrent.TestKit;

/// <summary>
/// A small DHT of python3-libtorrent sessions on 127.0.0.1, or on ::1 for the IPv6 DHT of BEP 32
/// (Scripts/lt_dht.py), each bootstrapped off the others. Optionally the first node announces an info hash (it "has" that torrent, so the peer to find is
/// <see cref="Loopback"/>:<see cref="AnnouncingPort"/>), and the last node looks an info hash up every second, printing the
/// peers it finds (<see cref="WaitForPeerAsync"/>). Stopped (stdin closed, then killed) on dispose.
/// </summary>
public sealed class LibtorrentDhtNode : IAsyncDisposable, IDisposable
{
    private LibtorrentDhtNode(ManagedProcess process, IReadOnlyList<int> ports, bool ipv6)
    {
        Process = process;
        Ports = ports;
        Loopback = ipv6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
    }

    public ManagedProcess Process { get; }

    /// <summary>The UDP (and TCP) ports of the nodes, in order.</summary>
    public IReadOnlyList<int> Ports { get; }

    /// <summary>127.0.0.1, or ::1 for an IPv6 DHT.</summary>
    public IPAddress Loopback { get; }

    public IReadOnlyList<IPEndPoint> EndPoints => Ports.Select(p => new IPEndPoint(Loopback, p)).ToList();

    /// <summary>The port the first node announced for <c>announceHex</c> (its listen port).</summary>
    public int AnnouncingPort => Ports[0];

    /// <summary>Full path of lt_dht.py next to the test binaries.</summary>
    public static string ScriptPath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "Scripts", "lt_dht.py");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"lt_dht.py is not next to the test binaries (Rustorrent.TestKit copies Scripts/** to the output folder): {path}", path);
        }
    }

    /// <param name="nodes">How many libtorrent sessions (1 to 8).</param>
    /// <param name="announceHex">40 hex digits: the first node announces itself for this info hash, and the DHT
    /// is ready only once the last node has found it through the DHT.</param>
    /// <param name="getPeersHex">40 hex digits: the last node looks this up every second; see <see cref="WaitForPeerAsync"/>.</param>
    /// <param name="extraNodes">Other DHT nodes (127.0.0.1:port or [::1]:port) the sessions bootstrap from as well.</param>
    /// <param name="ipv6">Listen on ::1: an IPv6 DHT (BEP 32).</param>
    public static async Task<LibtorrentDhtNode> StartAsync(
        int nodes = 3,
        string? announceHex = null,
        string? getPeersHex = null,
        IEnumerable<IPEndPoint>? extraNodes = null,
        bool ipv6 = false,
        TimeSpan? readyTimeout = null,
        TimeSpan? maxLifetime = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nodes, 8);
        var python = RequiredTool.PythonWithLibtorrent();
        var lifetime = maxLifetime ?? TimeSpan.FromMinutes(2);
        var args = new List<string> { ScriptPath };
        for (var i = 0; i < nodes; i++)
            args.AddRange(["--port", FreePort.Next().ToString(CultureInfo.InvariantCulture)]);
        if (announceHex is not null)
            args.AddRange(["--announce", announceHex]);
        if (getPeersHex is not null)
            args.AddRange(["--get-peers", getPeersHex]);
        foreach (var node in extraNodes ?? [])
            args.AddRange(["--add-node", node.ToString()]);
        if (ipv6)
            args.Add("--ipv6");
        args.AddRange(["--max-lifetime", (lifetime.TotalSeconds + 5).ToString("0", CultureInfo.InvariantCulture)]);
        var process = python.Start(args, new ManagedProcessOptions { MaxLifetime = lifetime, GracefulStopTimeout = TimeSpan.FromSeconds(3) });
        try
        {
            var line = await process.WaitForOutputAsync(l => l.StartsWith("READY ", StringComparison.Ordinal),
                readyTimeout ?? TimeSpan.FromSeconds(45), cancellationToken).ConfigureAwait(false);
            var ports = line[6..].Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList();
            return new LibtorrentDhtNode(process, ports, ipv6);
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Waits until the last node's get_peers lookups (see <c>getPeersHex</c>) have found <paramref name="peer"/>.</summary>
    public Task<string> WaitForPeerAsync(IPEndPoint peer, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Process.WaitForOutputAsync(l => l.StartsWith("PEERS ", StringComparison.Ordinal) && l.EndsWith(" " + peer, StringComparison.Ordinal),
            timeout, cancellationToken);

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    public void Dispose() => Process.Dispose();

    public override string ToString() => $"libtorrent DHT on {Loopback} ports {string.Join(',', Ports)} ({Process})";
}
