using System.ComponentModel;
using System.Management.Automation;
using Rustorrent.PowerShell.Tests.Infrastructure;

namespace Rustorrent.PowerShell.Tests.Jobs;

/// <summary>
/// The Job2 contract of a torrent job, called the way the job cmdlets call it: every *Async member raises its
/// completed event, also when the operation cannot be done (Stop-Job and Remove-Job wait for that event and
/// would hang otherwise). The torrent has no peer, so its job runs until stopped.
/// </summary>
public sealed class TorrentJobLifecycleTests : IAsyncLifetime
{
    private static readonly TimeSpan EventPatience = TimeSpan.FromSeconds(30);
    private readonly JobTestBed bed = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => bed.DisposeAsync().AsTask();

    [Fact]
    public void Every_async_member_raises_its_completed_event_with_the_error_when_it_cannot_act()
    {
        var torrent = TestTorrent.Write(bed.Temp.Combine("idle.torrent"), "idle.bin", [(["idle.bin"], 100_000)], singleFile: true);
        var job = (Job2)bed.Shell.Invoke("Start-TorrentDownload -LiteralPath $args[0] -Destination $args[1] -StallTimeout 600", torrent.Path, bed.Out)
            .ThrowOnError().Output.Single().BaseObject;
        JobTestBed.Until(() => job.JobStateInfo.State == JobState.Running, "the job to run");

        Assert.Null(Completion(h => job.SuspendJobCompleted += h, job.SuspendJobAsync));
        Assert.Equal(JobState.Suspended, job.JobStateInfo.State);
        Assert.Null(Completion(h => job.ResumeJobCompleted += h, job.ResumeJobAsync));
        Assert.Equal(JobState.Running, job.JobStateInfo.State);
        Assert.Null(Completion(h => job.UnblockJobCompleted += h, job.UnblockJobAsync));
        Assert.IsType<InvalidOperationException>(Completion(h => job.StartJobCompleted += h, job.StartJobAsync));
        Assert.Null(Completion(h => job.SuspendJobCompleted += h, () => job.SuspendJobAsync(true, "test")));
        Assert.Null(Completion(h => job.StopJobCompleted += h, () => job.StopJobAsync(true, "test")));
        Assert.Equal(JobState.Stopped, job.JobStateInfo.State);

        // A finished job: stopping again is done at once; suspending or resuming it is an error.
        Assert.Null(Completion(h => job.StopJobCompleted += h, job.StopJobAsync));
        Assert.IsType<InvalidOperationException>(Completion(h => job.SuspendJobCompleted += h, job.SuspendJobAsync));
        Assert.IsType<InvalidOperationException>(Completion(h => job.ResumeJobCompleted += h, job.ResumeJobAsync));
        Assert.Equal(JobState.Stopped, job.JobStateInfo.State);
        Assert.True(job.Finished.WaitOne(0));
    }

    [Fact]
    public void A_job_stopped_before_its_turn_never_runs_and_Stop_Job_returns_at_once()
    {
        var first = TestTorrent.Write(bed.Temp.Combine("first.torrent"), "first.bin", [(["first.bin"], 50_000)], singleFile: true);
        var second = TestTorrent.Write(bed.Temp.Combine("second.torrent"), "second.bin", [(["second.bin"], 50_000)], singleFile: true);
        var jobs = bed.Shell.Invoke("$args[0] | Start-TorrentDownload -Destination $args[1] -StallTimeout 600 -ThrottleLimit 1", new[] { first.Path, second.Path }, bed.Out)
            .ThrowOnError().Output.Select(o => (Job2)o.BaseObject).ToList();
        Assert.Equal(JobState.NotStarted, jobs[1].JobStateInfo.State);

        bed.Shell.Invoke("Stop-Job -Id $args[0]", jobs[1].Id).ThrowOnError();

        Assert.Equal(JobState.Stopped, jobs[1].JobStateInfo.State);
        Assert.Null(jobs[1].PSBeginTime);
        Assert.False(File.Exists(Path.Combine(bed.Out, "second.bin")));
        Assert.Equal(JobState.Running, jobs[0].JobStateInfo.State);
        var received = bed.Shell.Invoke("Receive-Job -Id $args[0]", jobs[1].Id).ThrowOnError();
        Assert.Empty(received.Output);
        Assert.Empty(received.Progress);
    }

    /// <summary>Starts an operation and returns the Error of the completed event it raises.</summary>
    private static Exception? Completion(Action<EventHandler<AsyncCompletedEventArgs>> subscribe, Action start)
    {
        var raised = new TaskCompletionSource<AsyncCompletedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscribe((_, e) => raised.TrySetResult(e));
        start();
        Assert.True(raised.Task.Wait(EventPatience), "the completed event was not raised");
        return raised.Task.Result.Error;
    }

    [Fact]
    public void A_bad_SeedTime_starts_no_job_and_a_magnet_nobody_has_fails_its_job_with_the_reason()
    {
        var seedTime = bed.Shell.Invoke("Start-TorrentDownload 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567' -SeedTime 0:00:00.5");
        Assert.StartsWith("InvalidSeedTime,", Assert.Single(seedTime.Errors).FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Empty(bed.Shell.Invoke("Get-Job").ThrowOnError().Output);

        var magnet = bed.Shell.Invoke("Start-TorrentDownload 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567' -Destination $args[0] -StallTimeout 2 | Wait-Job -Timeout 60", bed.Out).ThrowOnError();
        var job = Assert.Single(magnet.Output);
        var reason = bed.Shell.Invoke("$args[0].State.ToString(); $args[0].JobStateInfo.Reason.Message", job).ThrowOnError().Output;
        Assert.Equal("Failed", reason[0].ToString());
        Assert.Contains("Cannot get the metadata of", reason[1].ToString(), StringComparison.Ordinal);
    }
}
