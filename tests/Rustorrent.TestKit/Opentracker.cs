using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Rustorrent.TestKit;

/// <summary>
/// Debian's opentracker on 127.0.0.1, HTTP and UDP on one free port. Debian builds it as a whitelist
/// tracker: info hashes not listed get "Requested download is not authorized" (HTTP) or a bare 8-byte
/// reply (UDP). It chroots to its directory (when root) and drops to "nobody", so the whitelist path is
/// relative to that directory and must be readable by anyone. IPv4 only.
/// </summary>
public sealed class Opentracker : IAsyncDisposable, IDisposable
{
    private const string WhitelistFileName = "whitelist.txt";
    private const int Sighup = 1;
    private readonly TempDirectory directory;

    private Opentracker(ManagedProcess process, TempDirectory directory, int port)
    {
        Process = process;
        this.directory = directory;
        Port = port;
    }

    public ManagedProcess Process { get; }

    public int Port { get; }

    public Uri HttpAnnounceUrl => new($"http://127.0.0.1:{Port}/announce");

    public Uri UdpAnnounceUrl => new($"udp://127.0.0.1:{Port}/announce");

    /// <param name="whitelist">Info hashes the tracker serves: 40 hex digits, or 64 for v2 (whose first 20 bytes are what clients announce, BEP 52).</param>
    public static async Task<Opentracker> StartAsync(IEnumerable<string> whitelist, TimeSpan? maxLifetime = null, CancellationToken cancellationToken = default)
    {
        var tool = RequiredTool.Opentracker();
        var directory = new TempDirectory("opentracker");
        try
        {
            WriteWhitelist(directory, whitelist);
            var port = FreePort.Next();
            var portText = port.ToString(CultureInfo.InvariantCulture);
            var process = tool.Start(
                ["-i", "127.0.0.1", "-p", portText, "-P", portText, "-d", directory.Path, "-w", WhitelistFileName],
                new ManagedProcessOptions { WorkingDirectory = directory.Path, MaxLifetime = maxLifetime ?? TimeSpan.FromMinutes(5) });
            var tracker = new Opentracker(process, directory, port);
            try
            {
                await tracker.WaitUntilListeningAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                tracker.Dispose();
                throw;
            }
            return tracker;
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>Replaces the whitelist and makes opentracker re-read it (SIGHUP).</summary>
    public void UpdateWhitelist(IEnumerable<string> whitelist)
    {
        WriteWhitelist(directory, whitelist);
        Process.SendSignal(Sighup);
    }

    public void Dispose()
    {
        Process.Dispose();
        directory.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync().ConfigureAwait(false);
        directory.Dispose();
    }

    public override string ToString() => $"opentracker on {HttpAnnounceUrl} and {UdpAnnounceUrl} ({Process})";

    private static void WriteWhitelist(TempDirectory directory, IEnumerable<string> whitelist)
    {
        var lines = whitelist.Select(NormalizeHash).Distinct().ToList();
        var path = directory.Combine(WhitelistFileName);
        File.WriteAllText(path, string.Concat(lines.Select(l => l + "\n")));
        if (!OperatingSystem.IsWindows())
        {
            const UnixFileMode everyoneReads = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            File.SetUnixFileMode(path, everyoneReads);
            File.SetUnixFileMode(directory.Path, everyoneReads | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
    }

    private static string NormalizeHash(string hash)
    {
        var h = hash.Trim().ToLowerInvariant();
        if (h.Length is not (40 or 64) || !h.All(char.IsAsciiHexDigit))
            throw new ArgumentException($"'{hash}' is not an info hash (40 or 64 hex digits).", nameof(hash));
        return h[..40];
    }

    private async Task WaitUntilListeningAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Process.ExitCode is { } code)
                throw new InvalidOperationException($"opentracker exited with code {code} before listening on 127.0.0.1:{Port}.\n{Process.Output}");
            try
            {
                using var probe = new TcpClient(AddressFamily.InterNetwork);
                await probe.ConnectAsync(IPAddress.Loopback, Port, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new TimeoutException($"opentracker did not listen on 127.0.0.1:{Port} within {timeout.TotalSeconds:0} s ({e.SocketErrorCode}).\n{Process.Output}");
            }
        }
    }
}
