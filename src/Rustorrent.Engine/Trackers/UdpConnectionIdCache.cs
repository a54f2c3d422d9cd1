using System.Collections.Concurrent;
using System.Net;

namespace Rustorrent.Trackers;

/// <summary>
/// Connection ids of UDP trackers, by tracker address. BEP 15: a client may use a connection id for one
/// minute after receiving it (the tracker accepts it for two), which saves a round trip per announce.
/// Shared by all the UDP tracker clients of an engine; thread-safe.
/// </summary>
internal sealed class UdpConnectionIdCache
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    // Beyond this many trackers, expired entries are swept when a new one is added.
    private const int SweepThreshold = 256;

    private readonly ConcurrentDictionary<IPEndPoint, Entry> entries = new();
    private readonly TimeProvider time;

    public UdpConnectionIdCache(TimeProvider? time = null) => this.time = time ?? TimeProvider.System;

    public int Count => entries.Count;

    /// <summary>A connection id for <paramref name="tracker"/> that is still valid, and when it stops being so.</summary>
    public bool TryGet(IPEndPoint tracker, out long connectionId, out DateTimeOffset expires)
    {
        if (entries.TryGetValue(tracker, out var entry) && time.GetUtcNow() < entry.Expires)
        {
            connectionId = entry.ConnectionId;
            expires = entry.Expires;
            return true;
        }
        connectionId = 0;
        expires = default;
        return false;
    }

    /// <summary>Stores an id just received; returns when it expires.</summary>
    public DateTimeOffset Set(IPEndPoint tracker, long connectionId)
    {
        var now = time.GetUtcNow();
        if (entries.Count >= SweepThreshold)
        {
            foreach (var pair in entries)
            {
                if (pair.Value.Expires <= now)
                    entries.TryRemove(pair);
            }
        }
        var entry = new Entry(connectionId, now + Lifetime);
        entries[tracker] = entry;
        return entry.Expires;
    }

    /// <summary>Forgets <paramref name="connectionId"/> (the tracker refused something sent with it), unless a
    /// newer id has replaced it meanwhile.</summary>
    public void Invalidate(IPEndPoint tracker, long connectionId)
    {
        if (entries.TryGetValue(tracker, out var entry) && entry.ConnectionId == connectionId)
            entries.TryRemove(new KeyValuePair<IPEndPoint, Entry>(tracker, entry));
    }

    public bool IsExpired(DateTimeOffset expires) => time.GetUtcNow() >= expires;

    private readonly record struct Entry(long ConnectionId, DateTimeOffset Expires);
}
