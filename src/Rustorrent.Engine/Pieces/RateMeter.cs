namespace Rustorrent.Pieces;

/// <summary>
/// Bytes per second over a sliding window of one-second buckets (5 s by default): recent enough to follow a
/// peer that speeds up or stalls, long enough not to swing with every block. Reads the clock through
/// <see cref="TimeProvider"/> so tests can drive it. Not thread-safe.
/// </summary>
internal sealed class RateMeter
{
    private readonly TimeProvider time;
    private readonly long bucketTicks;
    private readonly long[] buckets;
    private readonly long origin;
    private long current;
    private long windowTotal;

    public RateMeter(TimeProvider time, int windowSeconds = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSeconds, 1);
        this.time = time;
        bucketTicks = time.TimestampFrequency;
        buckets = new long[windowSeconds];
        origin = time.GetTimestamp();
    }

    /// <summary>All bytes ever counted.</summary>
    public long Total { get; private set; }

    /// <summary>
    /// Bytes counted within the window divided by the time the window covers (at least one second, so a
    /// single early block does not read as a huge rate).
    /// </summary>
    public double BytesPerSecond
    {
        get
        {
            var now = time.GetTimestamp();
            Advance(now);
            var covered = Math.Min(now - origin, (buckets.Length - 1) * bucketTicks + (now - origin - current * bucketTicks));
            var seconds = Math.Max(1.0, (double)covered / bucketTicks);
            return windowTotal / seconds;
        }
    }

    public void Add(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Advance(time.GetTimestamp());
        buckets[current % buckets.Length] += bytes;
        windowTotal += bytes;
        Total += bytes;
    }

    // Moves the current bucket up to `now`, emptying the buckets that slid out of the window.
    private void Advance(long now)
    {
        var bucket = Math.Max(0, (now - origin) / bucketTicks);
        if (bucket <= current)
            return;
        var steps = Math.Min(bucket - current, buckets.Length);
        for (var i = 1; i <= steps; i++)
        {
            ref var slot = ref buckets[(current + i) % buckets.Length];
            windowTotal -= slot;
            slot = 0;
        }
        current = bucket;
    }
}
