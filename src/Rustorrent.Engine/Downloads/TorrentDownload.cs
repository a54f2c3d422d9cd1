using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Rustorrent.Metadata;
using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.Peers.Extensions;
using Rustorrent.Peers.Wire;
using Rustorrent.Pieces;
using Rustorrent.Storage;
using Rustorrent.Trackers;

namespace Rustorrent.Downloads;

/// <summary>
/// Runs one torrent: checks what is already on disk, finds peers (trackers, given endpoints, peers that dial
/// the engine's listener), and per connected peer runs a receive loop, a send loop (requests, haves, choke
/// changes) and an upload loop (blocks it asked for). Each piece is assembled in a pooled buffer, verified
/// on the thread pool and written once. After the last piece it seeds while <see cref="DownloadOptions.Seed"/>
/// asks. The picker, the piece buffers, the sessions and the counters have one owner: <see cref="gate"/>;
/// the loops take it briefly per message.
/// </summary>
internal sealed class TorrentDownload
{
    private const int MaxRequestBatch = 64;

    /// <summary>Verified-or-verifying pieces waiting for the disk, in bytes, beyond which no new block is
    /// requested: a slow disk holds the network back instead of filling memory.</summary>
    private const long MaxPendingWriteBytes = 64L * 1024 * 1024;

    /// <summary>Regular upload slots; the choker adds one optimistic slot.</summary>
    private const int UploadSlots = 4;

    private static readonly TimeSpan RequestTick = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan ChokeInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MinAnnounceInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxAnnounceInterval = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan AnnounceRetry = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan DhtAnnounceInterval = TimeSpan.FromMinutes(15);

    /// <summary>Waits before dialling a peer again after a failed or dropped connection (as MonoTorrent's).</summary>
    private static readonly TimeSpan[] RedialDelays = [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(45), TimeSpan.FromMinutes(2)];

    private readonly TorrentEngine engine;
    private readonly TorrentMetainfo metainfo;
    private readonly string destination;
    private readonly DownloadOptions options;
    private readonly object gate = new();
    private readonly Dictionary<int, PieceBuffer> pieceBuffers = [];
    private readonly Dictionary<PeerHandle, IPAddress> senders = [];
    private readonly Dictionary<PeerEndpoint, int> dialAttempts = [];
    private readonly HashSet<PeerEndpoint> connected = [];
    private readonly HashSet<PeerId> connectedIds = [];
    private readonly HashSet<IPAddress> banned = [];
    private readonly PeerReputation reputation = new();
    private readonly SmartBan smartBan = new();
    private readonly List<BlockSender> blockSenders = [];
    private readonly Channel<PeerEndpoint> candidates = Channel.CreateUnbounded<PeerEndpoint>();
    private readonly TaskCompletionSource completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource seedingDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RateMeter downloadRate = new(TimeProvider.System);
    private readonly RateMeter uploadRate = new(TimeProvider.System);
    private readonly List<BlockContribution> contributions = [];
    private readonly List<PeerSession> sessions = [];
    private readonly List<Task> peerTasks = [];
    private readonly List<IPAddress> toBan = [];
    private readonly Choker<PeerSession> choker = new(UploadSlots, new Random());
    private readonly ByteRateLimiter downloadLimit;
    private readonly ByteRateLimiter uploadLimit;
    private readonly SemaphoreSlim connectionSlots;
    private PiecePicker picker = null!;
    private PieceBufferPool bufferPool = null!;
    private TorrentStorage storage = null!;
    private CancellationToken runToken = new(canceled: true);
    private long wantedBytes;
    private long verifiedBytes;
    private long downloadedBytes;
    private long uploadedBytes;
    private int wantedPieces;
    private int verifiedPieces;
    private int peersUsed;
    private int pendingWrites;
    private long pendingWriteBytes;
    private long lastProgress = Stopwatch.GetTimestamp();
    private long seedingSince;
    private volatile DownloadPhase phase = DownloadPhase.Checking;
    private IDownloadEventSink? events;
    private MetadataResponder? metadataResponder;
    private int peersFromPex;
    private FileSelection selection = null!;
    private long started;
    private int already;

    public TorrentDownload(TorrentEngine engine, TorrentMetainfo metainfo, string destination, DownloadOptions options)
    {
        this.engine = engine;
        this.metainfo = metainfo;
        this.destination = destination;
        this.options = options;
        downloadLimit = new ByteRateLimiter(options.DownloadRateLimit);
        uploadLimit = new ByteRateLimiter(options.UploadRateLimit);
        connectionSlots = new SemaphoreSlim(Math.Max(1, options.MaxConnections));
    }

    /// <summary>Payload bytes sent to peers so far.</summary>
    public long UploadedBytes => Interlocked.Read(ref uploadedBytes);

    public async Task<DownloadResult> RunAsync(IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        if (!PieceVerifier.CanVerify(metainfo))
            throw new DownloadFailedException($"'{metainfo.Name}' is a v2-only torrent; downloading those needs SHA-256 piece verification, which is not built yet.");
        started = Stopwatch.GetTimestamp();
        selection = options.FilePatterns.Count == 0 ? FileSelection.All(metainfo) : FileSelection.FromPatterns(metainfo, options.FilePatterns);
        await using var openedStorage = TorrentStorage.Open(metainfo, destination, selection);
        storage = openedStorage;
        var layout = new PieceLayout(metainfo.PayloadSize, metainfo.PieceLength);
        picker = new PiecePicker(layout, new Random());
        bufferPool = new PieceBufferPool(metainfo.PieceLength);

        var needed = storage.GetNeededPieces();
        for (var piece = 0; piece < needed.Length; piece++)
        {
            if (needed[piece])
            {
                wantedPieces++;
                wantedBytes += layout.PieceSize(piece);
            }
            else
            {
                picker.SetWanted(piece, false);
            }
        }

        // Resume: what verifies on disk is kept; only the rest is fetched.
        events = progress as IDownloadEventSink;
        Report(progress);
        var checking = progress is null ? null : new CheckingProgress(this, progress);
        var present = await ResumeChecker.CheckAsync(storage, checking, cancellationToken: cancellationToken).ConfigureAwait(false);
        for (var piece = 0; piece < needed.Length; piece++)
        {
            if (needed[piece] && present[piece])
            {
                picker.MarkHave(piece);
                verifiedPieces++;
                verifiedBytes += layout.PieceSize(piece);
                already++;
            }
        }

        if (!picker.IsFinished || options.Seed)
            await SwarmAsync(progress, cancellationToken).ConfigureAwait(false);

        await storage.FlushAsync(cancellationToken).ConfigureAwait(false);
        phase = DownloadPhase.Completed;
        Report(progress);
        return CreateResult();
    }

    private DownloadResult CreateResult()
    {
        List<string> bannedNow;
        int fromPex;
        lock (gate)
        {
            bannedNow = banned.Select(a => a.ToString()).ToList();
            fromPex = peersFromPex;
        }
        return new DownloadResult(
            // A single-file torrent's content is its file; a multi-file torrent's, its folder.
            metainfo.IsMultiFile ? storage.ContentRoot : storage.GetFullPath(metainfo.Files[0]),
            selection.SelectedFiles.Where(f => !f.IsPadding).Select(storage.GetFullPath).ToList(),
            wantedBytes,
            Interlocked.Read(ref downloadedBytes),
            already,
            Stopwatch.GetElapsedTime(started),
            peersUsed,
            bannedNow)
        {
            PeersFromPex = fromPex,
        };
    }

    /// <summary>Talks to peers until every wanted piece is verified, then seeds as long as the options ask.</summary>
    private async Task SwarmAsync(IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        try
        {
            engine.EnsureListening();
        }
        catch (SocketException e)
        {
            throw new DownloadFailedException($"Cannot listen for peers on port {engine.ListenPort}: {e.Message}", e);
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        runToken = stop.Token;
        IDisposable registration;
        try
        {
            registration = engine.Register(HandshakeHashes(metainfo), new IncomingPeerTarget(WireLimits.ForTorrent(metainfo), TryAcceptIncoming));
        }
        catch (InvalidOperationException e)
        {
            throw new DownloadFailedException($"'{metainfo.Name}' is already being downloaded in this session: {e.Message}", e);
        }
        metadataResponder = metainfo.InfoDictionary.IsEmpty ? null : MetadataResponder.For(metainfo);
        phase = picker.IsFinished ? DownloadPhase.Seeding : DownloadPhase.Downloading;
        if (picker.IsFinished)
            OnCompleted();
        var workers = new List<Task>();
        foreach (var peer in options.Peers)
            AddCandidate(peer);
        if (options.UseTrackers && metainfo.Trackers.Count > 0)
            workers.Add(AnnounceLoopAsync(stop.Token));
        if (options.UseDht && !metainfo.IsPrivate)
            workers.Add(DhtLoopAsync(stop.Token));
        workers.Add(ConnectLoopAsync(stop.Token));
        workers.Add(WatchAsync(progress, stop.Token));
        workers.Add(ChokeLoopAsync(stop.Token));
        try
        {
            await completed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (options.Seed)
            {
                Report(progress);
                await seedingDone.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            registration.Dispose();
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(workers).ConfigureAwait(false);
            Task[] peers;
            lock (gate)
                peers = [.. peerTasks];
            await Task.WhenAll(peers).ConfigureAwait(false);
            lock (gate)
            {
                foreach (var buffer in pieceBuffers.Values)
                    bufferPool.Return(buffer);
                pieceBuffers.Clear();
            }
        }
    }

    /// <summary>The 20-byte hashes peers may name this torrent by in their handshake: the v1 hash, and the
    /// v2 hash truncated to 20 bytes (BEP 52).</summary>
    private static List<InfoHash> HandshakeHashes(TorrentMetainfo metainfo)
    {
        var hashes = new List<InfoHash>();
        if (metainfo.InfoHashV1 is { } v1)
            hashes.Add(v1);
        if (metainfo.InfoHashV2 is { } v2)
            hashes.Add(new InfoHash(v2.Truncated));
        return hashes;
    }

    /// <summary>Every wanted piece is verified (under <see cref="gate"/> or before any peer runs).</summary>
    private void OnCompleted()
    {
        if (!options.Seed)
        {
            completed.TrySetResult();
            return;
        }
        phase = DownloadPhase.Seeding;
        Interlocked.Exchange(ref seedingSince, Stopwatch.GetTimestamp());
        // Seeding goes on: whoever waits for the download itself learns now that it is done.
        if (completed.TrySetResult() && events is not null)
            Raise(DownloadEventLevel.Information, DownloadEventKind.Completed, $"'{metainfo.Name}' is complete; seeding.", CreateResult());
    }

    private void AddCandidate(PeerEndpoint peer)
    {
        lock (gate)
        {
            if (banned.Contains(peer.Address) || !dialAttempts.TryAdd(peer, 0))
                return;
        }
        candidates.Writer.TryWrite(peer);
    }

    /// <summary>Dials the peer again later, unless it is banned or was tried too often.</summary>
    private void ScheduleRedial(PeerEndpoint peer)
    {
        int attempt;
        lock (gate)
        {
            if (runToken.IsCancellationRequested || banned.Contains(peer.Address) || !dialAttempts.TryGetValue(peer, out attempt) || attempt >= RedialDelays.Length)
                return;
            dialAttempts[peer] = attempt + 1;
        }
        _ = RedialAsync(peer, RedialDelays[attempt], runToken);
    }

    private async Task RedialAsync(PeerEndpoint peer, TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            candidates.Writer.TryWrite(peer);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Dials candidates while there are free connection slots.</summary>
    private async Task ConnectLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var peer in candidates.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                bool skip;
                lock (gate)
                    skip = connected.Contains(peer) || banned.Contains(peer.Address);
                if (skip)
                    continue;
                await connectionSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
                lock (gate)
                    peerTasks.Add(RunOutgoingAsync(peer, cancellationToken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The listener has a peer for this torrent: take it if there is room.</summary>
    private bool TryAcceptIncoming(PeerConnection connection)
    {
        if (runToken.IsCancellationRequested)
            return false;
        lock (gate)
        {
            if (banned.Contains(connection.RemoteEndPoint.Address))
                return false;
        }
        if (!connectionSlots.Wait(0))
            return false;
        lock (gate)
            peerTasks.Add(RunIncomingAsync(connection, runToken));
        return true;
    }

    private async Task RunIncomingAsync(PeerConnection connection, CancellationToken cancellationToken)
    {
        await Task.Yield(); // the listener's accept loop goes on at once
        try
        {
            await RunSessionAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            engine.CloseConnection();
            connectionSlots.Release();
        }
    }

    private async Task RunOutgoingAsync(PeerEndpoint endpoint, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var opened = false;
        try
        {
            if (!engine.TryOpenConnection())
                return; // the engine is full: try again later
            opened = true;
            var ours = new PeerHandshake(metainfo.PrimaryInfoHash, engine.PeerId, engine.ReservedBits);
            await using var connection = await PeerConnection.ConnectAsync(endpoint, ours, WireLimits.ForTorrent(metainfo), cancellationToken: cancellationToken).ConfigureAwait(false);
            await RunSessionAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PeerProtocolException or SocketException or TimeoutException or IOException or ObjectDisposedException)
        {
            // Unreachable or broke the protocol at the handshake; others carry on.
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (opened)
                engine.CloseConnection();
            connectionSlots.Release();
            ScheduleRedial(endpoint);
        }
    }

    private async Task AnnounceLoopAsync(CancellationToken cancellationToken)
    {
        var trackers = TrackerTierSet.FromAnnounceList(metainfo.Trackers, engine.Trackers);
        var query = engine.StartedQuery(metainfo.PrimaryInfoHash, Left());
        // A torrent complete from the start never sends "completed" (BEP 3: only when the download completes).
        var completedSent = picker.IsFinished;
        TimeSpan? interval = null;
        var source = new TrackerPeerSource(trackers, onResult: result =>
        {
            if (result.Error is { } error)
                Raise(DownloadEventLevel.Warning, DownloadEventKind.TrackerFailed, $"Tracker {result.Tracker} failed for '{metainfo.Name}': {error.Reason}");
            if (result.Response is { } response)
            {
                Raise(DownloadEventLevel.Information, DownloadEventKind.TrackerAnswered,
                    $"Tracker {result.Tracker} answered for '{metainfo.Name}': {response.Peers.Count} peers, next announce in {response.Interval}.");
                if (response.WarningMessage is { } warning)
                    Raise(DownloadEventLevel.Warning, DownloadEventKind.TrackerFailed, $"Tracker {result.Tracker} warns about '{metainfo.Name}': {warning}");
                var wait = response.MinInterval is { } min && min > response.Interval ? min : response.Interval;
                interval = interval is { } known && known < wait ? known : wait;
            }
        });
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                query = query with { Left = Left(), Downloaded = Interlocked.Read(ref downloadedBytes), Uploaded = UploadedBytes };
                interval = null;
                await foreach (var discovery in source.DiscoverAsync(query, cancellationToken).ConfigureAwait(false))
                {
                    foreach (var peer in discovery.Peers)
                    {
                        if (!(peer.Port == engine.ListenPort && IPAddress.IsLoopback(peer.Address)))
                            AddCandidate(peer);
                    }
                }
                query = query with { Event = AnnounceEvent.None };
                // The tracker's interval, within sane bounds; sooner when no tracker answered.
                var delay = interval is { } wait ? TimeSpan.FromTicks(Math.Clamp(wait.Ticks, MinAnnounceInterval.Ticks, MaxAnnounceInterval.Ticks)) : AnnounceRetry;
                var sleep = Task.Delay(delay, cancellationToken);
                if (!completedSent)
                    await Task.WhenAny(sleep, completed.Task).ConfigureAwait(false);
                else
                    await sleep.ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (!completedSent && completed.Task.IsCompletedSuccessfully)
                {
                    completedSent = true;
                    query = query with { Event = AnnounceEvent.Completed };
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        // The last word to the trackers, bounded so a dead tracker cannot hold the result up.
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var last = query with { Left = Left(), Downloaded = Interlocked.Read(ref downloadedBytes), Uploaded = UploadedBytes, NumWant = 0 };
        try
        {
            if (!completedSent && picker.IsFinished)
                await AnnounceOnceAsync(trackers, last with { Event = AnnounceEvent.Completed }, limit.Token).ConfigureAwait(false);
            await AnnounceOnceAsync(trackers, last with { Event = AnnounceEvent.Stopped }, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            // A tracker that misses the last announce drops us at its interval anyway.
        }
    }

    /// <summary>Looks the torrent up in the DHT and announces our port there (BEP 5), now and every 15 minutes
    /// (announced peers expire after 30 minutes in most nodes). Private torrents never come here (BEP 27).</summary>
    private async Task DhtLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            var node = await engine.GetDhtAsync(options.DhtBootstrap, cancellationToken).ConfigureAwait(false);
            if (node is null)
                return;
            var source = new Dht.DhtPeerSource(node, announce: true);
            while (!cancellationToken.IsCancellationRequested)
            {
                var query = engine.StartedQuery(metainfo.PrimaryInfoHash, Left());
                var found = 0;
                await foreach (var discovery in source.DiscoverAsync(query, cancellationToken).ConfigureAwait(false))
                {
                    foreach (var peer in discovery.Peers)
                    {
                        if (!(peer.Port == engine.ListenPort && IPAddress.IsLoopback(peer.Address)))
                        {
                            found++;
                            AddCandidate(peer);
                        }
                    }
                }
                Raise(DownloadEventLevel.Information, DownloadEventKind.Other, $"The DHT gave {found} peers for '{metainfo.Name}' ({node.NodeCount} nodes known).");
                await Task.Delay(DhtAnnounceInterval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static async Task AnnounceOnceAsync(TrackerTierSet trackers, PeerQuery query, CancellationToken cancellationToken)
    {
        await foreach (var _ in trackers.AnnounceAllAsync(AnnounceRequest.For(query), cancellationToken).ConfigureAwait(false))
        {
        }
    }

    private long Left() => Math.Max(0, wantedBytes - Interlocked.Read(ref verifiedBytes));

    /// <summary>Every 10 s: who gets our upload slots (tit-for-tat with an optimistic unchoke).</summary>
    private async Task ChokeLoopAsync(CancellationToken cancellationToken)
    {
        var peers = new List<ChokeCandidate<PeerSession>>();
        var unchoke = new HashSet<PeerSession>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(ChokeInterval, cancellationToken).ConfigureAwait(false);
                lock (gate)
                {
                    var seeding = picker.IsFinished;
                    peers.Clear();
                    foreach (var session in sessions)
                        peers.Add(new ChokeCandidate<PeerSession>(session, session.PeerInterested, seeding ? session.Sent.BytesPerSecond : session.Received.BytesPerSecond));
                    choker.Decide(peers, unchoke);
                    QueuePex();
                    foreach (var session in sessions)
                    {
                        var choke = !unchoke.Contains(session);
                        if (choke != session.AmChoking)
                        {
                            session.AmChoking = choke;
                            session.Wake();
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Under <see cref="gate"/>: tells each ut_pex peer whom we are connected to (BEP 11: at most one
    /// message a minute, 50 added and 50 dropped; PeerExtensions keeps to that).</summary>
    private void QueuePex()
    {
        if (metainfo.IsPrivate)
            return;
        List<PexPeer>? connectedPeers = null;
        foreach (var session in sessions)
        {
            if (session.Extensions is not { PexEnabled: true } extensions)
                continue;
            connectedPeers ??= sessions.Select(PexEntry).OfType<PexPeer>().ToList();
            if (extensions.TryCreatePex(connectedPeers.Where(p => p.EndPoint != session.Connection.RemoteEndPoint), out var id, out var payload) && payload is not null)
            {
                session.PendingExtended.Enqueue((id, payload));
                session.Wake();
            }
        }
    }

    /// <summary>Where another peer could reach this one: the address we dialled, or for an incoming peer the
    /// listen port its extension handshake gave (none: it cannot be passed on).</summary>
    private PexPeer? PexEntry(PeerSession session)
    {
        var endpoint = session.Connection.RemoteEndPoint;
        if (session.Connection.IsIncoming)
        {
            var port = session.Extensions?.RemoteHandshake?.ListenPort ?? 0;
            if (port is <= 0 or > 65535)
                return null;
            endpoint = new PeerEndpoint(endpoint.Address, port);
        }
        var flags = picker.PeerIsSeed(session.Handle) ? PexFlags.Seed : PexFlags.None;
        if (!session.Connection.IsIncoming)
            flags |= PexFlags.Reachable;
        return new PexPeer(endpoint, flags);
    }

    /// <summary>Reports progress; fails the download when nothing new was verified for the stall timeout;
    /// ends seeding at the ratio or time asked.</summary>
    private async Task WatchAsync(IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
                Report(progress);
                if (completed.Task.IsCompleted)
                {
                    if (SeedingLimitReached())
                        seedingDone.TrySetResult();
                    continue;
                }
                if (Stopwatch.GetElapsedTime(Interlocked.Read(ref lastProgress)) > options.StallTimeout)
                {
                    int peers, knownCount;
                    lock (gate)
                    {
                        peers = connected.Count;
                        knownCount = dialAttempts.Count;
                    }
                    Fail(new DownloadFailedException(
                        $"'{metainfo.Name}' made no progress for {options.StallTimeout.TotalSeconds:0} s: {peers} peers connected of {knownCount} known. " +
                        (knownCount == 0 ? "No peer was found: check the trackers, or give peers with -Peer." : "The known peers did not send data.")));
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private bool SeedingLimitReached()
    {
        if (options.SeedRatio is { } ratio && UploadedBytes >= ratio * Math.Max(1, wantedBytes))
            return true;
        return options.SeedTime is { } time && Stopwatch.GetElapsedTime(Interlocked.Read(ref seedingSince)) >= time;
    }

    private void Report(IProgress<DownloadProgress>? progress)
    {
        if (progress is null)
            return;
        int knownCount, peers;
        double rate, up;
        lock (gate)
        {
            knownCount = dialAttempts.Count;
            peers = sessions.Count;
            rate = downloadRate.BytesPerSecond;
            up = uploadRate.BytesPerSecond;
        }
        progress.Report(new DownloadProgress(phase, Interlocked.Read(ref verifiedBytes), wantedBytes, verifiedPieces, wantedPieces, peers, knownCount, rate)
        {
            UploadedBytes = UploadedBytes,
            UploadRate = up,
        });
    }

    /// <summary>Tells whoever listens (a PowerShell job's Verbose and Warning streams) what happened.</summary>
    private void Raise(DownloadEventLevel level, DownloadEventKind kind, string message, DownloadResult? result = null)
    {
        try
        {
            events?.OnEvent(new DownloadEvent(level, kind, message) { Result = result });
        }
        catch (Exception)
        {
            // A listener's fault must not break the download.
        }
    }

    /// <summary>The resume check's progress as download progress: pieces checked so far count as "verified"
    /// only when they passed.</summary>
    private sealed class CheckingProgress(TorrentDownload download, IProgress<DownloadProgress> progress) : IProgress<ResumeProgress>
    {
        private long lastReport;

        public void Report(ResumeProgress value)
        {
            // A few reports a second at most: checking runs through thousands of pieces a second.
            var now = Stopwatch.GetTimestamp();
            var last = Interlocked.Read(ref lastReport);
            if (value.PiecesChecked != value.PiecesToCheck && Stopwatch.GetElapsedTime(last, now) < TimeSpan.FromMilliseconds(200))
                return;
            Interlocked.Exchange(ref lastReport, now);
            var bytes = download.wantedPieces == 0 ? 0 : download.wantedBytes * value.PiecesVerified / download.wantedPieces;
            progress.Report(new DownloadProgress(DownloadPhase.Checking, bytes, download.wantedBytes, value.PiecesVerified, download.wantedPieces, 0, 0, 0));
        }
    }

    private void Fail(Exception error)
    {
        completed.TrySetException(error);
        seedingDone.TrySetException(error);
    }

    /// <summary>Under <see cref="gate"/>: banned peers are dropped at their next message and never dialled again.</summary>
    private void Ban(List<IPAddress> addresses)
    {
        foreach (var address in addresses)
        {
            if (banned.Add(address))
                Raise(DownloadEventLevel.Warning, DownloadEventKind.PeerBanned, $"Peer {address} is banned from '{metainfo.Name}': it sent data that failed the hash check.");
        }
    }

    /// <summary>One connected peer, either direction: our pieces first, then its messages until it goes or we stop.</summary>
    private async Task RunSessionAsync(PeerConnection connection, CancellationToken cancellationToken)
    {
        PeerSession? session = null;
        var remoteId = connection.RemoteHandshake.PeerId;
        try
        {
            byte[]? bitfield = null;
            var haveCount = 0;
            lock (gate)
            {
                // Banned, ourselves (a tracker lists us too), or a second connection to the same peer.
                if (banned.Contains(connection.RemoteEndPoint.Address) || remoteId == engine.PeerId || !connectedIds.Add(remoteId))
                    return;
                var handle = picker.AddPeer();
                session = new PeerSession(connection, handle, TimeProvider.System);
                sessions.Add(session);
                senders[handle] = connection.RemoteEndPoint.Address;
                connected.Add(connection.RemoteEndPoint);
                peersUsed++;
                haveCount = picker.Have.Count;
                if (haveCount > 0 && !(connection.FastExtension && haveCount == picker.PieceCount))
                    bitfield = picker.Have.ToWire();
            }
            Raise(DownloadEventLevel.Information, DownloadEventKind.PeerConnected,
                $"Connected to {connection} ({ClientName(remoteId)}) for '{metainfo.Name}'.");
            // BEP 3: the bitfield, if any, is the first message; BEP 6 has "have all"/"have none" instead.
            if (connection.FastExtension && haveCount == 0)
                await connection.SendAsync(PeerMessageId.HaveNone, cancellationToken).ConfigureAwait(false);
            else if (bitfield is null && haveCount > 0)
                await connection.SendAsync(PeerMessageId.HaveAll, cancellationToken).ConfigureAwait(false);
            else if (bitfield is not null)
                await connection.SendBitfieldAsync(bitfield, cancellationToken).ConfigureAwait(false);
            if (connection.ExtensionProtocol)
            {
                // BEP 10: our extensions (ut_metadata to serve magnet users, ut_pex unless private, BEP 27).
                var extensions = new PeerExtensions(connection.RemoteEndPoint, metadataResponder, pex: !metainfo.IsPrivate);
                lock (gate)
                    session.Extensions = extensions;
                await connection.SendExtendedAsync(ExtensionNames.HandshakeId, extensions.CreateHandshake(TorrentEngine.ClientName, engine.ListenPort), cancellationToken).ConfigureAwait(false);
            }
            await ServePeerAsync(session, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PeerProtocolException or SocketException or TimeoutException or IOException or ObjectDisposedException)
        {
            // This peer is gone or broke the protocol; others carry on.
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (StorageException e)
        {
            Fail(new DownloadFailedException($"Cannot read or write '{metainfo.Name}': {e.Message}", e));
        }
        finally
        {
            if (session is not null)
            {
                lock (gate)
                {
                    sessions.Remove(session);
                    connected.Remove(connection.RemoteEndPoint);
                    connectedIds.Remove(remoteId);
                    picker.RemovePeer(session.Handle);
                }
                WakeAll(); // its requests go back to the pool: others may take them
            }
        }
    }

    /// <summary>The client in an Azureus-style peer id ("-LT2080-..." is LT2080), else the id as text.</summary>
    private static string ClientName(PeerId id)
    {
        var bytes = id.Span;
        if (bytes.Length == PeerId.Length && bytes[0] == (byte)'-' && bytes[7] == (byte)'-' && System.Text.Ascii.IsValid(bytes[1..7]))
            return System.Text.Encoding.ASCII.GetString(bytes[1..7]);
        return id.ToString();
    }

    /// <summary>The receive loop of one peer. Requests, haves and choke changes go out from
    /// <see cref="SendLoopAsync"/>, blocks it asked for from <see cref="UploadLoopAsync"/>; both are woken
    /// by its messages and by events elsewhere (a verified piece, a failed one, a peer gone).</summary>
    private async Task ServePeerAsync(PeerSession session, CancellationToken cancellationToken)
    {
        var connection = session.Connection;
        var handle = session.Handle;
        using var stopLoops = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sender = ClosingOnExitAsync(SendLoopAsync(session, stopLoops.Token), connection);
        var uploader = ClosingOnExitAsync(UploadLoopAsync(session, stopLoops.Token), connection);
        try
        {
            while (await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false))
            {
                var message = connection.Current;
                var wakeUploads = false;
                lock (gate)
                {
                    if (banned.Contains(connection.RemoteEndPoint.Address))
                        return;
                    switch (message.Id)
                    {
                        case PeerMessageId.Bitfield:
                            picker.PeerBitfield(handle, message.Payload.IsSingleSegment ? message.Payload.FirstSpan : message.Payload.ToArray());
                            break;
                        case PeerMessageId.HaveAll:
                            picker.PeerHasAll(handle);
                            break;
                        case PeerMessageId.HaveNone:
                            picker.PeerHasNone(handle);
                            break;
                        case PeerMessageId.Have:
                            picker.PeerHasPiece(handle, message.PieceIndex);
                            break;
                        case PeerMessageId.Choke:
                            session.Choked = true;
                            if (!connection.FastExtension)
                                picker.PeerChoked(handle);
                            else
                                foreach (var dropped in connection.RequestsDroppedByChoke)
                                    picker.ReleaseRequest(handle, new BlockInfo(dropped.PieceIndex, dropped.Begin, dropped.Length));
                            break;
                        case PeerMessageId.Unchoke:
                            session.Choked = false;
                            break;
                        case PeerMessageId.Interested:
                            session.PeerInterested = true;
                            // A free slot is given at once rather than at the next choke round.
                            if (session.AmChoking && sessions.Count(s => !s.AmChoking) < choker.TotalSlots)
                                session.AmChoking = false;
                            break;
                        case PeerMessageId.NotInterested:
                            session.PeerInterested = false;
                            break;
                        case PeerMessageId.Request:
                            wakeUploads = OnRequest(session, new BlockRequest(message.PieceIndex, message.Begin, message.Length));
                            break;
                        case PeerMessageId.Cancel:
                            // BEP 6: a cancelled request is answered, by the piece or by a reject.
                            var cancelled = new BlockRequest(message.PieceIndex, message.Begin, message.Length);
                            if (session.RemoveUpload(cancelled) && connection.FastExtension)
                                session.PendingRejects.Enqueue(cancelled);
                            break;
                        case PeerMessageId.Reject:
                            session.CancelledInFlight.Remove(new BlockRequest(message.PieceIndex, message.Begin, message.Length));
                            picker.ReleaseRequest(handle, new BlockInfo(message.PieceIndex, message.Begin, message.Length));
                            break;
                        case PeerMessageId.Piece when connection.CurrentBlockKind == ReceivedBlockKind.Cancelled:
                            session.CancelledInFlight.Remove(new BlockRequest(message.PieceIndex, message.Begin, message.Length));
                            break;
                        case PeerMessageId.Piece when connection.CurrentBlockKind == ReceivedBlockKind.Requested:
                            OnBlock(session, message);
                            break;
                        case PeerMessageId.Extended when session.Extensions is { } extensions:
                            OnExtended(session, extensions, message);
                            break;
                    }
                }
                if (wakeUploads)
                    session.WakeUploads();
                session.Wake();
            }
        }
        finally
        {
            await stopLoops.CancelAsync().ConfigureAwait(false);
            await QuietlyAsync(sender).ConfigureAwait(false);
            await QuietlyAsync(uploader).ConfigureAwait(false);
        }
    }

    /// <summary>A BEP 10 message (under <see cref="gate"/>): ut_metadata requests are answered from our info
    /// dictionary; peers named by ut_pex become candidates.</summary>
    private void OnExtended(PeerSession session, PeerExtensions extensions, PeerMessage message)
    {
        var received = extensions.Receive(message.ExtendedId, message.Payload);
        if (received.Reply is { } reply)
            session.PendingExtended.Enqueue((received.ReplyId, reply));
        foreach (var added in received.AddedPeers)
        {
            if (!banned.Contains(added.EndPoint.Address) && !dialAttempts.ContainsKey(added.EndPoint))
                peersFromPex++;
            AddCandidate(added.EndPoint);
        }
    }

    /// <summary>A peer's request (under <see cref="gate"/>): queued when we unchoke it and have the piece,
    /// else refused (BEP 6 reject; without the fast extension a choked peer's requests are just dropped).
    /// True when the upload loop has work.</summary>
    private bool OnRequest(PeerSession session, BlockRequest request)
    {
        if (!session.AmChoking && picker.Have[request.PieceIndex] && session.TryQueueUpload(request))
            return true;
        if (session.Connection.FastExtension)
            session.PendingRejects.Enqueue(request);
        return false;
    }

    /// <summary>A loop that ends for any reason closes the connection, so the receive loop ends too.</summary>
    private static async Task ClosingOnExitAsync(Task loop, PeerConnection connection)
    {
        try
        {
            await loop.ConfigureAwait(false);
        }
        finally
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task QuietlyAsync(Task loop)
    {
        try
        {
            await loop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or PeerProtocolException or SocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    /// <summary>Everything we tell one peer: choke changes (with BEP 6 rejects), haves, interest, cancels, and
    /// requests at the depth its rate calls for (bandwidth-delay product).</summary>
    private async Task SendLoopAsync(PeerSession session, CancellationToken cancellationToken)
    {
        var picked = new BlockInfo[MaxRequestBatch];
        var requests = new BlockRequest[MaxRequestBatch];
        var dropped = new List<BlockRequest>();
        var connection = session.Connection;
        while (true)
        {
            // Woken by each message and event; the timeout is a safety net for wake-ups that raced.
            await session.Signal.WaitAsync(RequestTick, cancellationToken).ConfigureAwait(false);

            bool choking;
            lock (gate)
            {
                choking = session.AmChoking;
                if (choking && !session.SentChoking)
                    session.ClearUploads(dropped);
            }
            if (choking != session.SentChoking)
            {
                await connection.SendAsync(choking ? PeerMessageId.Choke : PeerMessageId.Unchoke, cancellationToken).ConfigureAwait(false);
                session.SentChoking = choking;
                // BEP 6: with the fast extension a choke does not drop requests silently; each is rejected.
                if (connection.FastExtension)
                {
                    foreach (var request in dropped)
                        await connection.SendRejectAsync(request, cancellationToken).ConfigureAwait(false);
                }
                dropped.Clear();
            }
            while (session.PendingRejects.TryDequeue(out var reject))
                await connection.SendRejectAsync(reject, cancellationToken).ConfigureAwait(false);
            while (session.PendingExtended.TryDequeue(out var extended))
                await connection.SendExtendedAsync(extended.Id, extended.Payload, cancellationToken).ConfigureAwait(false);
            if (!session.PendingHaves.IsEmpty)
            {
                await connection.SendBatchAsync(session.PendingHaves, static (writer, haves) =>
                {
                    while (haves.TryDequeue(out var piece))
                        PeerMessageWriter.WriteHave(writer, piece);
                }, cancellationToken).ConfigureAwait(false);
            }

            bool interesting, complete, peerIsSeed;
            lock (gate)
            {
                interesting = picker.IsInteresting(session.Handle);
                complete = picker.IsFinished;
                peerIsSeed = picker.PeerIsSeed(session.Handle);
            }
            if (complete && peerIsSeed)
                return; // two seeds have nothing to give each other
            if (interesting != session.AmInterested)
            {
                session.AmInterested = interesting;
                await connection.SendAsync(interesting ? PeerMessageId.Interested : PeerMessageId.NotInterested, cancellationToken).ConfigureAwait(false);
            }
            if (session.Choked || !session.AmInterested)
                continue;
            var count = 0;
            lock (gate)
            {
                if (banned.Contains(connection.RemoteEndPoint.Address))
                    return;
                var wanted = Math.Min(session.Sizer.RequestsToSend(connection.OutstandingRequestCount), MaxRequestBatch);
                if (wanted > 0 && pendingWriteBytes < MaxPendingWriteBytes)
                    count = picker.PickBlocks(session.Handle, picked.AsSpan(0, wanted));
            }
            // Endgame cancels go out after the pick: a cancel queued before a block was freed again and
            // re-picked for this peer must reach the wire before the new request for it.
            while (session.PendingCancels.TryDequeue(out var cancel))
            {
                if (await connection.SendCancelAsync(cancel, cancellationToken).ConfigureAwait(false))
                    lock (gate)
                        session.CancelledInFlight.Add(cancel);
            }
            if (count == 0)
                continue;
            var sending = 0;
            var bytes = 0;
            lock (gate)
            {
                for (var i = 0; i < count; i++)
                {
                    var request = new BlockRequest(picked[i].Piece, picked[i].Offset, picked[i].Length);
                    // The peer may still answer our cancel with that very block (BEP 3, BEP 6): asking again
                    // now would bring it twice. Leave it to others until the first answer is in.
                    if (session.CancelledInFlight.Contains(request))
                    {
                        picker.ReleaseRequest(session.Handle, picked[i]);
                    }
                    else
                    {
                        requests[sending++] = request;
                        bytes += request.Length;
                    }
                }
            }
            if (sending == 0)
                continue;
            // The download limit holds requests back: what is not asked for does not come.
            await downloadLimit.TakeAsync(bytes, cancellationToken).ConfigureAwait(false);
            await connection.SendRequestsAsync(requests.AsMemory(0, sending), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Serves the blocks the peer asked for, one positional read each, within the upload limit.</summary>
    private async Task UploadLoopAsync(PeerSession session, CancellationToken cancellationToken)
    {
        var connection = session.Connection;
        var buffer = ArrayPool<byte>.Shared.Rent(connection.Limits.MaxBlockLength);
        try
        {
            while (true)
            {
                await session.UploadSignal.WaitAsync(cancellationToken).ConfigureAwait(false);
                while (true)
                {
                    BlockRequest request;
                    lock (gate)
                    {
                        if (session.AmChoking || !session.TryDequeueUpload(out request))
                            break;
                    }
                    await uploadLimit.TakeAsync(request.Length, cancellationToken).ConfigureAwait(false);
                    var block = buffer.AsMemory(0, request.Length);
                    await storage.ReadAsync(request.PieceIndex, request.Begin, block, cancellationToken).ConfigureAwait(false);
                    await connection.SendPieceAsync(request.PieceIndex, request.Begin, block, cancellationToken).ConfigureAwait(false);
                    Interlocked.Add(ref uploadedBytes, request.Length);
                    lock (gate)
                    {
                        uploadRate.Add(request.Length);
                        session.Sent.Add(request.Length);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Under <see cref="gate"/>: tells the other requesters of an endgame block to cancel it.</summary>
    private void QueueCancels(BlockInfo block, PeerHandle first, PeerHandle second)
    {
        foreach (var session in sessions)
        {
            if (session.Handle == first || session.Handle == second)
            {
                session.PendingCancels.Enqueue(new BlockRequest(block.Piece, block.Offset, block.Length));
                session.Wake();
            }
        }
    }

    private void WakeAll()
    {
        lock (gate)
        {
            foreach (var session in sessions)
                session.Wake();
        }
    }

    /// <summary>A block arrived (under <see cref="gate"/>): copy it into its piece's buffer; a complete piece
    /// is verified and written off this loop.</summary>
    private void OnBlock(PeerSession session, PeerMessage message)
    {
        var handle = session.Handle;
        var block = new BlockInfo(message.PieceIndex, message.Begin, message.Length);
        var receipt = picker.BlockReceived(handle, block);
        if (!receipt.IsAccepted)
            return;
        if (receipt.CancelCount > 0)
            QueueCancels(block, receipt.CancelFirst, receipt.CancelSecond);
        var size = picker.Layout.PieceSize(block.Piece);
        if (!pieceBuffers.TryGetValue(block.Piece, out var buffer))
            pieceBuffers[block.Piece] = buffer = bufferPool.Rent();
        message.Payload.CopyTo(buffer.Span.Slice(block.Offset, block.Length));
        Interlocked.Add(ref downloadedBytes, block.Length);
        downloadRate.Add(block.Length);
        session.Sizer.BlockReceived(block.Length);
        session.Received.Add(block.Length);
        if (!receipt.PieceComplete)
            return;
        pieceBuffers.Remove(block.Piece);
        pendingWrites++;
        pendingWriteBytes += size;
        _ = Task.Run(() => VerifyAndWriteAsync(block.Piece, buffer, size));
    }

    private async Task VerifyAndWriteAsync(int piece, PieceBuffer buffer, int size)
    {
        try
        {
            var good = PieceVerifier.Verify(metainfo, piece, buffer.Span[..size]);
            if (good)
                await storage.WritePieceAsync(piece, buffer.Memory[..size], alignedBuffer: true).ConfigureAwait(false);
            lock (gate)
            {
                pendingWrites--;
                pendingWriteBytes -= size;
                toBan.Clear();
                contributions.Clear();
                if (good)
                {
                    // Smart-ban (as libtorrent): once a piece that failed passes, whoever sent a block that
                    // differs from the good data lied.
                    if (smartBan.HasRecords(piece))
                        smartBan.PiecePassed(piece, buffer.Span[..size], toBan);
                    picker.GetContributions(piece, contributions);
                    reputation.PiecePassed(contributions.Select(c => senders.GetValueOrDefault(c.Sender)).OfType<IPAddress>().Distinct());
                    picker.PieceVerified(piece);
                    verifiedPieces++;
                    Interlocked.Add(ref verifiedBytes, size);
                    Interlocked.Exchange(ref lastProgress, Stopwatch.GetTimestamp());
                    Ban(toBan);
                    // Every peer hears of the piece; waking them also lets requests held back for the disk go out.
                    foreach (var session in sessions)
                    {
                        session.PendingHaves.Enqueue(piece);
                        session.Wake();
                    }
                    if (picker.IsFinished && pendingWrites == 0)
                        OnCompleted();
                    return;
                }
                // A bad piece: fetch it again, and remember who sent which block, to find the liar.
                Raise(DownloadEventLevel.Warning, DownloadEventKind.PieceFailedHashCheck, $"Piece {piece} of '{metainfo.Name}' failed its hash check and is downloaded again.");
                picker.PieceFailed(piece, contributions);
                blockSenders.Clear();
                for (var i = 0; i < contributions.Count; i++)
                {
                    if (senders.TryGetValue(contributions[i].Sender, out var address))
                        blockSenders.Add(new BlockSender(i, address));
                }
                smartBan.PieceFailed(piece, buffer.Span[..size], blockSenders, toBan);
                reputation.PieceFailed(blockSenders.Select(b => b.Address).Distinct(), toBan);
                Ban(toBan);
            }
            WakeAll(); // the failed piece's blocks are free again
        }
        catch (StorageException e)
        {
            Fail(new DownloadFailedException($"Cannot write '{metainfo.Name}': {e.Message}", e));
        }
        catch (Exception e)
        {
            Fail(new DownloadFailedException($"Piece {piece} of '{metainfo.Name}' could not be saved: {e.Message}", e));
        }
        finally
        {
            bufferPool.Return(buffer);
        }
    }
}
