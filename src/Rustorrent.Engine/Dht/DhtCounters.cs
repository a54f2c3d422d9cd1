namespace Rustorrent.Dht;

/// <summary>What a <see cref="DhtNode"/> has done and refused, for status and tests. Thread-safe.</summary>
internal sealed class DhtCounters
{
    private long queriesReceived;
    private long queriesAnswered;
    private long malformedPackets;
    private long oversizedPackets;
    private long rateLimited;
    private long garbageEntries;
    private long unexpectedResponses;
    private long queriesSent;
    private long timeouts;
    private long peersStored;
    private long badTokens;

    /// <summary>Well-formed queries that reached us (rate-limited ones included).</summary>
    public long QueriesReceived => Volatile.Read(ref queriesReceived);

    /// <summary>Queries we replied to (responses and error replies).</summary>
    public long QueriesAnswered => Volatile.Read(ref queriesAnswered);

    /// <summary>Datagrams that are not valid KRPC (not bencoded, wrong types, missing keys): dropped.</summary>
    public long MalformedPackets => Volatile.Read(ref malformedPackets);

    /// <summary>Datagrams longer than any KRPC message we accept: dropped unread.</summary>
    public long OversizedPackets => Volatile.Read(ref oversizedPackets);

    /// <summary>Queries dropped because their source sent too many.</summary>
    public long RateLimited => Volatile.Read(ref rateLimited);

    /// <summary>Node and peer entries in responses that could not be used (wrong length, port 0...).</summary>
    public long GarbageEntries => Volatile.Read(ref garbageEntries);

    /// <summary>Responses to no query of ours, or from another address than the one we asked.</summary>
    public long UnexpectedResponses => Volatile.Read(ref unexpectedResponses);

    public long QueriesSent => Volatile.Read(ref queriesSent);

    /// <summary>Our queries that got no answer in time.</summary>
    public long Timeouts => Volatile.Read(ref timeouts);

    /// <summary>Peers other nodes announced to us.</summary>
    public long PeersStored => Volatile.Read(ref peersStored);

    /// <summary>announce_peer queries refused for a wrong or expired token.</summary>
    public long BadTokens => Volatile.Read(ref badTokens);

    internal void QueryReceived() => Interlocked.Increment(ref queriesReceived);

    internal void QueryAnswered() => Interlocked.Increment(ref queriesAnswered);

    internal void Malformed() => Interlocked.Increment(ref malformedPackets);

    internal void Oversized() => Interlocked.Increment(ref oversizedPackets);

    internal void Limited() => Interlocked.Increment(ref rateLimited);

    internal void Garbage(int count) => Interlocked.Add(ref garbageEntries, count);

    internal void Unexpected() => Interlocked.Increment(ref unexpectedResponses);

    internal void Sent() => Interlocked.Increment(ref queriesSent);

    internal void TimedOut() => Interlocked.Increment(ref timeouts);

    internal void PeerStored() => Interlocked.Increment(ref peersStored);

    internal void BadToken() => Interlocked.Increment(ref badTokens);

    public override string ToString() =>
        $"received {QueriesReceived}, answered {QueriesAnswered}, malformed {MalformedPackets}, oversized {OversizedPackets}, " +
        $"rate-limited {RateLimited}, garbage {GarbageEntries}, unexpected {UnexpectedResponses}, sent {QueriesSent}, " +
        $"timeouts {Timeouts}, stored {PeersStored}, bad tokens {BadTokens}";
}
