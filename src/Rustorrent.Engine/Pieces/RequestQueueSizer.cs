namespace Rustorrent.Pieces;

/// <summary>
/// How many block requests to keep outstanding with one peer. A fixed small queue starves fast peers: with
/// 16 KiB blocks and a 100 ms round trip, 5 requests cap a peer at 800 KiB/s. So the depth follows the
/// bandwidth-delay product, libtorrent's rule: enough requests to cover <see cref="QueueTime"/> (3 s) at the
/// peer's current rate, clamped to [<see cref="MinDepth"/>, <see cref="MaxDepth"/>]. Until the rate stops
/// growing (under 10 % a second) a slow start adds one request per block received, so a new fast peer is
/// not held back by its not-yet-measured rate. A snubbed peer (the session saw no data for too long) gets
/// one request; the peer's own limit, BEP 10's "reqq", caps it all. Not thread-safe.
/// </summary>
internal sealed class RequestQueueSizer
{
    public const int MinDepth = 2;
    public const int MaxDepth = 500;
    public const int InitialDepth = 4;

    /// <summary>The remote limit assumed until the peer sends "reqq": libtorrent's default (BEP 10).</summary>
    public const int DefaultRemoteLimit = 250;

    public static readonly TimeSpan QueueTime = TimeSpan.FromSeconds(3);

    private readonly TimeProvider time;
    private long lastCheck;
    private double lastRate;
    private int slowStartDepth = InitialDepth;

    public RequestQueueSizer(TimeProvider time)
    {
        this.time = time;
        Rate = new RateMeter(time);
        lastCheck = time.GetTimestamp();
    }

    /// <summary>The peer's payload download rate as we measure it.</summary>
    public RateMeter Rate { get; }

    public bool InSlowStart { get; private set; } = true;

    public bool IsSnubbed { get; private set; }

    /// <summary>The most requests the peer says it queues without dropping (BEP 10 "reqq").</summary>
    public int RemoteLimit { get; private set; } = DefaultRemoteLimit;

    /// <summary>The queue depth wanted now.</summary>
    public int DesiredDepth
    {
        get
        {
            if (IsSnubbed)
                return 1;
            var depth = BandwidthDelayDepth(Rate.BytesPerSecond);
            if (InSlowStart)
                depth = Math.Max(depth, slowStartDepth);
            return Math.Min(depth, RemoteLimit);
        }
    }

    /// <summary>clamp(rate x 3 s / 16 KiB, 2, 500).</summary>
    public static int BandwidthDelayDepth(double bytesPerSecond)
    {
        var blocks = bytesPerSecond * QueueTime.TotalSeconds / PieceLayout.BlockSize;
        return (int)Math.Clamp(Math.Ceiling(blocks), MinDepth, MaxDepth);
    }

    /// <summary>How many more requests to send given how many are outstanding.</summary>
    public int RequestsToSend(int outstanding) => Math.Max(0, DesiredDepth - outstanding);

    /// <summary>The peer's "reqq" from its extension handshake; values below one are ignored as bogus.</summary>
    public void SetRemoteLimit(long reqq)
    {
        if (reqq >= 1)
            RemoteLimit = (int)Math.Min(reqq, MaxDepth);
    }

    public void BlockReceived(int bytes)
    {
        Rate.Add(bytes);
        IsSnubbed = false;
        if (!InSlowStart)
            return;
        slowStartDepth = Math.Min(slowStartDepth + 1, MaxDepth);
        var now = time.GetTimestamp();
        if (time.GetElapsedTime(lastCheck, now) < TimeSpan.FromSeconds(1))
            return;
        // Once a second: a rate that grew less than 10 % means the pipe is full; from here the
        // bandwidth-delay product alone decides.
        var rate = Rate.BytesPerSecond;
        if (rate < lastRate * 1.1 || slowStartDepth >= MaxDepth)
            InSlowStart = false;
        lastRate = rate;
        lastCheck = now;
    }

    /// <summary>The session saw no data from this peer for too long: keep one request out until it delivers.</summary>
    public void MarkSnubbed()
    {
        IsSnubbed = true;
        InSlowStart = false;
    }
}
