namespace Rustorrent.Dht;

/// <summary>What <see cref="RoutingTable.Heard"/> did with a node.</summary>
internal enum RoutingUpdate
{
    /// <summary>Refused: our own id, an id seen at another address, or an unusable address.</summary>
    Rejected,

    /// <summary>Already in the table: its liveness was refreshed.</summary>
    Refreshed,

    /// <summary>Added to a bucket with room (after splitting ours if needed).</summary>
    Added,

    /// <summary>Took the place of a node that had stopped answering.</summary>
    Replaced,

    /// <summary>Its bucket is full of live nodes: kept in the bucket's replacement cache.</summary>
    Cached,
}
