using System.Net;
using Rustorrent.Peers;

namespace Rustorrent.Dht;

/// <summary>
/// One iterative Kademlia lookup (BEP 5): ask the closest nodes we know about <see cref="Target"/>, then the
/// closer nodes they name, at most <c>alpha</c> queries in flight, until the <see cref="RoutingTable.K"/>
/// closest nodes still alive have all answered. find_node lookups fill the routing table; get_peers lookups
/// also report peers as they arrive and end with the write tokens of the closest nodes, for announce_peer.
/// Bounded by a query count and by the caller's cancellation (the node adds its lookup timeout).
/// </summary>
internal sealed class DhtLookup
{
    /// <summary>Candidates kept; farther ones are dropped (they would never be among the K closest).</summary>
    private const int MaxCandidates = 128;

    private readonly DhtNode node;
    private readonly KrpcMethod method;
    private readonly Action<IPEndPoint, IReadOnlyList<PeerEndpoint>>? onPeers;
    private readonly List<Candidate> candidates = [];
    private readonly Queue<IPEndPoint> routers;
    private readonly HashSet<IPEndPoint> known = [];
    private readonly int parallelism;
    private readonly int maxQueries;

    public DhtLookup(DhtNode node, NodeId target, KrpcMethod method, IEnumerable<DhtContact> start, IEnumerable<IPEndPoint> routers,
        int parallelism, int maxQueries, Action<IPEndPoint, IReadOnlyList<PeerEndpoint>>? onPeers = null)
    {
        if (method is not (KrpcMethod.FindNode or KrpcMethod.GetPeers))
            throw new ArgumentException("A lookup is find_node or get_peers.", nameof(method));
        this.node = node;
        this.method = method;
        this.onPeers = onPeers;
        this.parallelism = Math.Max(1, parallelism);
        this.maxQueries = maxQueries;
        Target = target;
        foreach (var contact in start)
            TryAdd(contact);
        // Routers have no id we know: asked first, then ranked by the id they answer with.
        this.routers = new Queue<IPEndPoint>(routers.Where(known.Add));
    }

    public NodeId Target { get; }

    public int QueriesSent { get; private set; }

    /// <summary>Runs the lookup; returns the closest nodes that answered (with their tokens for get_peers), closest first.
    /// Cancellation ends it early with what it has.</summary>
    public async Task<List<(DhtContact Contact, byte[]? Token)>> RunAsync(CancellationToken cancellationToken)
    {
        var inFlight = new Dictionary<Task<KrpcMessage?>, Candidate>();
        try
        {
            while (true)
            {
                while (inFlight.Count < parallelism && QueriesSent < maxQueries && !cancellationToken.IsCancellationRequested && NextCandidate() is { } next)
                {
                    next.State = CandidateState.InFlight;
                    QueriesSent++;
                    inFlight.Add(Send(next.EndPoint, cancellationToken), next);
                }
                if (inFlight.Count == 0)
                    break;
                var done = await Task.WhenAny(inFlight.Keys).ConfigureAwait(false);
                var candidate = inFlight[done];
                inFlight.Remove(done);
                KrpcMessage? reply;
                try
                {
                    reply = await done.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    reply = null;
                }
                Absorb(candidate, reply);
            }
        }
        finally
        {
            // On cancellation the queries still out end promptly (they share the token); none is left behind.
            if (inFlight.Count > 0)
            {
                try
                {
                    await Task.WhenAll(inFlight.Keys).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        return candidates
            .Where(c => c.State == CandidateState.Responded && c.Id is not null)
            .Take(RoutingTable.K)
            .Select(c => (new DhtContact(c.Id!.Value, c.EndPoint), c.Token))
            .ToList();
    }

    private Task<KrpcMessage?> Send(IPEndPoint endPoint, CancellationToken cancellationToken) =>
        method == KrpcMethod.GetPeers
            ? node.QueryAsync(endPoint, tid => KrpcCodec.GetPeers(tid, node.Id, Target), cancellationToken)
            : node.QueryAsync(endPoint, tid => KrpcCodec.FindNode(tid, node.Id, Target), cancellationToken);

    /// <summary>The next node to ask: a router, else the closest not yet asked among the K closest not known dead.</summary>
    private Candidate? NextCandidate()
    {
        if (routers.Count > 0)
        {
            var router = new Candidate(null, routers.Dequeue());
            candidates.Add(router);
            return router;
        }
        var rank = 0;
        foreach (var candidate in candidates)
        {
            if (candidate.Id is null || candidate.State == CandidateState.Failed)
                continue;
            if (rank++ >= RoutingTable.K)
                break;
            if (candidate.State == CandidateState.NotAsked)
                return candidate;
        }
        return null;
    }

    private void Absorb(Candidate candidate, KrpcMessage? reply)
    {
        if (reply is not KrpcResponse response)
        {
            candidate.State = CandidateState.Failed;
            return;
        }
        candidate.State = CandidateState.Responded;
        candidate.Token = response.Token;
        if (candidate.Id != response.Sender)
        {
            // A router, or a node that is not what its referrer said: rank it by the id it gave itself.
            candidates.Remove(candidate);
            candidate.Id = response.Sender;
            if (response.Sender != node.Id)
                Insert(candidate);
        }
        if (method == KrpcMethod.GetPeers && response.Values.Count > 0)
            onPeers?.Invoke(candidate.EndPoint, response.Values);
        foreach (var contact in response.NodesOf(node.Family))
            TryAdd(contact);
    }

    private void TryAdd(DhtContact contact)
    {
        if (contact.Id == node.Id || contact.EndPoint.Equals(node.LocalEndPoint) || !known.Add(contact.EndPoint))
            return;
        Insert(new Candidate(contact.Id, contact.EndPoint));
        if (candidates.Count > MaxCandidates)
        {
            // Drop the farthest that nobody is waiting on.
            for (var i = candidates.Count - 1; i >= 0; i--)
            {
                if (candidates[i].State is CandidateState.NotAsked or CandidateState.Failed)
                {
                    candidates.RemoveAt(i);
                    break;
                }
            }
        }
    }

    private void Insert(Candidate candidate)
    {
        var index = candidates.FindIndex(c => c.Id is { } id && NodeId.CompareDistance(candidate.Id!.Value, id, Target) < 0);
        candidates.Insert(index < 0 ? candidates.Count : index, candidate);
    }

    private enum CandidateState
    {
        NotAsked,
        InFlight,
        Responded,
        Failed,
    }

    private sealed class Candidate(NodeId? id, IPEndPoint endPoint)
    {
        public NodeId? Id { get; set; } = id;

        public IPEndPoint EndPoint { get; } = endPoint;

        public CandidateState State { get; set; }

        public byte[]? Token { get; set; }
    }
}
