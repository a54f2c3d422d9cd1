namespace Rustorrent.PowerShell.Jobs;

/// <summary>
/// Runs at most <see cref="ThrottleLimit"/> downloads of a session at once; the others wait in the order they
/// were started (a resumed job goes first). One per session: the job source adapter of the runspace owns it.
/// </summary>
internal sealed class TorrentJobScheduler
{
    public const int DefaultThrottleLimit = 5;

    private readonly object gate = new();
    private readonly LinkedList<TorrentJob> waiting = new();
    private int running;
    private int throttleLimit = DefaultThrottleLimit;

    public int ThrottleLimit
    {
        get
        {
            lock (gate)
                return throttleLimit;
        }
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            lock (gate)
                throttleLimit = value;
            Pump();
        }
    }

    public void Enqueue(TorrentJob job, bool first)
    {
        lock (gate)
        {
            if (first)
                waiting.AddFirst(job);
            else
                waiting.AddLast(job);
        }
        Pump();
    }

    /// <summary>Takes a job out of the queue (stopped or suspended before it started).</summary>
    public bool Remove(TorrentJob job)
    {
        lock (gate)
            return waiting.Remove(job);
    }

    /// <summary>A run ended: its slot goes to the next waiting job.</summary>
    public void Release()
    {
        lock (gate)
            running = Math.Max(0, running - 1);
        Pump();
    }

    /// <summary>Starts waiting jobs while there is room. A job is started outside the lock: starting raises
    /// StateChanged, whose handlers may call back in.</summary>
    private void Pump()
    {
        while (true)
        {
            TorrentJob next;
            lock (gate)
            {
                if (running >= throttleLimit || waiting.First is not { } node)
                    return;
                next = node.Value;
                waiting.RemoveFirst();
                running++;
            }
            if (!next.TryBeginRun())
            {
                lock (gate)
                    running--;
            }
        }
    }
}
