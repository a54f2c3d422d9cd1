namespace Rustorrent.TestKit;

/// <summary>How a <see cref="ManagedProcess"/> is started and how long it may live.</summary>
public sealed record ManagedProcessOptions
{
    public static ManagedProcessOptions Default { get; } = new();

    public string? WorkingDirectory { get; init; }

    /// <summary>Variables to set for the child; a null value removes the variable.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>The process is killed (with its whole tree) once it has lived this long, whatever the test does.</summary>
    public TimeSpan MaxLifetime { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>At most this many characters of stdout+stderr are kept; the oldest lines are dropped first.</summary>
    public int MaxOutputChars { get; init; } = 4 * 1024 * 1024;

    /// <summary>On <see cref="ManagedProcess.DisposeAsync"/>: close stdin and wait this long for a clean exit
    /// before killing (our scripts exit on stdin EOF and send 'stopped' to trackers). Zero kills at once.</summary>
    public TimeSpan GracefulStopTimeout { get; init; } = TimeSpan.Zero;
}
