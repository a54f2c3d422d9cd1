using System.Net;

namespace Rustorrent.Dht;

/// <summary>
/// Per source address token buckets for incoming queries: a flood from one address is dropped, not answered
/// (libtorrent: 5 packets/s per node, then a ban). The map of sources is bounded; when it is full of busy
/// sources, queries from new ones are dropped too rather than growing it. Thread-safe.
/// </summary>
internal sealed class DhtRateLimiter(double perSecond, int burst, TimeProvider? timeProvider = null, int maxSources = 4096)
{
    private readonly object gate = new();
    private readonly TimeProvider time = timeProvider ?? TimeProvider.System;
    private readonly Dictionary<IPAddress, (double Tokens, DateTimeOffset At)> sources = [];

    /// <summary>Takes one token for <paramref name="source"/>; false when it has none left. IPv6 sources count per
    /// /64, the block one subscriber gets: otherwise one host could take a fresh address per query.</summary>
    public bool TryAcquire(IPAddress source)
    {
        source = SourceKey(source);
        var now = time.GetUtcNow();
        lock (gate)
        {
            if (sources.TryGetValue(source, out var state))
            {
                var tokens = Math.Min(burst, state.Tokens + (now - state.At).TotalSeconds * perSecond);
                if (tokens < 1)
                {
                    sources[source] = (tokens, now);
                    return false;
                }
                sources[source] = (tokens - 1, now);
                return true;
            }
            if (sources.Count >= maxSources)
            {
                Prune(now);
                if (sources.Count >= maxSources)
                    return false;
            }
            sources[source] = (burst - 1, now);
            return true;
        }
    }

    private static IPAddress SourceKey(IPAddress address)
    {
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6 || address.IsIPv4MappedToIPv6)
            return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }

    /// <summary>Forgets sources whose bucket has refilled: they are where a new one would start anyway.</summary>
    private void Prune(DateTimeOffset now)
    {
        foreach (var (address, state) in sources.ToList())
        {
            if (state.Tokens + (now - state.At).TotalSeconds * perSecond >= burst)
                sources.Remove(address);
        }
    }
}
