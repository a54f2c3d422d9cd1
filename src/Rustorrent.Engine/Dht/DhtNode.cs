using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Rustorrent.Metainfo;
using Rustorrent.Peers;

namespace Rustorrent.Dht;

/// <summary>
/// Our node in the BitTorrent DHT (BEP 5) on one UDP socket, IPv4 or IPv6 (BEP 32: the IPv6 DHT is a DHT of its
/// own, with its own routing table; run one node per family): answers other nodes' queries (ping, find_node,
/// get_peers, announce_peer), keeps a routing table of live nodes, and runs iterative lookups to find the peers
/// of a torrent and to announce that we have it. Hostile datagrams are dropped and counted, floods from one
/// address are rate-limited, and no reply is much larger than the query that asked for it.
/// </summary>
internal sealed class DhtNode : IAsyncDisposable
{
    /// <summary>Largest datagram read as KRPC. Real messages fit an Ethernet frame; libtorrent reads at most 1500 bytes too.</summary>
    public const int MaxPacketSize = 1500;

    /// <summary>A reply is at most this many times the size of the query it answers (no amplification).</summary>
    public const int MaxAmplification = 8;

    private static readonly TimeSpan SaveInterval = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan RouterResolveTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket socket;
    private readonly DhtNodeOptions options;
    private readonly TimeProvider time;
    private readonly object tableGate = new();
    private readonly RoutingTable table;
    private readonly DhtTokens tokens;
    private readonly DhtPeerStore store;
    private readonly DhtRateLimiter limiter;
    private readonly ConcurrentDictionary<ushort, PendingQuery> pending = new();
    private readonly CancellationTokenSource lifetime = new();
    private readonly Task<IReadOnlyList<IPEndPoint>> routers;
    private readonly Task receiveLoop;
    private readonly Task maintenanceLoop;
    private readonly SemaphoreSlim saveGate = new(1, 1);
    private int nextTransaction = Random.Shared.Next();
    private int disposed;

    private DhtNode(Socket socket, DhtNodeOptions options, NodeId id, IReadOnlyList<DhtContact> saved)
    {
        this.socket = socket;
        this.options = options;
        time = options.TimeProvider;
        Id = id;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        Family = LocalEndPoint.AddressFamily;
        table = new RoutingTable(id, time);
        tokens = new DhtTokens(time);
        store = new DhtPeerStore(time);
        limiter = new DhtRateLimiter(options.QueriesPerSecondPerSource, options.QueryBurstPerSource, time);
        foreach (var contact in saved)
            table.Heard(contact.Id, contact.EndPoint, responded: false);
        routers = ResolveRoutersAsync(lifetime.Token);
        receiveLoop = Task.Run(() => ReceiveLoopAsync(lifetime.Token));
        Bootstrap = Task.Run(() => BootstrapAsync(lifetime.Token));
        maintenanceLoop = Task.Run(() => MaintainAsync(lifetime.Token));
    }

    public NodeId Id { get; }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The address family of the socket, hence of every node in the table and of "nodes"/"nodes6" we use.</summary>
    public AddressFamily Family { get; }

    public DhtCounters Counters { get; } = new();

    /// <summary>The first find_node lookup of our own id, through the routers and the saved table. Never faults.</summary>
    public Task Bootstrap { get; }

    /// <summary>Nodes in the routing table.</summary>
    public int NodeCount
    {
        get
        {
            lock (tableGate)
                return table.Count;
        }
    }

    public static Task<DhtNode> StartAsync(DhtNodeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        var family = options.BindEndPoint.AddressFamily;
        if (family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            throw new ArgumentException("The DHT listens on an IPv4 or IPv6 address.", nameof(options));
        var saved = options.StateFile is null ? null : DhtStateFile.TryLoad(options.StateFile, family);
        var socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (family == AddressFamily.InterNetworkV6)
            {
                // IPv6 only: IPv4 nodes belong to the IPv4 node's table (BEP 32 keeps the two DHTs apart).
                socket.DualMode = false;
            }
            if (OperatingSystem.IsWindows())
            {
                // SIO_UDP_CONNRESET off: an ICMP "port unreachable" would otherwise fail the next receive.
                socket.IOControl(unchecked((int)0x9800000C), [0, 0, 0, 0], null);
            }
            socket.Bind(options.BindEndPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var id = saved?.Id ?? options.NodeId ?? NodeId.Random();
        return Task.FromResult(new DhtNode(socket, options, id, saved?.Nodes ?? []));
    }

    /// <summary>
    /// Finds peers of <paramref name="infoHash"/> with an iterative get_peers lookup, yielding each peer once as
    /// nodes report it. Ends when the lookup converges, after <see cref="DhtNodeOptions.LookupTimeout"/> or
    /// <see cref="DhtNodeOptions.MaxLookupQueries"/>, or on cancellation.
    /// </summary>
    public async IAsyncEnumerable<PeerEndpoint> GetPeersAsync(InfoHash infoHash, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var batch in FindPeersAsync(infoHash, announcePort: null, cancellationToken).ConfigureAwait(false))
        {
            foreach (var peer in batch.Peers)
                yield return peer;
        }
    }

    /// <summary>
    /// Tells the DHT that we have <paramref name="infoHash"/> on TCP <paramref name="port"/>: a get_peers lookup,
    /// then announce_peer with each token to the closest nodes that gave one (BEP 5). Returns how many accepted.
    /// </summary>
    public async Task<int> AnnounceAsync(InfoHash infoHash, int port, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, ushort.MaxValue);
        var target = ToNodeId(infoHash);
        List<(DhtContact Contact, byte[]? Token)> closest;
        using (var bounded = Bounded(cancellationToken))
            closest = await LookupAsync(target, KrpcMethod.GetPeers, null, bounded.Token).ConfigureAwait(false);
        // Not bounded by the lookup's time: a lookup that used all of it still announces to what it found.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.Token);
        return await AnnounceToAsync(target, port, closest, stop.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// The peers of <paramref name="infoHash"/> in batches, one per node that gave some, each peer once; with
    /// <paramref name="announcePort"/>, ends by announcing it to the closest nodes (one lookup serves both).
    /// </summary>
    internal async IAsyncEnumerable<(IPEndPoint Origin, IReadOnlyList<PeerEndpoint> Peers)> FindPeersAsync(
        InfoHash infoHash, int? announcePort, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        const int MaxPeersPerLookup = 5000;
        var target = ToNodeId(infoHash);
        var channel = Channel.CreateUnbounded<(IPEndPoint, IReadOnlyList<PeerEndpoint>)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var seen = new HashSet<PeerEndpoint>();
        // stop: the caller is done (or the node is closing); bounded: that, or the lookup's time is up.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.Token);
        using var bounded = Bounded(stop.Token);
        var lookup = Task.Run(async () =>
        {
            try
            {
                var closest = await LookupAsync(target, KrpcMethod.GetPeers, (origin, peers) =>
                {
                    var fresh = peers.Where(p => seen.Count < MaxPeersPerLookup && seen.Add(p)).ToList();
                    if (fresh.Count > 0)
                        channel.Writer.TryWrite((origin, fresh));
                }, bounded.Token).ConfigureAwait(false);
                if (announcePort is { } port and > 0 and <= ushort.MaxValue)
                    await AnnounceToAsync(target, port, closest, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
            finally
            {
                channel.Writer.TryComplete();
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var batch in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return batch;
        }
        finally
        {
            // The caller stopped early (or finished): the lookup stops with it.
            await stop.CancelAsync().ConfigureAwait(false);
            await lookup.ConfigureAwait(false);
        }
    }

    /// <summary>Saves the node id and routing table to <see cref="DhtNodeOptions.StateFile"/> (nothing without one).</summary>
    public async Task SaveAsync(CancellationToken cancellationToken = default)
    {
        if (options.StateFile is null)
            return;
        List<DhtContact> nodes;
        lock (tableGate)
        {
            // Nodes that answered us first: they are the ones worth asking after a restart.
            nodes = table.Entries
                .Where(e => e.FailCount < RoutingTable.MaxFailures)
                .OrderByDescending(e => e.LastResponse is not null)
                .ThenByDescending(e => e.LastSeen)
                .Select(e => e.Contact)
                .ToList();
        }
        await saveGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await DhtStateFile.SaveAsync(options.StateFile, Id, nodes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            saveGate.Release();
        }
    }

    /// <summary>Pings <paramref name="endPoint"/>; true when it answered (and it is then in the routing table).</summary>
    public async Task<bool> PingAsync(IPEndPoint endPoint, CancellationToken cancellationToken = default) =>
        await QueryAsync(endPoint, tid => KrpcCodec.Ping(tid, Id), cancellationToken).ConfigureAwait(false) is KrpcResponse;

    /// <summary>
    /// Adds nodes given after the start (host:port names or literals; other families are skipped): each is
    /// pinged, and when any answered, a lookup of our own id fills the table from them. Returns how many answered.
    /// </summary>
    public async Task<int> AddBootstrapNodesAsync(IEnumerable<string> hostsAndPorts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hostsAndPorts);
        var resolved = await Task.WhenAll(hostsAndPorts.Select(name => ResolveAsync(name, Family, cancellationToken))).ConfigureAwait(false);
        var answers = await Task.WhenAll(resolved.SelectMany(r => r).Distinct().Select(endPoint => PingAsync(endPoint, cancellationToken))).ConfigureAwait(false);
        var answered = answers.Count(a => a);
        if (answered > 0)
            await BootstrapAsync(cancellationToken).ConfigureAwait(false);
        return answered;
    }

    /// <summary>Nodes of the routing table closest to <paramref name="target"/> (for tests and status).</summary>
    internal List<DhtContact> Closest(NodeId target, int count)
    {
        lock (tableGate)
            return table.Closest(target, count);
    }

    /// <summary>
    /// Sends one query built by <paramref name="build"/> around a fresh transaction id and waits for its answer:
    /// the response or error, or null when none came within <see cref="DhtNodeOptions.QueryTimeout"/> (the node
    /// then counts as failing). Only an answer from <paramref name="to"/> itself is taken.
    /// </summary>
    internal async Task<KrpcMessage?> QueryAsync(IPEndPoint to, Func<byte[], byte[]> build, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        var transaction = (ushort)Interlocked.Increment(ref nextTransaction);
        var query = new PendingQuery(to);
        if (!pending.TryAdd(transaction, query))
            return null;
        try
        {
            var transactionId = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(transactionId, transaction);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.Token);
            timeout.CancelAfter(options.QueryTimeout);
            try
            {
                await socket.SendToAsync(build(transactionId), SocketFlags.None, to, timeout.Token).ConfigureAwait(false);
                Counters.Sent();
                return await query.Answer.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !lifetime.IsCancellationRequested)
            {
                Counters.TimedOut();
            }
            catch (SocketException)
            {
                // Unreachable, or the send buffer is full: the same to us as no answer.
            }
            lock (tableGate)
                table.Failed(to);
            return null;
        }
        finally
        {
            pending.TryRemove(transaction, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
            return;
        await lifetime.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(receiveLoop, maintenanceLoop, Bootstrap).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        try
        {
            await SaveAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The table is a cache: losing it costs a bootstrap, not data.
        }
        socket.Dispose();
        lifetime.Dispose();
        saveGate.Dispose();
    }

    public override string ToString() => $"DHT node {Id.ToHex()[..8]} on {LocalEndPoint} ({NodeCount} nodes)";

    internal static NodeId ToNodeId(InfoHash infoHash)
    {
        if (infoHash.IsEmpty)
            throw new ArgumentException("The info hash is empty.", nameof(infoHash));
        // BEP 52: a v2 torrent is found in the DHT under its hash truncated to 20 bytes.
        return new NodeId(infoHash.Truncated);
    }

    private CancellationTokenSource Bounded(CancellationToken cancellationToken)
    {
        var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.Token);
        bounded.CancelAfter(options.LookupTimeout);
        return bounded;
    }

    private async Task<List<(DhtContact Contact, byte[]? Token)>> LookupAsync(
        NodeId target, KrpcMethod method, Action<IPEndPoint, IReadOnlyList<PeerEndpoint>>? onPeers, CancellationToken cancellationToken)
    {
        IReadOnlyList<IPEndPoint> routerList;
        try
        {
            routerList = await routers.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return [];
        }
        List<DhtContact> start;
        bool few;
        lock (tableGate)
        {
            start = table.Closest(target, RoutingTable.K * 2);
            few = table.Count < RoutingTable.K;
        }
        var lookup = new DhtLookup(this, target, method, start, few ? routerList : [], options.LookupParallelism, options.MaxLookupQueries, onPeers);
        return await lookup.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> AnnounceToAsync(NodeId target, int port, List<(DhtContact Contact, byte[]? Token)> closest, CancellationToken cancellationToken)
    {
        var announces = closest
            .Where(c => c.Token is not null)
            .Select(c => QueryAsync(c.Contact.EndPoint, tid => KrpcCodec.AnnouncePeer(tid, Id, target, port, c.Token!), cancellationToken))
            .ToList();
        var results = await Task.WhenAll(announces).ConfigureAwait(false);
        return results.Count(r => r is KrpcResponse);
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        // Large enough for any datagram, so an oversized one is seen whole and counted rather than truncated.
        var buffer = new byte[65536];
        EndPoint any = new IPEndPoint(Family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException)
            {
                // ICMP errors from earlier sends surface here on some systems; the socket is still good.
                continue;
            }
            if (received.RemoteEndPoint is not IPEndPoint from)
                continue;
            if (from.Address.IsIPv4MappedToIPv6)
                from = new IPEndPoint(from.Address.MapToIPv4(), from.Port);
            if (received.ReceivedBytes > MaxPacketSize)
            {
                Counters.Oversized();
                continue;
            }
            try
            {
                await HandlePacketAsync(buffer.AsMemory(0, received.ReceivedBytes), from, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Whatever a datagram does to us, the node goes on: one bad packet must not end the receive loop
                // (the node would go deaf without a word). It is counted as malformed.
                Counters.Malformed();
            }
        }
    }

    private async Task HandlePacketAsync(ReadOnlyMemory<byte> packet, IPEndPoint from, CancellationToken cancellationToken)
    {
        KrpcMessage message;
        try
        {
            message = KrpcCodec.Decode(packet);
        }
        catch (KrpcFormatException e)
        {
            Counters.Malformed();
            if (e.QueryTransactionId is { } transactionId && from.Port != 0 && limiter.TryAcquire(from.Address))
            {
                await SendAsync(KrpcCodec.Error(transactionId, KrpcError.Protocol, "invalid query"), from, cancellationToken).ConfigureAwait(false);
                Counters.QueryAnswered();
            }
            return;
        }

        if (message is KrpcQuery query)
        {
            await AnswerAsync(query, from, packet.Length, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (message.TransactionId.Length != 2
            || !pending.TryGetValue(BinaryPrimitives.ReadUInt16BigEndian(message.TransactionId), out var waiting)
            || !waiting.To.Equals(from))
        {
            Counters.Unexpected();
            return;
        }
        if (message is KrpcResponse response)
        {
            Counters.Garbage(response.GarbageEntries);
            lock (tableGate)
                table.Heard(response.Sender, from, responded: true);
        }
        waiting.Answer.TrySetResult(message);
    }

    private async Task AnswerAsync(KrpcQuery query, IPEndPoint from, int queryLength, CancellationToken cancellationToken)
    {
        Counters.QueryReceived();
        if (!limiter.TryAcquire(from.Address))
        {
            Counters.Limited();
            return;
        }
        if (from.Port == 0)
            return;
        if (!query.ReadOnly)
        {
            lock (tableGate)
                table.Heard(query.Sender, from, responded: false);
        }

        byte[] reply;
        switch (query.Method)
        {
            case KrpcMethod.Ping:
                reply = KrpcCodec.Response(query.TransactionId, Id);
                break;
            case KrpcMethod.FindNode:
                reply = KrpcCodec.Response(query.TransactionId, Id, nodes: Closest(query.Target!.Value, RoutingTable.K), nodesFamily: Family);
                break;
            case KrpcMethod.GetPeers:
                reply = GetPeersReply(query, from, queryLength);
                break;
            case KrpcMethod.AnnouncePeer:
                if (!tokens.IsValid(query.Token, from.Address))
                {
                    Counters.BadToken();
                    reply = KrpcCodec.Error(query.TransactionId, KrpcError.Protocol, "bad token");
                    break;
                }
                var peer = new PeerEndpoint(from.Address, query.ImpliedPort ? from.Port : query.Port);
                if (store.Add(query.InfoHash!.Value, peer))
                    Counters.PeerStored();
                reply = KrpcCodec.Response(query.TransactionId, Id);
                break;
            default:
                reply = KrpcCodec.Error(query.TransactionId, KrpcError.MethodUnknown, "method unknown");
                break;
        }
        await SendAsync(reply, from, cancellationToken).ConfigureAwait(false);
        Counters.QueryAnswered();
    }

    /// <summary>get_peers: our closest nodes, a token, and as many stored peers as the size bound allows.</summary>
    private byte[] GetPeersReply(KrpcQuery query, IPEndPoint from, int queryLength)
    {
        var infoHash = query.InfoHash!.Value;
        var nodes = Closest(infoHash, RoutingTable.K);
        var token = tokens.Issue(from.Address);
        var withoutPeers = KrpcCodec.Response(query.TransactionId, Id, nodes, null, token, Family);
        // Each peer costs "6:" plus 6 bytes ("18:" plus 18 for IPv6), and "6:valuesl" + "e" once.
        var perPeer = Family == AddressFamily.InterNetworkV6 ? 3 + PeerEndpoint.CompactIPv6Length : 2 + PeerEndpoint.CompactIPv4Length;
        var budget = queryLength * MaxAmplification - withoutPeers.Length - 10;
        var room = Math.Min(options.MaxPeersPerReply, budget / perPeer);
        if (room <= 0)
            return withoutPeers;
        var peers = store.Get(infoHash, room);
        return peers.Count == 0 ? withoutPeers : KrpcCodec.Response(query.TransactionId, Id, nodes, peers, token, Family);
    }

    private async Task SendAsync(byte[] datagram, IPEndPoint to, CancellationToken cancellationToken)
    {
        try
        {
            await socket.SendToAsync(datagram, SocketFlags.None, to, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            // A reply that cannot go out is a reply not sent; the asker will time out.
        }
    }

    private async Task BootstrapAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var bounded = Bounded(cancellationToken);
            await LookupAsync(Id, KrpcMethod.FindNode, null, bounded.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Every minute: ping nodes not heard from in 15 minutes (BEP 5), refresh quiet buckets with a lookup
    /// of a random id in them, bootstrap again if the table emptied, and save the table now and then.</summary>
    private async Task MaintainAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.MaintenanceInterval, time);
        var lastSave = time.GetUtcNow();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                List<DhtContact> stale;
                List<int> quiet;
                int count;
                lock (tableGate)
                {
                    stale = table.Stale(RoutingTable.GoodWindow, RoutingTable.K);
                    quiet = table.StaleBuckets(RoutingTable.GoodWindow);
                    count = table.Count;
                }
                await Task.WhenAll(stale.Select(c => PingAsync(c.EndPoint, cancellationToken))).ConfigureAwait(false);
                foreach (var index in quiet.Take(2))
                {
                    NodeId target;
                    lock (tableGate)
                    {
                        table.Touch(index);
                        target = NodeId.RandomInBucket(Id, Math.Min(index, NodeId.Bits - 1));
                    }
                    using var bounded = Bounded(cancellationToken);
                    await LookupAsync(target, KrpcMethod.FindNode, null, bounded.Token).ConfigureAwait(false);
                }
                if (count == 0)
                {
                    using var bounded = Bounded(cancellationToken);
                    await LookupAsync(Id, KrpcMethod.FindNode, null, bounded.Token).ConfigureAwait(false);
                }
                if (time.GetUtcNow() - lastSave >= SaveInterval)
                {
                    lastSave = time.GetUtcNow();
                    try
                    {
                        await SaveAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                    }
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>The routers and extra bootstrap nodes as endpoints of our family; names that do not resolve are skipped.</summary>
    private async Task<IReadOnlyList<IPEndPoint>> ResolveRoutersAsync(CancellationToken cancellationToken)
    {
        var names = (options.UseDefaultRouters ? DhtNodeOptions.DefaultRouters : []).Concat(options.BootstrapNodes).ToList();
        var resolved = await Task.WhenAll(names.Select(name => ResolveAsync(name, Family, cancellationToken))).ConfigureAwait(false);
        return resolved.SelectMany(r => r).Distinct().ToList();
    }

    private static async Task<IReadOnlyList<IPEndPoint>> ResolveAsync(string hostAndPort, AddressFamily family, CancellationToken cancellationToken)
    {
        if (PeerEndpoint.TryParse(hostAndPort, out var literal))
            return literal.AddressFamily == family ? [literal.ToIPEndPoint()] : [];
        var colon = hostAndPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostAndPort.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > ushort.MaxValue)
            return [];
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(RouterResolveTimeout);
            var addresses = await Dns.GetHostAddressesAsync(hostAndPort[..colon], family, bounded.Token).ConfigureAwait(false);
            return addresses.Select(a => new IPEndPoint(a, port)).ToList();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ArgumentException)
        {
            return [];
        }
    }

    private sealed class PendingQuery(IPEndPoint to)
    {
        public IPEndPoint To { get; } = to;

        public TaskCompletionSource<KrpcMessage> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
