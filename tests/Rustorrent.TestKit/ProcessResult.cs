namespace Rustorrent.TestKit;

/// <summary>What a program that ran to completion printed and returned.</summary>
public sealed record ProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError, bool OutputTruncated)
{
    /// <summary>Throws, with the command line and everything it printed, unless the exit code was 0.</summary>
    public ProcessResult EnsureSuccess()
    {
        if (ExitCode != 0)
            throw new InvalidOperationException(
                $"'{CommandLine}' exited with code {ExitCode}.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
        return this;
    }
}
