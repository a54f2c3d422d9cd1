namespace Rustorrent.Downloads;

/// <summary>
/// A token bucket in bytes per second shared by the loops of one download. Takers may run into debt: each
/// waits until its share is paid back, so any number of concurrent takers together keep to the rate.
/// </summary>
internal sealed class ByteRateLimiter
{
    private readonly object gate = new();
    private readonly TimeProvider time;
    private readonly double burst;
    private double tokens;
    private long lastRefill;

    /// <param name="bytesPerSecond">The rate; 0 or less means no limit.</param>
    public ByteRateLimiter(long bytesPerSecond, TimeProvider? time = null)
    {
        BytesPerSecond = bytesPerSecond;
        this.time = time ?? TimeProvider.System;
        // A quarter second of burst, at least a few blocks, so a slow limit still moves whole blocks.
        burst = Math.Max(bytesPerSecond / 4.0, 64 * 1024);
        tokens = burst;
        lastRefill = this.time.GetTimestamp();
    }

    public long BytesPerSecond { get; }

    public bool IsLimited => BytesPerSecond > 0;

    /// <summary>Takes <paramref name="bytes"/>, waiting as long as the rate calls for.</summary>
    public ValueTask TakeAsync(int bytes, CancellationToken cancellationToken)
    {
        if (!IsLimited)
            return ValueTask.CompletedTask;
        TimeSpan wait;
        lock (gate)
        {
            var now = time.GetTimestamp();
            tokens = Math.Min(burst, tokens + time.GetElapsedTime(lastRefill, now).TotalSeconds * BytesPerSecond);
            lastRefill = now;
            tokens -= bytes;
            if (tokens >= 0)
                return ValueTask.CompletedTask;
            wait = TimeSpan.FromSeconds(-tokens / BytesPerSecond);
        }
        return new ValueTask(Task.Delay(wait, time, cancellationToken));
    }
}
