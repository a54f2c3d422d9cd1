using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Rustorrent.TestKit;

/// <summary>
/// A program a test started, with a bounded life: its output is kept in a bounded buffer, it is killed
/// with its whole process tree on <see cref="Dispose"/>, when its <see cref="ManagedProcessOptions.MaxLifetime"/>
/// runs out, and when the test host exits. On Linux it runs under coreutils <c>timeout</c> (a little
/// longer than the lifetime) so that even a test host killed by SIGKILL cannot leave it running.
/// </summary>
public sealed class ManagedProcess : IDisposable, IAsyncDisposable
{
    private const string TimeoutWrapper = "/usr/bin/timeout";
    private static readonly TimeSpan WrapperSlack = TimeSpan.FromSeconds(10);

    private readonly Process process;
    private readonly ProcessOutputBuffer output;
    private readonly ManagedProcessOptions options;
    private readonly bool wrapped;
    private readonly Timer lifetimeTimer;
    private readonly Task pumps;
    private readonly object signalGate = new();
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool exitedAndDrained;
    private volatile bool killedAtMaxLifetime;
    private int? exitCode;
    private int disposed;

    private ManagedProcess(Process process, string commandLine, ManagedProcessOptions options, bool wrapped)
    {
        this.process = process;
        this.options = options;
        this.wrapped = wrapped;
        CommandLine = commandLine;
        output = new ProcessOutputBuffer(options.MaxOutputChars);
        Id = process.Id;
        ProcessRegistry.Add(this);
        lifetimeTimer = new Timer(_ => KillAtMaxLifetime(), null, options.MaxLifetime, Timeout.InfiniteTimeSpan);
        pumps = Task.WhenAll(
            Task.Run(() => PumpAsync(process.StandardOutput, isStandardError: false)),
            Task.Run(() => PumpAsync(process.StandardError, isStandardError: true)));
        _ = pumps.ContinueWith(async _ =>
        {
            await process.WaitForExitAsync().ConfigureAwait(false);
            exitCode = process.ExitCode;
            exitedAndDrained = true;
            Signal();
        }, TaskScheduler.Default);
    }

    /// <summary>Process id of what was started (the <c>timeout</c> wrapper when there is one).</summary>
    public int Id { get; }

    /// <summary>The program and its arguments, quoted for reading (not for a shell).</summary>
    public string CommandLine { get; }

    public bool HasExited => exitedAndDrained || SafeHasExited();

    /// <summary>The exit code once the process has exited and its output was read, else null.</summary>
    public int? ExitCode => exitCode;

    /// <summary>True when the process was killed because its maximum lifetime ran out.</summary>
    public bool KilledAtMaxLifetime => killedAtMaxLifetime;

    /// <summary>Kept stdout and stderr lines in order (stderr lines start with "err: ").</summary>
    public string Output => output.Text();

    public string StandardOutput => output.Text(standardError: false);

    public string StandardError => output.Text(standardError: true);

    public bool OutputTruncated => output.Truncated;

    public static ManagedProcess Start(string fileName, IEnumerable<string> arguments, ManagedProcessOptions? options = null)
    {
        options ??= ManagedProcessOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.MaxLifetime, TimeSpan.Zero);
        var args = arguments.ToList();
        var commandLine = string.Join(' ', new[] { fileName }.Concat(args).Select(Quote));
        var wrapped = OperatingSystem.IsLinux() && File.Exists(TimeoutWrapper);
        var psi = new ProcessStartInfo
        {
            FileName = wrapped ? TimeoutWrapper : fileName,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            CreateNoWindow = true,
            WorkingDirectory = options.WorkingDirectory ?? "",
        };
        if (wrapped)
        {
            // timeout sends TERM, then KILL 2 s later, to its own process group: the backstop for a dead test host.
            var seconds = (options.MaxLifetime + WrapperSlack).TotalSeconds;
            psi.ArgumentList.Add("--kill-after=2");
            psi.ArgumentList.Add(seconds.ToString("0.###", CultureInfo.InvariantCulture) + "s");
            psi.ArgumentList.Add(fileName);
        }
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        foreach (var (name, value) in options.Environment)
        {
            if (value is null)
                psi.Environment.Remove(name);
            else
                psi.Environment[name] = value;
        }

        var process = new Process { StartInfo = psi };
        try
        {
            if (!process.Start())
                throw new InvalidOperationException($"Could not start '{commandLine}'.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException($"Could not start '{commandLine}': {e.Message}", e);
        }
        return new ManagedProcess(process, commandLine, options, wrapped);
    }

    /// <summary>Runs a program to completion within <paramref name="timeout"/>; kills it and throws <see cref="TimeoutException"/> if it takes longer.</summary>
    public static async Task<ProcessResult> RunAsync(
        string fileName, IEnumerable<string> arguments, TimeSpan timeout, ManagedProcessOptions? options = null, CancellationToken cancellationToken = default)
    {
        options = (options ?? ManagedProcessOptions.Default) with { MaxLifetime = timeout + TimeSpan.FromSeconds(5) };
        using var p = Start(fileName, arguments, options);
        p.CloseStandardInput();
        var exitCode = await p.WaitForExitAsync(timeout, cancellationToken).ConfigureAwait(false);
        return new ProcessResult(p.CommandLine, exitCode, p.StandardOutput, p.StandardError, p.OutputTruncated);
    }

    /// <summary>
    /// Waits until a line (stdout or stderr) matching <paramref name="predicate"/> has been printed, counting
    /// lines printed before the call that are still in the buffer, and returns it. Throws
    /// <see cref="TimeoutException"/> after <paramref name="timeout"/>, or <see cref="InvalidOperationException"/>
    /// if the process exits first; both messages carry the output.
    /// </summary>
    public async Task<string> WaitForOutputAsync(Func<string, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        long next = 0;
        while (true)
        {
            Task signal;
            lock (signalGate)
                signal = changed.Task;
            var done = exitedAndDrained;
            var (lines, following) = output.Since(next);
            next = following;
            foreach (var line in lines)
            {
                if (predicate(line.Text))
                    return line.Text;
            }
            if (done)
                throw new InvalidOperationException(
                    $"'{CommandLine}' exited with code {exitCode}{LifetimeNote()} before printing the awaited line.\n{Output}");
            try
            {
                await signal.WaitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"'{CommandLine}' did not print the awaited line within {timeout.TotalSeconds:0.#} s.\n{Output}");
            }
        }
    }

    /// <summary>Waits for the process to exit and its output to be read; throws <see cref="TimeoutException"/> (killing it) after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        while (!exitedAndDrained)
        {
            Task signal;
            lock (signalGate)
                signal = changed.Task;
            if (exitedAndDrained)
                break;
            try
            {
                await signal.WaitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Kill();
                throw new TimeoutException($"'{CommandLine}' did not exit within {timeout.TotalSeconds:0.#} s; killed.\n{Output}");
            }
        }
        return exitCode!.Value;
    }

    /// <summary>Closes the child's stdin; our scripts take that as "stop now".</summary>
    public void CloseStandardInput()
    {
        try
        {
            process.StandardInput.Close();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // Already exited or closed: nothing to tell.
        }
    }

    /// <summary>Sends a POSIX signal (e.g. 1 = SIGHUP) to the program itself, not to the <c>timeout</c> wrapper.</summary>
    public void SendSignal(int signal)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            throw new PlatformNotSupportedException("POSIX signals need Linux or macOS.");
        var target = wrapped ? WrappedChildId() : Id;
        if (SysKill(target, signal) != 0)
            throw new InvalidOperationException($"kill({target}, {signal}) failed with errno {Marshal.GetLastPInvokeError()} for '{CommandLine}'.");
    }

    /// <summary>Kills the whole process tree at once. Safe to call at any time, more than once.</summary>
    public void Kill()
    {
        try
        {
            if (!SafeHasExited())
                process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Exited between the check and the kill.
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
            return;
        lifetimeTimer.Dispose();
        Kill();
        try
        {
            process.WaitForExit(5000);
            pumps.Wait(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (e is InvalidOperationException or AggregateException)
        {
            // Reading the output failed after the kill; nothing left to clean up.
        }
        ProcessRegistry.Remove(this);
        process.Dispose();
    }

    /// <summary>Stops gracefully when <see cref="ManagedProcessOptions.GracefulStopTimeout"/> allows (stdin closed, bounded wait), then disposes.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref disposed) == 0 && options.GracefulStopTimeout > TimeSpan.Zero && !HasExited)
        {
            CloseStandardInput();
            try
            {
                await WaitForExitAsync(options.GracefulStopTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Killed by WaitForExitAsync; Dispose finishes the job.
            }
        }
        Dispose();
    }

    public override string ToString() => $"pid {Id}: {CommandLine}";

    private async Task PumpAsync(StreamReader reader, bool isStandardError)
    {
        // Read blocks rather than ReadLine so that a line without end cannot grow without bound.
        var block = new char[8192];
        var line = new StringBuilder();
        var lastWasCr = false;
        try
        {
            int n;
            while ((n = await reader.ReadAsync(block).ConfigureAwait(false)) > 0)
            {
                for (var i = 0; i < n; i++)
                {
                    var c = block[i];
                    if (c == '\n' && lastWasCr)
                    {
                        lastWasCr = false;
                        continue;
                    }
                    lastWasCr = c == '\r';
                    // '\r' ends a line too: mktorrent and transmission redraw progress with it.
                    if (c is '\n' or '\r')
                    {
                        Emit(line, isStandardError);
                    }
                    else if (line.Length < options.MaxOutputChars)
                    {
                        line.Append(c);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pipe went away with the process.
        }
        if (line.Length > 0)
            Emit(line, isStandardError);
    }

    private void Emit(StringBuilder line, bool isStandardError)
    {
        output.Add(isStandardError, line.ToString());
        line.Clear();
        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (signalGate)
        {
            previous = changed;
            changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        previous.TrySetResult();
    }

    private void KillAtMaxLifetime()
    {
        if (SafeHasExited())
            return;
        killedAtMaxLifetime = true;
        Kill();
    }

    private string LifetimeNote() => killedAtMaxLifetime
        ? $" (killed: its maximum lifetime of {options.MaxLifetime.TotalSeconds:0.#} s ran out)"
        : "";

    private bool SafeHasExited()
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private int WrappedChildId()
    {
        // The wrapper forks the program at once; /proc names its only child.
        var childrenFile = $"/proc/{Id}/task/{Id}/children";
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var text = File.Exists(childrenFile) ? File.ReadAllText(childrenFile).Trim() : "";
            if (text.Length > 0)
                return int.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
            Thread.Sleep(20);
        }
        throw new InvalidOperationException($"'{CommandLine}' has no running program under its timeout wrapper (pid {Id}).");
    }

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@+%".Contains(c)) ? arg : "'" + arg.Replace("'", "'\\''") + "'";

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);
}
