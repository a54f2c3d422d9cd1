namespace Rustorrent.Peers.Extensions;

/// <summary>
/// What we have told one peer through ut_pex, and when (BEP 11): each message carries the difference between
/// the peers we are connected to now and what the last message left the peer knowing, at most
/// <see cref="PexMessage.MaxPeersPerList"/> added and dropped; what does not fit waits for the next one.
/// Messages go out no more often than <see cref="Interval"/>. Owned by the connection's session.
/// </summary>
internal sealed class PexOutbox
{
    /// <summary>BEP 11: a peer "should not send PEX messages more often than once a minute".</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly TimeProvider time;
    private readonly Dictionary<PeerEndpoint, PexFlags> told = [];
    private long lastSent;
    private bool sentAny;

    public PexOutbox(TimeProvider? time = null) => this.time = time ?? TimeProvider.System;

    /// <summary>Peers the recipient has been told of and not told dropped.</summary>
    public int KnownCount => told.Count;

    /// <summary>True when a message may go now (the first one at once, then one per <see cref="Interval"/>).</summary>
    public bool IsDue => !sentAny || time.GetElapsedTime(lastSent) >= Interval;

    /// <summary>
    /// The next message for <paramref name="recipient"/> given the peers we are connected to now (those worth
    /// passing on: their listen ports known); null when it is not due yet or nothing changed. The recipient
    /// itself is never listed. What the message says is taken as known from here on.
    /// </summary>
    public PexMessage? TryBuild(IEnumerable<PexPeer> connected, PeerEndpoint recipient)
    {
        ArgumentNullException.ThrowIfNull(connected);
        if (!IsDue)
            return null;
        var now = new Dictionary<PeerEndpoint, PexFlags>();
        foreach (var peer in connected)
        {
            if (peer.EndPoint != recipient && peer.EndPoint.Port != 0)
                now.TryAdd(peer.EndPoint, peer.Flags);
        }
        var added = new List<PexPeer>();
        foreach (var (endpoint, flags) in now)
        {
            if (added.Count == PexMessage.MaxPeersPerList)
                break;
            if (!told.ContainsKey(endpoint))
                added.Add(new PexPeer(endpoint, flags));
        }
        var dropped = new List<PeerEndpoint>();
        foreach (var endpoint in told.Keys)
        {
            if (dropped.Count == PexMessage.MaxPeersPerList)
                break;
            if (!now.ContainsKey(endpoint))
                dropped.Add(endpoint);
        }
        if (added.Count == 0 && dropped.Count == 0)
            return null;
        foreach (var peer in added)
            told[peer.EndPoint] = peer.Flags;
        foreach (var endpoint in dropped)
            told.Remove(endpoint);
        lastSent = time.GetTimestamp();
        sentAny = true;
        return new PexMessage(added.AsReadOnly(), dropped.AsReadOnly());
    }
}
