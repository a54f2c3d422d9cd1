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

namespace Rustorrent.Downloads;

/// <summary>
/// Runs one torrent: checks what is already on disk, finds peers (trackers, given endpoints, peers that dial
/// the engine's listener), and per connected peer runs a receive loop, a send loop (requests, haves, choke
/// changes) and an upload loop (blocks it asked for). Each piece is assembled in a pooled buffer, verified
/// on the thread pool and written once. After the last piece it seeds while <see cref="DownloadOptions.Seed"/>
/// asks. The picker, the piece buffers, the sessions and the counters have one owner: <see cref="gate"/>;
/// the loops take it briefly per message. The peer loops are in TorrentDownload.Sessions.cs, dialling and
/// accepting in TorrentDownload.Connections.cs, trackers and the DHT in <see cref="TorrentAnnouncer"/>.
/// </summary>
internal sealed partial class TorrentDownload
{
    private const int MaxRequestBatch = 64;

    /// <summary>Verified-or-verifying pieces waiting for the disk, in bytes, beyond which no new block is
    /// requested: a slow disk holds the network back instead of filling memory.</summary>
    private const long MaxPendingWriteBytes = 64L * 1024 * 1024;

    /// <summary>Regular upload slots; the choker adds one optimistic slot.</summary>
    private const int UploadSlots = 4;

    private static readonly TimeSpan RequestTick = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan ChokeInterval = TimeSpan.FromSeconds(10);

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
        // A fresh download (no file of the torrent on disk) has nothing to check.
        var present = storage.MayHaveData()
            ? await ResumeChecker.CheckAsync(storage, checking, cancellationToken: cancellationToken).ConfigureAwait(false)
            : new bool[needed.Length];
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

        // No fsync at the end (as libtorrent, Transmission and aria2): a killed process loses nothing the
        // kernel took, and after a power loss the resume check hashes every piece again, so a piece the disk
        // did not keep is fetched again, never trusted. An fsync per file cost 16% of a 200-file download.
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
        var announcer = new TorrentAnnouncer(engine, metainfo, new AnnounceCounts(this), AddCandidate, completed.Task, (level, kind, message) => Raise(level, kind, message));
        if (options.UseTrackers && metainfo.Trackers.Count > 0)
            workers.Add(announcer.RunTrackersAsync(stop.Token));
        if (options.UseDht && !metainfo.IsPrivate)
            workers.Add(announcer.RunDhtAsync(options.DhtBootstrap, stop.Token));
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

    private long Left() => Math.Max(0, wantedBytes - Interlocked.Read(ref verifiedBytes));

    /// <summary>The counts trackers are told, read live.</summary>
    private sealed class AnnounceCounts(TorrentDownload download) : ITorrentCounts
    {
        public long Left => download.Left();

        public long Downloaded => Interlocked.Read(ref download.downloadedBytes);

        public long Uploaded => download.UploadedBytes;

        public bool IsFinished
        {
            get
            {
                lock (download.gate)
                    return download.picker.IsFinished;
            }
        }
    }

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

    /// <summary>Under <see cref="gate"/>: banned peers are disconnected and never dialled or accepted again.</summary>
    private void Ban(List<IPAddress> addresses)
    {
        foreach (var address in addresses)
        {
            if (banned.Add(address))
                Raise(DownloadEventLevel.Warning, DownloadEventKind.PeerBanned, $"Peer {address} is banned from '{metainfo.Name}': it sent data that failed the hash check.");
        }
        // Closed now, not at their next message: a banned peer that goes quiet must not keep its requests.
        foreach (var session in sessions)
        {
            if (banned.Contains(session.Connection.RemoteEndPoint.Address))
                _ = session.Connection.DisposeAsync().AsTask();
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
