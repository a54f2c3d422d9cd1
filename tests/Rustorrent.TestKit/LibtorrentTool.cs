using System.Globalization;
using System.Text.Json;

namespace Rustorrent.TestKit;

/// <summary>python3-libtorrent through our <c>Scripts/lt_tool.py</c>: makes torrents and reads them the way libtorrent does.</summary>
public static class LibtorrentTool
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Full path of lt_tool.py next to the test binaries.</summary>
    public static string ScriptPath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "Scripts", "lt_tool.py");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"lt_tool.py is not next to the test binaries (Rustorrent.TestKit copies Scripts/** to the output folder): {path}", path);
        }
    }

    /// <summary>Makes a .torrent with libtorrent's create_torrent and returns its path.</summary>
    public static async Task<string> CreateTorrentAsync(LibtorrentCreateOptions options, CancellationToken cancellationToken = default)
    {
        var args = new List<string>
        {
            ScriptPath, "create", options.Payload, "--out", options.Output,
            "--version", options.Version.ToString().ToLowerInvariant(),
            "--piece-length", options.PieceLength.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var tier in options.TrackerTiers)
        {
            if (tier.Any(url => url.Contains(',')))
                throw new ArgumentException("lt_tool.py separates the URLs of a tier with commas; a tracker URL cannot contain one.", nameof(options));
            args.AddRange(["--tracker", string.Join(',', tier)]);
        }
        foreach (var url in options.WebSeeds)
            args.AddRange(["--webseed", url]);
        if (options.IsPrivate)
            args.Add("--private");
        if (options.Comment is not null)
            args.AddRange(["--comment", options.Comment]);
        if (options.Creator is not null)
            args.AddRange(["--creator", options.Creator]);
        var python = RequiredTool.PythonWithLibtorrent();
        (await python.RunAsync(args, CommandTimeout, cancellationToken: cancellationToken).ConfigureAwait(false)).EnsureSuccess();
        return options.Output;
    }

    /// <summary>libtorrent's reading of <paramref name="torrentPath"/>; throws with libtorrent's message if it rejects the file.</summary>
    public static async Task<LibtorrentTorrentDump> DumpAsync(string torrentPath, CancellationToken cancellationToken = default)
    {
        var python = RequiredTool.PythonWithLibtorrent();
        var result = (await python.RunAsync([ScriptPath, "dump", torrentPath], CommandTimeout, cancellationToken: cancellationToken).ConfigureAwait(false)).EnsureSuccess();
        try
        {
            return JsonSerializer.Deserialize<LibtorrentTorrentDump>(result.StandardOutput)
                ?? throw new InvalidOperationException($"lt_tool.py dump printed 'null' for {torrentPath}.");
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"lt_tool.py dump printed something that is not its JSON for {torrentPath}: {e.Message}\n{result.StandardOutput}", e);
        }
    }

    /// <summary>Starts <c>lt_tool.py seed|leech</c> and waits for its "READY &lt;port&gt;" line.</summary>
    internal static async Task<(ManagedProcess Process, int Port)> StartSessionAsync(
        IEnumerable<string> arguments, TimeSpan readyTimeout, TimeSpan maxLifetime, CancellationToken cancellationToken)
    {
        var python = RequiredTool.PythonWithLibtorrent();
        var args = new List<string> { ScriptPath };
        args.AddRange(arguments);
        // The script stops by itself a little after the test's own limit, as a second line of defence.
        args.AddRange(["--max-lifetime", (maxLifetime.TotalSeconds + 5).ToString("0", CultureInfo.InvariantCulture)]);
        var process = python.Start(args, new ManagedProcessOptions { MaxLifetime = maxLifetime, GracefulStopTimeout = TimeSpan.FromSeconds(3) });
        try
        {
            var line = await process.WaitForOutputAsync(l => l.StartsWith("READY ", StringComparison.Ordinal), readyTimeout, cancellationToken).ConfigureAwait(false);
            return (process, int.Parse(line.AsSpan(6), CultureInfo.InvariantCulture));
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    internal static IEnumerable<string> SettingArguments(IReadOnlyDictionary<string, string>? settings) =>
        (settings ?? new Dictionary<string, string>()).SelectMany(kv => new[] { "--set", kv.Key + "=" + kv.Value });
}
