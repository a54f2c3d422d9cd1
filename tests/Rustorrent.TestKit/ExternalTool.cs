namespace Rustorrent.TestKit;

/// <summary>A program found on this machine, with the environment it should run in. Get one from <see cref="RequiredTool"/>.</summary>
public sealed class ExternalTool
{
    private static readonly string[] WellKnownDirectories = ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin", "/sbin"];

    public ExternalTool(string name, string path, IReadOnlyDictionary<string, string?>? environment = null)
    {
        Name = name;
        Path = path;
        Environment = environment ?? new Dictionary<string, string?>();
    }

    /// <summary>What the tool is called in messages, e.g. "mktorrent".</summary>
    public string Name { get; }

    /// <summary>Full path of the executable.</summary>
    public string Path { get; }

    /// <summary>Variables set (or, when null, removed) for every run.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; }

    /// <summary>Full path of <paramref name="program"/> on PATH or in the usual system directories, or null.</summary>
    public static string? Find(string program)
    {
        if (System.IO.Path.IsPathRooted(program))
            return File.Exists(program) ? program : null;
        var path = System.Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Concat(WellKnownDirectories))
        {
            var candidate = System.IO.Path.Combine(dir, program);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    /// <summary>Runs the tool to completion (bounded by <paramref name="timeout"/>).</summary>
    public Task<ProcessResult> RunAsync(IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null, CancellationToken cancellationToken = default) =>
        ManagedProcess.RunAsync(Path, arguments, timeout, WithEnvironment(new ManagedProcessOptions { WorkingDirectory = workingDirectory }), cancellationToken);

    /// <summary>Starts the tool as a long-running <see cref="ManagedProcess"/>.</summary>
    public ManagedProcess Start(IEnumerable<string> arguments, ManagedProcessOptions? options = null) =>
        ManagedProcess.Start(Path, arguments, WithEnvironment(options ?? ManagedProcessOptions.Default));

    public override string ToString() => $"{Name} ({Path})";

    private ManagedProcessOptions WithEnvironment(ManagedProcessOptions options)
    {
        if (Environment.Count == 0)
            return options;
        var merged = new Dictionary<string, string?>(Environment);
        foreach (var (key, value) in options.Environment)
            merged[key] = value;
        return options with { Environment = merged };
    }
}
