using System.Net;

namespace Rustorrent.Dht;

/// <summary>
/// Kademlia's routing table (BEP 5): buckets of at most <see cref="K"/> nodes by how many leading bits their
/// id shares with ours. Bucket i holds the nodes whose id first differs from ours at bit i; the last bucket
/// holds everything closer and is the only one that splits, so the table knows many nodes near us and a few
/// far away. A full bucket keeps newcomers in a replacement cache and swaps one in when a node stops
/// answering. Not thread-safe: its <see cref="DhtNode"/> owns it and calls it under its lock.
/// </summary>
internal sealed class RoutingTable
{
    /// <summary>Nodes per bucket (BEP 5).</summary>
    public const int K = 8;

    /// <summary>Unanswered queries in a row after which a node is dead and gives way to a replacement.</summary>
    public const int MaxFailures = 2;

    /// <summary>BEP 5: a node is good if it answered within the last 15 minutes.</summary>
    public static readonly TimeSpan GoodWindow = TimeSpan.FromMinutes(15);

    private readonly List<Bucket> buckets = [];
    private readonly TimeProvider time;

    public RoutingTable(NodeId self, TimeProvider? timeProvider = null)
    {
        Self = self;
        time = timeProvider ?? TimeProvider.System;
        buckets.Add(new Bucket(time.GetUtcNow()));
    }

    public NodeId Self { get; }

    /// <summary>Nodes in the buckets (not counting replacement caches).</summary>
    public int Count => buckets.Sum(b => b.Nodes.Count);

    public int BucketCount => buckets.Count;

    /// <summary>The nodes of bucket <paramref name="index"/>, for tests and maintenance.</summary>
    public IReadOnlyList<RoutingEntry> NodesIn(int index) => buckets[index].Nodes;

    public IReadOnlyList<RoutingEntry> ReplacementsIn(int index) => buckets[index].Replacements;

    public IEnumerable<RoutingEntry> Entries => buckets.SelectMany(b => b.Nodes);

    /// <summary>
    /// Tells the table we heard from a node: <paramref name="responded"/> true when it answered one of our
    /// queries (verified), false when it queried us or we loaded it from disk. An unverified node only fills
    /// free room; only a verified one displaces a failing node.
    /// </summary>
    public RoutingUpdate Heard(NodeId id, IPEndPoint endPoint, bool responded)
    {
        if (id == Self || endPoint.Port == 0 || !DhtContact.IsUsableAddress(endPoint.Address))
            return RoutingUpdate.Rejected;
        var now = time.GetUtcNow();

        var index = IndexOf(id);
        var bucket = buckets[index];
        var existing = bucket.Nodes.Find(e => e.Id == id);
        if (existing is not null)
        {
            // An id that moves to another address is a spoof or a collision; the first address stays.
            if (!existing.EndPoint.Equals(endPoint))
                return RoutingUpdate.Rejected;
            existing.LastSeen = now;
            if (responded)
            {
                existing.LastResponse = now;
                existing.FailCount = 0;
            }
            return RoutingUpdate.Refreshed;
        }

        // A known address with a new id: a node that restarted with a new id, if it proves it by answering.
        var sameAddress = FindByEndPoint(endPoint);
        if (sameAddress is not null)
        {
            if (!responded)
                return RoutingUpdate.Rejected;
            Remove(sameAddress);
            index = IndexOf(id);
            bucket = buckets[index];
        }

        var entry = new RoutingEntry(id, endPoint, now) { LastResponse = responded ? now : null };
        while (bucket.Nodes.Count >= K && index == buckets.Count - 1 && buckets.Count < NodeId.Bits)
        {
            Split();
            index = IndexOf(id);
            bucket = buckets[index];
        }
        if (bucket.Nodes.Count < K)
        {
            bucket.Nodes.Add(entry);
            bucket.Replacements.RemoveAll(e => e.Id == id);
            bucket.LastChanged = now;
            return RoutingUpdate.Added;
        }

        if (responded)
        {
            // The node that failed most, then the one heard from least recently.
            var worst = bucket.Nodes.Where(e => e.FailCount > 0).OrderByDescending(e => e.FailCount).ThenBy(e => e.LastSeen).FirstOrDefault();
            if (worst is not null)
            {
                bucket.Nodes[bucket.Nodes.IndexOf(worst)] = entry;
                bucket.LastChanged = now;
                return RoutingUpdate.Replaced;
            }
        }

        bucket.Replacements.RemoveAll(e => e.Id == id || e.EndPoint.Equals(endPoint));
        if (bucket.Replacements.Count >= K)
            bucket.Replacements.RemoveAt(0);
        bucket.Replacements.Add(entry);
        return RoutingUpdate.Cached;
    }

    /// <summary>A query to <paramref name="endPoint"/> went unanswered. After <see cref="MaxFailures"/> in a row the
    /// node gives way to the freshest node of its bucket's replacement cache, if there is one.</summary>
    public void Failed(IPEndPoint endPoint)
    {
        var entry = FindByEndPoint(endPoint);
        if (entry is null)
            return;
        entry.FailCount++;
        if (entry.FailCount < MaxFailures)
            return;
        var bucket = buckets[IndexOf(entry.Id)];
        if (bucket.Replacements.Count == 0)
            return;
        // Prefer a replacement that has answered us; among those, the most recent.
        var replacement = bucket.Replacements.LastOrDefault(e => e.LastResponse is not null) ?? bucket.Replacements[^1];
        bucket.Replacements.Remove(replacement);
        bucket.Nodes[bucket.Nodes.IndexOf(entry)] = replacement;
        bucket.LastChanged = time.GetUtcNow();
    }

    /// <summary>Up to <paramref name="count"/> nodes closest to <paramref name="target"/>, dead ones left out.</summary>
    public List<DhtContact> Closest(NodeId target, int count)
    {
        var list = Entries.Where(e => e.FailCount < MaxFailures).Select(e => e.Contact).ToList();
        list.Sort((a, b) => NodeId.CompareDistance(a.Id, b.Id, target));
        if (list.Count > count)
            list.RemoveRange(count, list.Count - count);
        return list;
    }

    /// <summary>Nodes not heard from within <paramref name="age"/>: to ping, so that the dead are found out (BEP 5).</summary>
    public List<DhtContact> Stale(TimeSpan age, int max)
    {
        var now = time.GetUtcNow();
        return Entries.Where(e => now - e.LastSeen > age).OrderBy(e => e.LastSeen).Take(max).Select(e => e.Contact).ToList();
    }

    /// <summary>Indexes of buckets unchanged for <paramref name="age"/>: to refresh with a lookup of a random id in them.</summary>
    public List<int> StaleBuckets(TimeSpan age)
    {
        var now = time.GetUtcNow();
        var result = new List<int>();
        for (var i = 0; i < buckets.Count; i++)
        {
            if (now - buckets[i].LastChanged > age)
                result.Add(i);
        }
        return result;
    }

    /// <summary>Marks bucket <paramref name="index"/> as refreshed (a lookup in its range just ran).</summary>
    public void Touch(int index) => buckets[index].LastChanged = time.GetUtcNow();

    /// <summary>Which bucket <paramref name="id"/> belongs in.</summary>
    public int IndexOf(NodeId id) => Math.Min(NodeId.CommonPrefixLength(Self, id), buckets.Count - 1);

    private RoutingEntry? FindByEndPoint(IPEndPoint endPoint)
    {
        foreach (var bucket in buckets)
        {
            var found = bucket.Nodes.Find(e => e.EndPoint.Equals(endPoint));
            if (found is not null)
                return found;
        }
        return null;
    }

    private void Remove(RoutingEntry entry)
    {
        foreach (var bucket in buckets)
        {
            if (bucket.Nodes.Remove(entry))
                return;
        }
    }

    /// <summary>Splits the last bucket: the nodes that share one more bit with us move to a new last bucket.</summary>
    private void Split()
    {
        var last = buckets[^1];
        var next = new Bucket(time.GetUtcNow());
        var newIndex = buckets.Count;
        buckets.Add(next);
        Move(last.Nodes, next.Nodes, newIndex);
        Move(last.Replacements, next.Replacements, newIndex);
        // Free room in the old bucket is filled from its replacement cache.
        while (last.Nodes.Count < K && last.Replacements.Count > 0)
        {
            last.Nodes.Add(last.Replacements[^1]);
            last.Replacements.RemoveAt(last.Replacements.Count - 1);
        }
        while (next.Nodes.Count < K && next.Replacements.Count > 0)
        {
            next.Nodes.Add(next.Replacements[^1]);
            next.Replacements.RemoveAt(next.Replacements.Count - 1);
        }
    }

    private void Move(List<RoutingEntry> from, List<RoutingEntry> to, int newIndex)
    {
        for (var i = from.Count - 1; i >= 0; i--)
        {
            if (NodeId.CommonPrefixLength(Self, from[i].Id) >= newIndex)
            {
                to.Insert(0, from[i]);
                from.RemoveAt(i);
            }
        }
    }

    private sealed class Bucket(DateTimeOffset now)
    {
        public List<RoutingEntry> Nodes { get; } = new(K);

        public List<RoutingEntry> Replacements { get; } = [];

        public DateTimeOffset LastChanged { get; set; } = now;
    }
}
