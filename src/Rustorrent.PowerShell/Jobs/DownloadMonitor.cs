using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Rustorrent.Downloads;

namespace Rustorrent.PowerShell.Jobs;

/// <summary>
/// What a running download reports, kept for whoever reads it next: the newest progress snapshot (the engine
/// reports often, readers look a few times a second) and the events not yet written to a stream. Engine
/// threads call in; nothing here blocks or throws.
/// </summary>
internal sealed class DownloadMonitor : IProgress<DownloadProgress>, IDownloadEventSink
{
    /// <summary>Events kept while nobody drains them; beyond this they are counted, not stored.</summary>
    internal const int MaxPendingEvents = 256;

    private readonly ConcurrentQueue<DownloadEvent> events = new();
    private readonly ConcurrentQueue<DownloadProgress> phaseChanges = new();
    private StrongBox<DownloadProgress>? latest;
    private int dropped;

    public DownloadProgress? Latest => Volatile.Read(ref latest)?.Value;

    /// <summary>Keeps the snapshot; the first of each new phase is also queued, so a reader that looks only a few
    /// times a second still sees a phase as short as the check of a small download.</summary>
    public void Report(DownloadProgress progress)
    {
        var previous = Interlocked.Exchange(ref latest, new StrongBox<DownloadProgress>(progress));
        if (previous is null || previous.Value.Phase != progress.Phase)
            phaseChanges.Enqueue(progress);
    }

    /// <summary>The first snapshot of each phase entered since the last call, in order.</summary>
    public bool TryTakePhaseChange(out DownloadProgress progress) => phaseChanges.TryDequeue(out progress);

    public void OnEvent(DownloadEvent downloadEvent)
    {
        if (events.Count >= MaxPendingEvents)
            Interlocked.Increment(ref dropped);
        else
            events.Enqueue(downloadEvent);
    }

    public bool TryTakeEvent(out DownloadEvent downloadEvent) => events.TryDequeue(out downloadEvent!);

    /// <summary>How many events were dropped since the last call (a peer storm must not grow memory).</summary>
    public int TakeDroppedCount() => Interlocked.Exchange(ref dropped, 0);
}
