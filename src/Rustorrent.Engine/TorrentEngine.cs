using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Rustorrent.Dht;
using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.Peers.Wire;
using Rustorrent.Trackers;

namespace Rustorrent;

/// <summary>
/// The one engine of a process: its peer id (BEP 20), announce key, listening socket, the torrents running
/// (so incoming connections find theirs), its DHT node (BEP 5, started when first needed), and the tracker
/// clients every torrent shares (HTTP connection pool, UDP connection ids).
/// </summary>
internal sealed class TorrentEngine : IDisposable, IAsyncDisposable
{
    /// <summary>The traditional BitTorrent port; when taken, the next few are tried, then any free one.</summary>
    public const int DefaultPort = 6881;

    private const int DefaultPortAttempts = 10;

    private static readonly Lazy<TorrentEngine> SharedEngine = new(CreateShared);

    private static readonly Lazy<HashSet<IPAddress>> LocalAddresses = new(ReadLocalAddresses);

    private readonly object gate = new();
    private readonly Dictionary<InfoHash, IncomingPeerTarget> torrents = [];
    private readonly PeerConnectionOptions connectionOptions = PeerConnectionOptions.Default;
    private readonly HashSet<string> dhtBootstrapped = new(StringComparer.OrdinalIgnoreCase);
    private PeerListener? listener;
    private Task<DhtNode>? dhtStart;
    private int configuredPort;
    private int connections;

    /// <param name="port">The port to listen on once a torrent needs it; 0 for any free port.</param>
    /// <param name="dht">The DHT's settings; by default a node that reaches nothing by itself (the shared
    /// engine uses the public routers).</param>
    public TorrentEngine(TrackerOptions? trackerOptions = null, int port = DefaultPort, DhtSettings? dht = null)
    {
        Dht = dht ?? DhtSettings.Isolated;
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        PeerId = PeerId.Create();
        AnnounceKey = (uint)Random.Shared.NextInt64(0, uint.MaxValue);
        Trackers = new TrackerClientFactory(trackerOptions);
        configuredPort = port;
    }

    /// <summary>The engine every cmdlet of the session uses.</summary>
    public static TorrentEngine Shared => SharedEngine.Value;

    private static TorrentEngine CreateShared()
    {
        var engine = new TorrentEngine(dht: DhtSettings.FromEnvironment());
        // The DHT's routing table outlives the process (BEP 5 nodes keep their ids); a PowerShell session ends
        // without disposing the module, so the table is saved as the process exits, within a second.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => engine.SaveDhtAsync().Wait(TimeSpan.FromSeconds(1));
        return engine;
    }

    /// <summary>Saves the DHT's routing table to its state file, if the node runs; never throws.</summary>
    public async Task SaveDhtAsync()
    {
        Task<DhtNode>? dht;
        lock (gate)
            dht = dhtStart;
        if (dht is not { IsCompletedSuccessfully: true })
            return;
        try
        {
            await dht.Result.SaveAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // The table is a cache: a node that cannot keep it bootstraps from the routers next time.
        }
    }

    public PeerId PeerId { get; }

    /// <summary>Sent with every announce so that trackers know us across IP changes (BEP 3 "key", BEP 15).</summary>
    public uint AnnounceKey { get; }

    /// <summary>What we offer in the handshake: BEP 6 fast extension and BEP 10 extension protocol.</summary>
    public PeerReservedBits ReservedBits => PeerReservedBits.FastExtension | PeerReservedBits.ExtensionProtocol;

    /// <summary>The "v" of our extension handshake (BEP 10).</summary>
    public static string ClientName { get; } = "Rustorrent " + (typeof(TorrentEngine).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");

    /// <summary>The port peers reach us on: the listener's once bound, else the one it will try first.</summary>
    public int ListenPort
    {
        get
        {
            lock (gate)
                return listener?.Port ?? configuredPort;
        }
    }

    /// <summary>True once the listening socket is bound.</summary>
    public bool IsListening
    {
        get
        {
            lock (gate)
                return listener is not null;
        }
    }

    /// <summary>Most peer connections open at once across every torrent of the engine.</summary>
    public int MaxConnections { get; set; } = 200;

    public TrackerClientFactory Trackers { get; }

    public DhtSettings Dht { get; }

    /// <summary>
    /// The engine's DHT node, started at the first call (on the listening port when it is free for UDP, as
    /// libtorrent does), with <paramref name="bootstrap"/> nodes (host:port) added and pinged the first time
    /// each is named. Null when the DHT is off or its socket cannot be bound.
    /// </summary>
    public async Task<DhtNode?> GetDhtAsync(IReadOnlyList<string> bootstrap, CancellationToken cancellationToken)
    {
        if (!Dht.Enabled)
            return null;
        Task<DhtNode> starting;
        List<string> fresh;
        lock (gate)
        {
            starting = dhtStart ??= StartDhtAsync();
            fresh = bootstrap.Where(dhtBootstrapped.Add).ToList();
        }
        DhtNode node;
        try
        {
            node = await starting.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return null;
        }
        if (fresh.Count > 0)
            await node.AddBootstrapNodesAsync(fresh, cancellationToken).ConfigureAwait(false);
        return node;
    }

    private async Task<DhtNode> StartDhtAsync()
    {
        var options = new DhtNodeOptions
        {
            BindEndPoint = new IPEndPoint(IPAddress.Any, IsListening ? ListenPort : 0),
            UseDefaultRouters = Dht.Routers is null,
            BootstrapNodes = Dht.Routers ?? [],
            StateFile = Dht.StateFile,
        };
        DhtNode node;
        try
        {
            node = await DhtNode.StartAsync(options).ConfigureAwait(false);
        }
        catch (SocketException) when (options.BindEndPoint.Port != 0)
        {
            node = await DhtNode.StartAsync(options with { BindEndPoint = new IPEndPoint(IPAddress.Any, 0) }).ConfigureAwait(false);
        }
        // Kept as soon as it is worth keeping, not only every 10 minutes: most sessions are shorter.
        _ = node.Bootstrap.ContinueWith(_ => SaveDhtAsync(), TaskScheduler.Default);
        return node;
    }

    /// <summary>Trackers and DHT nodes list the announcing peer too (opentracker does): our own port on a
    /// loopback or local address is us, not a peer.</summary>
    public bool IsOwnEndpoint(PeerEndpoint peer) =>
        peer.Port == ListenPort && (IPAddress.IsLoopback(peer.Address) || LocalAddresses.Value.Contains(peer.Address));

    private static HashSet<IPAddress> ReadLocalAddresses()
    {
        var addresses = new HashSet<IPAddress>();
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                    addresses.Add(unicast.Address);
            }
        }
        catch (NetworkInformationException)
        {
            // Without the list, only loopback addresses count as ours.
        }
        return addresses;
    }

    /// <summary>Binds the listening socket if it is not bound yet (downloads call this as they start).</summary>
    /// <exception cref="SocketException">The configured port is taken (the default port falls back instead).</exception>
    public void EnsureListening()
    {
        lock (gate)
        {
            if (listener is not null)
                return;
            listener = Bind(configuredPort);
        }
    }

    /// <summary>Listens on <paramref name="port"/> from now on (0: any free port), rebinding if it differs from
    /// the port bound now. Connections already open stay open.</summary>
    /// <exception cref="SocketException">The port is taken or not allowed.</exception>
    public void Listen(int port)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        PeerListener? old;
        lock (gate)
        {
            if (listener is not null && (port == 0 || listener.Port == port))
                return;
            var bound = PeerListener.Start(port, connectionOptions.SocketBufferSize, OnAcceptedAsync);
            old = listener;
            listener = bound;
            configuredPort = port;
        }
        old?.DisposeAsync().AsTask().Wait();
    }

    private PeerListener Bind(int port)
    {
        if (port != DefaultPort)
            return PeerListener.Start(port, connectionOptions.SocketBufferSize, OnAcceptedAsync);
        for (var attempt = 0; attempt < DefaultPortAttempts; attempt++)
        {
            try
            {
                return PeerListener.Start(port + attempt, connectionOptions.SocketBufferSize, OnAcceptedAsync);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
            {
            }
        }
        return PeerListener.Start(0, connectionOptions.SocketBufferSize, OnAcceptedAsync);
    }

    /// <summary>Routes incoming connections for <paramref name="infoHashes"/> (20-byte handshake hashes) to a
    /// running torrent until the returned handle is disposed.</summary>
    /// <exception cref="InvalidOperationException">Another download of the same torrent is running.</exception>
    public IDisposable Register(IReadOnlyList<InfoHash> infoHashes, IncomingPeerTarget target)
    {
        lock (gate)
        {
            foreach (var hash in infoHashes)
            {
                if (torrents.ContainsKey(hash))
                    throw new InvalidOperationException($"Torrent {hash} is already running in this session.");
            }
            foreach (var hash in infoHashes)
                torrents[hash] = target;
        }
        return new Registration(this, infoHashes, target);
    }

    /// <summary>Takes one of the engine's connection slots; false when the engine is full.</summary>
    public bool TryOpenConnection()
    {
        while (true)
        {
            var now = Volatile.Read(ref connections);
            if (now >= MaxConnections)
                return false;
            if (Interlocked.CompareExchange(ref connections, now + 1, now) == now)
                return true;
        }
    }

    public void CloseConnection() => Interlocked.Decrement(ref connections);

    private async Task OnAcceptedAsync(Socket socket, CancellationToken cancellationToken)
    {
        if (!TryOpenConnection())
        {
            socket.Dispose();
            return;
        }
        IncomingPeerTarget? target = null;
        PeerConnection? connection = null;
        try
        {
            connection = await PeerConnection.AcceptAsync(socket, PeerId, ReservedBits, hash =>
            {
                lock (gate)
                    target = torrents.GetValueOrDefault(hash);
                return target?.Limits;
            }, connectionOptions, cancellationToken).ConfigureAwait(false);
            if (target is not null && target.TryAccept(connection))
                return; // the torrent owns it, and gives the slot back when the peer goes
        }
        catch (Exception e) when (e is PeerProtocolException or SocketException or IOException or OperationCanceledException or ObjectDisposedException or TimeoutException)
        {
            // A peer that never finished its handshake, or asked for a torrent we do not run.
        }
        if (connection is not null)
            await connection.DisposeAsync().ConfigureAwait(false);
        CloseConnection();
    }

    /// <summary>The first query of a torrent's life: this engine's identity, "started", room for many peers.</summary>
    public PeerQuery StartedQuery(InfoHash infoHash, long left) => new()
    {
        InfoHash = infoHash,
        PeerId = PeerId,
        Port = ListenPort,
        Key = AnnounceKey,
        Left = left,
        Event = AnnounceEvent.Started,
        NumWant = 200,
    };

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        PeerListener? bound;
        lock (gate)
        {
            bound = listener;
            listener = null;
        }
        if (bound is not null)
            await bound.DisposeAsync().ConfigureAwait(false);
        Task<DhtNode>? dht;
        lock (gate)
            dht = dhtStart;
        if (dht is { IsCompletedSuccessfully: true })
            await dht.Result.DisposeAsync().ConfigureAwait(false);
        Trackers.Dispose();
    }

    private sealed class Registration(TorrentEngine engine, IReadOnlyList<InfoHash> hashes, IncomingPeerTarget target) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) != 0)
                return;
            lock (engine.gate)
            {
                foreach (var hash in hashes)
                {
                    if (engine.torrents.TryGetValue(hash, out var current) && ReferenceEquals(current, target))
                        engine.torrents.Remove(hash);
                }
            }
        }
    }
}
