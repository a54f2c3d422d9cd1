using System.Management.Automation;
using Rustorrent.PowerShell.Tests.Infrastructure;
using Rustorrent.TestKit;

namespace Rustorrent.PowerShell.Tests.Jobs;

/// <summary>
/// Start-TorrentDownload as background jobs, driven through the built-in job cmdlets of a hosted engine,
/// downloading from python3-libtorrent seeders on 127.0.0.1; files are checked by SHA-256. Seeders are slowed
/// down where a test must watch a download in flight.
/// </summary>
public sealed class TorrentJobTests : IAsyncLifetime
{
    private const long SlowRate = 256 * 1024;
    private readonly JobTestBed bed = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => bed.DisposeAsync().AsTask();

    private PowerShellSession Shell => bed.Shell;

    private static IReadOnlyList<dynamic> Jobs(PowerShellResult result) => result.OutputOf("TorrentJob");

    private static JobState StateOf(dynamic job) => (JobState)job.JobStateInfo.State;

    [SkippableFact]
    public async Task Three_piped_torrents_download_at_once_with_moving_progress_and_Receive_Job_gives_three_results()
    {
        RequiredTool.PythonWithLibtorrent();
        var torrents = new List<SeededTorrent>();
        foreach (var name in new[] { "one.bin", "two.bin", "three.bin" })
            torrents.Add(await bed.SeedAsync(name, 1024 * 1024, SlowRate));

        var started = Shell.Invoke("$args[0] | Start-TorrentDownload -Destination $args[1] -Peer $args[2]",
            torrents.Select(t => t.Torrent).ToArray(), bed.Out, torrents.Select(t => t.Peer).ToArray()).ThrowOnError();

        var jobs = Jobs(started);
        Assert.Equal(["one.bin", "two.bin", "three.bin"], jobs.Select(j => (string)j.Name));
        Assert.All(jobs, j => Assert.Equal("TorrentJob", (string)j.PSJobTypeName));
        // Watch through Get-TorrentJob: all three in flight at one moment, and each job's percent moving.
        var seen = new Dictionary<int, HashSet<double>>();
        var allInFlight = false;
        JobTestBed.Until(() =>
        {
            var listed = Jobs(Shell.Invoke("Get-TorrentJob").ThrowOnError());
            Assert.Equal(3, listed.Count);
            foreach (var job in listed)
            {
                var percent = (double)job.PercentComplete;
                if (percent is > 0 and < 100)
                    (seen.TryGetValue((int)job.Id, out var set) ? set : seen[(int)job.Id] = []).Add(percent);
            }
            allInFlight |= listed.All(j => StateOf(j) == JobState.Running && (double)j.PercentComplete is > 0 and < 100);
            return listed.All(j => StateOf(j) != JobState.Running);
        }, "the three jobs to finish");
        Assert.True(allInFlight, "the three downloads never ran at the same time");
        Assert.All(jobs, j => Assert.True(seen.TryGetValue((int)j.Id, out var set) && set.Count >= 2, $"{j.Name}: progress did not move ({string.Join(", ", seen.GetValueOrDefault((int)j.Id) ?? [])})"));

        var waited = Shell.Invoke("Get-TorrentJob | Wait-Job -Timeout 60").ThrowOnError();
        Assert.Equal(3, waited.Output.Count);
        var kept = Shell.Invoke("Get-TorrentJob | Receive-Job -Keep").ThrowOnError();
        var received = Shell.Invoke("Get-TorrentJob | Receive-Job -Verbose").ThrowOnError();

        Assert.Equal(3, kept.OutputOf("TorrentDownloadResult").Count);
        var results = received.OutputOf("TorrentDownloadResult");
        Assert.Equal(["one.bin", "two.bin", "three.bin"], results.Select(r => (string)r.Name));
        Assert.All(results, r => Assert.Equal(1024 * 1024, (long)r.Downloaded));
        foreach (var torrent in torrents)
            JobTestBed.AssertDownloaded(torrent, bed.Out);
        Assert.All(jobs, j => Assert.Equal(JobState.Completed, StateOf(j)));
        Assert.All(jobs, j => Assert.Equal(100.0, (double)j.PercentComplete));
        Assert.All(jobs, j => Assert.Equal(TimeSpan.Zero, (TimeSpan?)j.Eta));
        // Progress: a handful of records a second at most (kept only while unreceived), exactly one Completed per job.
        foreach (var job in jobs)
        {
            var records = received.Progress.Where(p => p.ActivityId == (int)job.Id).ToList();
            Assert.Single(records, p => p.RecordType == ProgressRecordType.Completed);
            Assert.Equal(ProgressRecordType.Completed, records[^1].RecordType);
            Assert.InRange(records.Count, 2, 17);
        }
        Assert.Contains(received.Verbose, v => v.Message.Contains("one.bin: checking the files already in", StringComparison.Ordinal));
        Assert.Contains(received.Verbose, v => v.Message.StartsWith("two.bin: downloading; ", StringComparison.Ordinal) && v.Message.EndsWith(" of 32 pieces verified so far.", StringComparison.Ordinal));
        Assert.False((bool)Shell.Invoke("(Get-TorrentJob).HasMoreData -contains $true").Output.Single().BaseObject);
    }

    [SkippableFact]
    public async Task Stop_Job_mid_download_closes_the_files_and_a_new_start_fetches_only_the_missing_pieces()
    {
        RequiredTool.PythonWithLibtorrent();
        var torrent = await bed.SeedAsync("movie.bin", 2 * 1024 * 1024, SlowRate);

        var job = Jobs(Shell.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -Peer $args[2] -Name movie", torrent.Torrent, bed.Out, torrent.Peer).ThrowOnError()).Single();
        JobTestBed.Until(() => (long)job.Downloaded >= 8 * JobTestBed.PieceLength, "a quarter of the pieces");
        Shell.Invoke("Stop-Job -Name movie").ThrowOnError();

        Assert.Equal(JobState.Stopped, StateOf(job));
        var verified = (long)job.Downloaded;
        Assert.InRange(verified, 8 * JobTestBed.PieceLength, 2 * 1024 * 1024 - 1);
        Assert.Equal(0, (int)job.ConnectedPeers);
        Assert.Equal(0.0, (double)job.DownloadRate);
        Assert.Null((TimeSpan?)job.Eta);
        Assert.StartsWith("Stopped at ", (string)job.StatusMessage, StringComparison.Ordinal);
        AssertNoOpenHandleUnder(bed.Out);
        var stopped = Shell.Invoke("Receive-Job -Name movie").ThrowOnError();
        Assert.Empty(stopped.Output);
        Assert.Single(stopped.Progress, p => p.RecordType == ProgressRecordType.Completed);

        var again = Shell.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -Peer $args[2] | Wait-Job -Timeout 60 | Receive-Job",
            torrent.Torrent, bed.Out, torrent.Peer).ThrowOnError();

        var result = again.OutputOf("TorrentDownloadResult").Single();
        var present = (int)result.PiecesAlreadyPresent;
        Assert.True(present * (long)JobTestBed.PieceLength >= verified, $"{present} pieces kept, {verified} bytes were verified when stopped");
        Assert.Equal(2 * 1024 * 1024 - present * (long)JobTestBed.PieceLength, (long)result.Downloaded);
        JobTestBed.AssertDownloaded(torrent, bed.Out);
    }

    [SkippableFact]
    public async Task SuspendJob_stops_the_transfer_and_ResumeJob_continues_from_the_verified_pieces()
    {
        RequiredTool.PythonWithLibtorrent();
        var torrent = await bed.SeedAsync("album.bin", 2 * 1024 * 1024, SlowRate);
        var job = Jobs(Shell.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -Peer $args[2]", torrent.Torrent, bed.Out, torrent.Peer).ThrowOnError()).Single();
        JobTestBed.Until(() => (long)job.Downloaded >= 8 * JobTestBed.PieceLength, "a quarter of the pieces");

        Shell.Invoke("$args[0].SuspendJob()", (object)job).ThrowOnError();

        Assert.Equal(JobState.Suspended, StateOf(job));
        Assert.StartsWith("Suspended at ", (string)job.StatusMessage, StringComparison.Ordinal);
        AssertNoOpenHandleUnder(bed.Out);
        // Wait-Job counts Suspended as done waiting.
        Assert.Single(Shell.Invoke("$args[0] | Wait-Job -Timeout 5", (object)job).ThrowOnError().Output);

        Shell.Invoke("$args[0].ResumeJob()", (object)job).ThrowOnError();
        Assert.Equal(JobState.Running, StateOf(job));
        var received = Shell.Invoke("$args[0] | Receive-Job -Wait", (object)job).ThrowOnError();

        Assert.Equal(JobState.Completed, StateOf(job));
        var result = received.OutputOf("TorrentDownloadResult").Single();
        Assert.InRange((int)result.PiecesAlreadyPresent, 8, 63);
        Assert.Single(received.Progress, p => p.RecordType == ProgressRecordType.Completed);
        JobTestBed.AssertDownloaded(torrent, bed.Out);
    }

    [SkippableFact]
    public async Task A_torrent_with_no_reachable_peer_fails_at_the_stall_timeout_with_its_reason_while_the_other_completes()
    {
        RequiredTool.PythonWithLibtorrent();
        var good = await bed.SeedAsync("good.bin", 256 * 1024);
        var lonely = await bed.CreateAsync("lonely.bin", 256 * 1024);

        var jobs = Jobs(Shell.Invoke("$args[0] | Start-TorrentDownload -Destination $args[1] -Peer $args[2] -StallTimeout 5",
            new[] { lonely.Torrent, good.Torrent }, bed.Out, new[] { good.Peer, $"127.0.0.1:{FreePort.Next()}" }).ThrowOnError());
        var first = Shell.Invoke("Get-TorrentJob | Wait-Job -Any -Timeout 60").ThrowOnError();
        var all = Shell.Invoke("Get-TorrentJob | Wait-Job -Timeout 60").ThrowOnError();

        Assert.Equal("good.bin", (string)Jobs(first).Single().Name);
        Assert.Equal(2, all.Output.Count);
        var (failed, completed) = (jobs[0], jobs[1]);
        Assert.Equal(JobState.Completed, StateOf(completed));
        Assert.Equal(JobState.Failed, StateOf(failed));
        var reason = (Exception)failed.JobStateInfo.Reason;
        Assert.Contains("made no progress for 5 s", reason.Message, StringComparison.Ordinal);
        Assert.Equal(reason.Message, (string)failed.StatusMessage);
        Assert.Contains(((IEnumerable<WarningRecord>)failed.Warning).Select(w => w.Message), m => m.StartsWith("lonely.bin: no new data for ", StringComparison.Ordinal));

        var received = Shell.Invoke("Receive-Job -Id $args[0], $args[1]", (int)failed.Id, (int)completed.Id);

        var error = Assert.Single(received.Errors);
        Assert.Contains("made no progress for 5 s", error.ToString(), StringComparison.Ordinal);
        Assert.Single(received.OutputOf("TorrentDownloadResult"));
        JobTestBed.AssertDownloaded(good, bed.Out);
    }

    [SkippableFact]
    public async Task Remove_Job_Force_stops_a_running_job_and_Remove_Job_frees_a_finished_one()
    {
        RequiredTool.PythonWithLibtorrent();
        var slow = await bed.SeedAsync("slow.bin", 2 * 1024 * 1024, 128 * 1024);
        var fast = await bed.SeedAsync("fast.bin", 128 * 1024);
        var jobs = Jobs(Shell.Invoke("$args[0] | Start-TorrentDownload -Destination $args[1] -Peer $args[2]",
            new[] { slow.Torrent, fast.Torrent }, bed.Out, new[] { slow.Peer, fast.Peer }).ThrowOnError());
        var (running, finished) = (jobs[0], jobs[1]);
        Shell.Invoke("Wait-Job -Id $args[0] -Timeout 60", (int)finished.Id).ThrowOnError();
        Assert.Equal(JobState.Completed, StateOf(finished));

        Shell.Invoke("Remove-Job -Id $args[0]", (int)finished.Id).ThrowOnError();
        Assert.Equal(["slow.bin"], Jobs(Shell.Invoke("Get-TorrentJob").ThrowOnError()).Select(j => (string)j.Name));
        Assert.Empty(Shell.Invoke("Get-Job -Id $args[0] -ErrorAction SilentlyContinue", (int)finished.Id).Output);

        JobTestBed.Until(() => (long)running.Downloaded > 0, "data for the slow download");
        var refused = Shell.Invoke("Remove-Job -Id $args[0]", (int)running.Id);
        Assert.NotEmpty(refused.Errors);
        Assert.Equal(JobState.Running, StateOf(running));

        Shell.Invoke("Remove-Job -Id $args[0] -Force", (int)running.Id).ThrowOnError();

        Assert.Equal(JobState.Stopped, StateOf(running));
        Assert.Empty(Shell.Invoke("Get-TorrentJob").ThrowOnError().Output);
        AssertNoOpenHandleUnder(bed.Out);
        // The torrent is free again: a new job may take it.
        var again = Jobs(Shell.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -Peer $args[2]", slow.Torrent, bed.Out, slow.Peer).ThrowOnError());
        Assert.Single(again);
    }

    [SkippableFact]
    public async Task ThrottleLimit_1_runs_one_download_at_a_time_in_order_with_a_resumed_job_first_and_all_complete()
    {
        RequiredTool.PythonWithLibtorrent();
        var torrents = new List<SeededTorrent>();
        foreach (var name in new[] { "a.bin", "b.bin", "c.bin" })
            torrents.Add(await bed.SeedAsync(name, 384 * 1024, SlowRate));

        var jobs = Jobs(Shell.Invoke("$args[0] | Start-TorrentDownload -Destination $args[1] -Peer $args[2] -ThrottleLimit 1",
            torrents.Select(t => t.Torrent).ToArray(), bed.Out, torrents.Select(t => t.Peer).ToArray()).ThrowOnError());
        var (a, b, c) = (jobs[0], jobs[1], jobs[2]);

        Assert.Equal(JobState.NotStarted, StateOf(c));
        Assert.StartsWith("Queued", (string)c.StatusMessage, StringComparison.Ordinal);
        // A waiting job can be suspended too; resumed, it waits again (NotStarted), first in line.
        Shell.Invoke("$args[0].SuspendJob()", (object)c).ThrowOnError();
        Assert.Equal(JobState.Suspended, StateOf(c));
        Shell.Invoke("$args[0].ResumeJob()", (object)c).ThrowOnError();
        Assert.Equal(JobState.NotStarted, StateOf(c));
        var running = new HashSet<string>();
        JobTestBed.Until(() =>
        {
            var states = jobs.Select(j => StateOf(j)).ToList();
            Assert.True(states.Count(s => s == JobState.Running) <= 1, "more than one download ran: " + string.Join(", ", states));
            foreach (var job in jobs.Where(j => StateOf(j) == JobState.Running))
                running.Add((string)job.Name);
            return states.All(s => s == JobState.Completed) ? "" : null;
        }, "the three jobs to complete");

        Assert.Equal(3, running.Count);
        Assert.True((DateTime)c.PSBeginTime >= (DateTime)a.PSEndTime, "c started before a ended");
        Assert.True((DateTime)b.PSBeginTime >= (DateTime)c.PSEndTime, "b started before the resumed c ended");
        foreach (var torrent in torrents)
            JobTestBed.AssertDownloaded(torrent, bed.Out);
    }

    [SkippableFact]
    public async Task A_download_that_cannot_write_its_files_fails_the_job_with_the_reason_and_the_session_goes_on()
    {
        RequiredTool.PythonWithLibtorrent();
        var torrent = await bed.SeedAsync("blocked.bin", 64 * 1024);
        var notAFolder = bed.Temp.Combine("file-not-folder");
        await File.WriteAllTextAsync(notAFolder, "a file where the destination folder should be");

        var job = Jobs(Shell.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -Peer $args[2]", torrent.Torrent, Path.Combine(notAFolder, "sub"), torrent.Peer).ThrowOnError()).Single();
        Shell.Invoke("$args[0] | Wait-Job -Timeout 60", (object)job).ThrowOnError();

        Assert.Equal(JobState.Failed, StateOf(job));
        var reason = (Exception)job.JobStateInfo.Reason;
        Assert.False(string.IsNullOrWhiteSpace(reason.Message));
        var received = Shell.Invoke("$args[0] | Receive-Job", (object)job);
        Assert.Equal(reason.Message, Assert.Single(received.Errors).Exception.Message);
        // The session is unharmed: the same torrent into a good folder completes.
        var retry = Shell.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -Peer $args[2] | Receive-Job -Wait", torrent.Torrent, bed.Out, torrent.Peer).ThrowOnError();
        Assert.Single(retry.OutputOf("TorrentDownloadResult"));
        JobTestBed.AssertDownloaded(torrent, bed.Out);
    }

    [SkippableFact]
    public async Task The_same_torrent_into_the_same_folder_is_refused_while_a_job_downloads_it()
    {
        RequiredTool.PythonWithLibtorrent();
        var torrent = await bed.SeedAsync("once.bin", 1024 * 1024, 128 * 1024);
        Shell.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -Peer $args[2] -Name first", torrent.Torrent, bed.Out, torrent.Peer).ThrowOnError();

        var twice = Shell.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -Peer $args[2]", torrent.Torrent, bed.Out, torrent.Peer);
        var foreground = Shell.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -Peer $args[2] -Wait", torrent.Torrent, bed.Out, torrent.Peer);
        var elsewhere = Shell.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -Peer $args[2] -Name second", torrent.Torrent, bed.Temp.Combine("other"), torrent.Peer).ThrowOnError();

        Assert.Empty(twice.Output);
        Assert.StartsWith("DownloadInProgress,", Assert.Single(twice.Errors).FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.StartsWith("DownloadInProgress,", Assert.Single(foreground.Errors).FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Single(elsewhere.Output);
        Assert.Equal(["first", "second"], Jobs(Shell.Invoke("Get-TorrentJob").ThrowOnError()).Select(j => (string)j.Name));
    }

    /// <summary>Stopped means the files are closed: no descriptor of this process points into the folder (Linux).</summary>
    private static void AssertNoOpenHandleUnder(string folder)
    {
        if (!OperatingSystem.IsLinux())
            return;
        var open = new List<string>();
        foreach (var fd in Directory.GetFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(folder, StringComparison.Ordinal))
                    open.Add(target);
            }
            catch (IOException)
            {
                // closed while we looked
            }
        }
        Assert.Empty(open);
    }
}
