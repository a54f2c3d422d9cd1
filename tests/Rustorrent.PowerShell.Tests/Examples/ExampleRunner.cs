using System.Management.Automation;
using System.Text.RegularExpressions;
using Rustorrent.TestKit;

namespace Rustorrent.PowerShell.Tests.Examples;

/// <summary>
/// Runs one documentation example for real: in a fresh folder with the files it names, in a session of its
/// own, with its internet endpoints rewritten to the loopback fixtures; then checks it ended as its text says.
/// </summary>
internal static partial class ExampleRunner
{
    /// <summary>Longer than any example needs on a loaded machine; an example that takes this long is broken.</summary>
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(90);

    /// <param name="compare">Compares the output with the sample output shown after the code, if any.</param>
    public static async Task RunAsync(ExampleFixtures fixtures, string name, string code, ExampleExpectation expectation,
        Action<ExampleRun, ExampleSession>? compare = null)
    {
        using var temp = new TempDirectory("example");
        var folder = fixtures.NewWorkingFolder(temp);
        if (expectation.UsesDht)
            await fixtures.DhtReady.WaitAsync(TimeSpan.FromSeconds(60));
        using var session = new ExampleSession(folder);
        if (expectation.Prelude is { } prelude)
        {
            var before = session.Invoke(fixtures.Substitutions.Apply(prelude), ScriptTimeout);
            Assert.True(before.Errors.Count == 0 && before.Terminating is null, $"{name}: the prelude failed: {string.Join("; ", before.Errors)} {before.Terminating}");
        }

        var script = fixtures.Substitutions.Apply(code);
        var outside = OffLoopback().Match(script);
        Assert.False(outside.Success, $"{name} names '{outside.Value}', which the substitution table does not rewrite to a loopback fixture (tests touch only 127.0.0.1)\n{script}");
        var run = session.Invoke(script, ScriptTimeout);

        if (expectation.ExpectedError is { } errorId)
        {
            var ids = run.Errors.Select(e => e.FullyQualifiedErrorId)
                .Concat(run.Terminating is IContainsErrorRecord { ErrorRecord: { } record } ? [record.FullyQualifiedErrorId] : [])
                .ToList();
            Assert.True(ids.Any(id => id.StartsWith(errorId, StringComparison.Ordinal)), $"{name} should fail with {errorId}; it wrote [{string.Join(", ", ids)}]\n{script}");
        }
        else
        {
            Assert.True(run.Terminating is null, $"{name} stopped with: {run.Terminating}\n{script}");
            Assert.True(run.Errors.Count == 0, $"{name} wrote errors: {string.Join("; ", run.Errors)}\n{script}");
            if (!expectation.OutputsNothing)
                Assert.True(run.Output.Count > 0, $"{name} output nothing\n{script}");
        }
        expectation.Check?.Invoke(run, session, fixtures);
        foreach (var download in expectation.Downloads)
            AssertDownloaded(fixtures, folder, download);
        compare?.Invoke(run, session);
    }

    /// <summary>
    /// Waits (up to a minute) until the job <paramref name="jobExpression"/> has output its download result,
    /// or has ended; asserts there is one result and returns the job's state then ("Running" while it seeds).
    /// </summary>
    public static string WaitForResult(ExampleSession session, string jobExpression)
    {
        var run = session.Invoke($$"""
            $job = {{jobExpression}}
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            while ([datetime]::UtcNow -lt $deadline -and $job.State -in 'NotStarted', 'Running' -and
                   -not ($job | Receive-Job -Keep | Where-Object { $_ -is [Rustorrent.PowerShell.TorrentDownloadResult] })) {
                [System.Threading.Thread]::Sleep(100)
            }
            @($job | Receive-Job -Keep | Where-Object { $_ -is [Rustorrent.PowerShell.TorrentDownloadResult] }).Count
            $job.State.ToString()
            """, ScriptTimeout);
        Assert.True(run.Errors.Count == 0 && run.Terminating is null, $"{jobExpression}: {string.Join("; ", run.Errors)} {run.Terminating}");
        Assert.Equal(2, run.Output.Count);
        Assert.True(run.Output[0].ToString() == "1", $"{jobExpression} output {run.Output[0]} download results; its state is {run.Output[1]}");
        return run.Output[1].ToString();
    }

    private static void AssertDownloaded(ExampleFixtures fixtures, string folder, DownloadedFiles download)
    {
        var pattern = new WildcardPattern(download.Pattern, WildcardOptions.IgnoreCase);
        var files = fixtures.Torrent(download.Torrent).Files.Where(f => pattern.IsMatch(Path.GetFileName(f.RelativePath))).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var copy = Path.Combine(folder, download.Destination, file.RelativePath);
            Assert.True(File.Exists(copy), $"{download.Destination}/{file.RelativePath} was not downloaded");
            Assert.Equal(file.Sha256, Payload.Sha256Of(copy));
        }
    }

    /// <summary>A URL (plain or percent-encoded in a magnet), an IPv4 address with a port, or a host name with a port, not on 127.0.0.1.</summary>
    [GeneratedRegex(@"\b(?:https?|udp)(?:://|%3A%2F%2F)(?!127\.0\.0\.1(?:[:/]|%3A|%2F))\S+|\b(?!127\.0\.0\.1:)\d{1,3}(?:\.\d{1,3}){3}:\d+|\b[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)+:\d+\b", RegexOptions.IgnoreCase)]
    private static partial Regex OffLoopback();
}
