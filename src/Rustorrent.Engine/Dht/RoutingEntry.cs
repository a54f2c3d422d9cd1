using System.Net;

namespace Rustorrent.Dht;

/// <summary>A node in the routing table with what we know of its liveness. Owned by its <see cref="RoutingTable"/>.</summary>
internal sealed class RoutingEntry(NodeId id, IPEndPoint endPoint, DateTimeOffset now)
{
    public NodeId Id { get; } = id;

    public IPEndPoint EndPoint { get; } = endPoint;

    /// <summary>When we last heard from it at all (a query or a response).</summary>
    public DateTimeOffset LastSeen { get; set; } = now;

    /// <summary>When it last answered one of our queries; null if it never has (heard of, not verified).</summary>
    public DateTimeOffset? LastResponse { get; set; }

    /// <summary>Our queries to it in a row that got no answer.</summary>
    public int FailCount { get; set; }

    public DhtContact Contact => new(Id, EndPoint);

    /// <summary>Good in BEP 5's sense: it answered us within <paramref name="window"/> and has not failed since.</summary>
    public bool IsGood(DateTimeOffset now, TimeSpan window) =>
        FailCount == 0 && LastResponse is { } response && now - response <= window;

    public override string ToString() => $"{Contact} fails={FailCount}";
}
