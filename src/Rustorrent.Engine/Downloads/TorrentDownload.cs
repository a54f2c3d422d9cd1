using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.Peers.Wire;
using Rustorrent.Pieces;
using Rustorrent.Storage;
using Rustorrent.Trackers;

namespace Rustorrent.Downloads;

/// <summary>
/// Downloads one torrent: checks what is already on disk, finds peers (trackers and given endpoints),
/// runs one receive loop per connected peer, picks blocks, assembles each piece in a pooled buffer,
/// verifies its SHA-1 on the thread pool and writes it once. The picker, the piece buffers and the
/// counters have one owner: <see cref="gate"/>; peer loops take it briefly per message.
/// </summary>
internal sealed class TorrentDownload
{
    private const int MaxRequestBatch = 64;
    private static readonly TimeSpan RequestTick = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MinAnnounceInterval = TimeSpan.FromSeconds(30);

    private readonly TorrentEngine engine;
    private readonly TorrentMetainfo metainfo;
    private readonly string destination;
    private readonly DownloadOptions options;
    private readonly object gate = new();
    private readonly Dictionary<int, byte[]> pieceBuffers = [];
    private readonly Dictionary<PeerHandle, IPAddress> senders = [];
    private readonly HashSet<PeerEndpoint> known = [];
    private readonly HashSet<PeerEndpoint> connected = [];
    private readonly HashSet<IPAddress> banned = [];
    private readonly PeerReputation reputation = new();
    private readonly SmartBan smartBan = new();
    private readonly List<BlockSender> blockSenders = [];
    private readonly Channel<PeerEndpoint> candidates = Channel.CreateUnbounded<PeerEndpoint>();
    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RateMeter downloadRate = new(TimeProvider.System);
    private readonly List<BlockContribution> contributions = [];
    private readonly List<PeerSession> sessions = [];
    private readonly List<IPAddress> toBan = [];
    private PiecePicker picker = null!;
    private TorrentStorage storage = null!;
    private long wantedBytes;
    private long verifiedBytes;
    private long downloadedBytes;
    private int wantedPieces;
    private int verifiedPieces;
    private int peersUsed;
    private int pendingWrites;
    private long lastProgress = Stopwatch.GetTimestamp();

    public TorrentDownload(TorrentEngine engine, TorrentMetainfo metainfo, string destination, DownloadOptions options)
    {
        this.engine = engine;
        this.metainfo = metainfo;
        this.destination = destination;
        this.options = options;
    }

    public async Task<DownloadResult> RunAsync(IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        if (!PieceVerifier.CanVerify(metainfo))
            throw new DownloadFailedException($"'{metainfo.Name}' is a v2-only torrent; downloading those needs SHA-256 piece verification, which is not built yet.");
        var started = Stopwatch.GetTimestamp();
        var selection = options.FilePatterns.Count == 0 ? FileSelection.All(metainfo) : FileSelection.FromPatterns(metainfo, options.FilePatterns);
        await using var openedStorage = TorrentStorage.Open(metainfo, destination, selection);
        storage = openedStorage;
        var layout = new PieceLayout(metainfo.PayloadSize, metainfo.PieceLength);
        picker = new PiecePicker(layout, new Random());

        // Resume: what verifies on disk is kept; only the rest is fetched.
        Report(progress, DownloadPhase.Checking, 0);
        var present = await ResumeChecker.CheckAsync(storage, cancellationToken: cancellationToken).ConfigureAwait(false);
        var needed = storage.GetNeededPieces();
        var already = 0;
        for (var piece = 0; piece < needed.Length; piece++)
        {
            if (!needed[piece])
            {
                picker.SetWanted(piece, false);
                continue;
            }
            wantedPieces++;
            wantedBytes += layout.PieceSize(piece);
            if (present[piece])
            {
                picker.MarkHave(piece);
                verifiedPieces++;
                verifiedBytes += layout.PieceSize(piece);
                already++;
            }
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var workers = new List<Task>();
        if (!picker.IsFinished)
        {
            foreach (var peer in options.Peers)
                AddCandidate(peer);
            if (options.UseTrackers && metainfo.Trackers.Count > 0)
                workers.Add(AnnounceLoopAsync(stop.Token));
            workers.Add(ConnectLoopAsync(stop.Token));
            workers.Add(WatchAsync(progress, stop.Token));
            try
            {
                await finished.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(workers).ConfigureAwait(false);
                lock (gate)
                {
                    foreach (var buffer in pieceBuffers.Values)
                        ArrayPool<byte>.Shared.Return(buffer);
                    pieceBuffers.Clear();
                }
            }
        }

        await storage.FlushAsync(cancellationToken).ConfigureAwait(false);
        Report(progress, DownloadPhase.Completed, 0);
        return new DownloadResult(
            storage.ContentRoot,
            selection.SelectedFiles.Where(f => !f.IsPadding).Select(storage.GetFullPath).ToList(),
            wantedBytes,
            Interlocked.Read(ref downloadedBytes),
            already,
            Stopwatch.GetElapsedTime(started),
            peersUsed,
            banned.Select(a => a.ToString()).ToList());
    }

    private void AddCandidate(PeerEndpoint peer)
    {
        lock (gate)
        {
            if (banned.Contains(peer.Address) || !known.Add(peer))
                return;
        }
        candidates.Writer.TryWrite(peer);
    }

    /// <summary>Dials candidates while there is room, and again later for peers that dropped.</summary>
    private async Task ConnectLoopAsync(CancellationToken cancellationToken)
    {
        var running = new List<Task>();
        try
        {
            await foreach (var peer in candidates.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                running.RemoveAll(t => t.IsCompleted);
                while (running.Count >= options.MaxConnections)
                    await Task.WhenAny(running).WaitAsync(cancellationToken).ConfigureAwait(false);
                running.RemoveAll(t => t.IsCompleted);
                running.Add(RunPeerAsync(peer, cancellationToken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task AnnounceLoopAsync(CancellationToken cancellationToken)
    {
        var trackers = TrackerTierSet.FromAnnounceList(metainfo.Trackers, engine.Trackers);
        var query = engine.StartedQuery(metainfo.PrimaryInfoHash, wantedBytes - Interlocked.Read(ref verifiedBytes));
        var source = new TrackerPeerSource(trackers);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                query = query with { Left = Math.Max(0, wantedBytes - Interlocked.Read(ref verifiedBytes)), Downloaded = Interlocked.Read(ref downloadedBytes) };
                await foreach (var discovery in source.DiscoverAsync(query, cancellationToken).ConfigureAwait(false))
                {
                    foreach (var peer in discovery.Peers)
                    {
                        if (!(peer.Port == engine.ListenPort && IPAddress.IsLoopback(peer.Address)))
                            AddCandidate(peer);
                    }
                }
                query = query with { Event = AnnounceEvent.None };
                await Task.Delay(MinAnnounceInterval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        // Tell the trackers we finished (or left), bounded so a dead tracker cannot hold the result up.
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var last = query with
        {
            Event = picker.IsFinished ? AnnounceEvent.Completed : AnnounceEvent.Stopped,
            Left = Math.Max(0, wantedBytes - Interlocked.Read(ref verifiedBytes)),
            Downloaded = Interlocked.Read(ref downloadedBytes),
            NumWant = 0,
        };
        try
        {
            await foreach (var _ in trackers.AnnounceAllAsync(AnnounceRequest.For(last), limit.Token).ConfigureAwait(false))
            {
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            // A tracker that misses the last announce drops us at its interval anyway.
        }
    }

    /// <summary>Fails the download when nothing new was verified for the stall timeout; reports progress.</summary>
    private async Task WatchAsync(IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
                int peers;
                lock (gate)
                    peers = connected.Count;
                Report(progress, DownloadPhase.Downloading, peers);
                if (Stopwatch.GetElapsedTime(Interlocked.Read(ref lastProgress)) > options.StallTimeout)
                {
                    int knownCount;
                    lock (gate)
                        knownCount = known.Count;
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

    private void Report(IProgress<DownloadProgress>? progress, DownloadPhase phase, int peers)
    {
        if (progress is null)
            return;
        int knownCount;
        double rate;
        lock (gate)
        {
            knownCount = known.Count;
            rate = downloadRate.BytesPerSecond;
        }
        progress.Report(new DownloadProgress(phase, Interlocked.Read(ref verifiedBytes), wantedBytes, verifiedPieces, wantedPieces, peers, knownCount, rate));
    }

    private void Fail(Exception error) => finished.TrySetException(error);

    /// <summary>Under <see cref="gate"/>: banned peers are dropped at their next message and never dialled again.</summary>
    private void Ban(List<IPAddress> addresses)
    {
        foreach (var address in addresses)
            banned.Add(address);
    }

    /// <summary>One peer: connect, handshake, then its messages until it goes or we are done.</summary>
    private async Task RunPeerAsync(PeerEndpoint endpoint, CancellationToken cancellationToken)
    {
        PeerHandle handle = default;
        try
        {
            var ours = new PeerHandshake(metainfo.PrimaryInfoHash, engine.PeerId, PeerReservedBits.FastExtension);
            await using var connection = await PeerConnection.ConnectAsync(endpoint, ours, WireLimits.ForTorrent(metainfo), cancellationToken: cancellationToken).ConfigureAwait(false);
            lock (gate)
            {
                handle = picker.AddPeer();
                senders[handle] = endpoint.Address;
                connected.Add(endpoint);
                peersUsed++;
            }
            await ServePeerAsync(connection, handle, cancellationToken).ConfigureAwait(false);
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
            Fail(new DownloadFailedException($"Cannot write '{metainfo.Name}': {e.Message}", e));
        }
        finally
        {
            lock (gate)
            {
                connected.Remove(endpoint);
                if (!handle.IsNone)
                    picker.RemovePeer(handle);
            }
        }
    }

    /// <summary>The receive loop of one peer. Requests are sent by <see cref="RequestLoopAsync"/>, woken by
    /// every message and by events elsewhere (a failed piece, a peer gone) that free blocks.</summary>
    private async Task ServePeerAsync(PeerConnection connection, PeerHandle handle, CancellationToken cancellationToken)
    {
        var session = new PeerSession(connection, handle);
        lock (gate)
            sessions.Add(session);
        using var stopRequests = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var requester = RequestLoopAsync(session, stopRequests.Token);
        try
        {
            while (!finished.Task.IsCompleted && !requester.IsCompleted && await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false))
            {
                var message = connection.Current;
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
                        case PeerMessageId.Reject:
                            session.CancelledInFlight.Remove(new BlockRequest(message.PieceIndex, message.Begin, message.Length));
                            picker.ReleaseRequest(handle, new BlockInfo(message.PieceIndex, message.Begin, message.Length));
                            break;
                        case PeerMessageId.Piece when connection.CurrentBlockKind == ReceivedBlockKind.Cancelled:
                            session.CancelledInFlight.Remove(new BlockRequest(message.PieceIndex, message.Begin, message.Length));
                            break;
                        case PeerMessageId.Piece when connection.CurrentBlockKind == ReceivedBlockKind.Requested:
                            OnBlock(handle, message, session.Sizer);
                            break;
                    }
                }
                session.Wake();
            }
        }
        finally
        {
            await stopRequests.CancelAsync().ConfigureAwait(false);
            try
            {
                await requester.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            lock (gate)
                sessions.Remove(session);
            WakeAll(); // its requests go back to the pool: others may take them
        }
    }

    /// <summary>Keeps the peer's request queue at the depth its rate calls for (bandwidth-delay product).</summary>
    private async Task RequestLoopAsync(PeerSession session, CancellationToken cancellationToken)
    {
        var picked = new BlockInfo[MaxRequestBatch];
        var requests = new BlockRequest[MaxRequestBatch];
        var connection = session.Connection;
        while (!finished.Task.IsCompleted)
        {
            // Woken by each message; the timeout is a safety net for wake-ups that raced.
            await session.Signal.WaitAsync(RequestTick, cancellationToken).ConfigureAwait(false);
            bool interesting;
            lock (gate)
                interesting = picker.IsInteresting(session.Handle);
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
                if (wanted > 0)
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
            lock (gate)
            {
                for (var i = 0; i < count; i++)
                {
                    var request = new BlockRequest(picked[i].Piece, picked[i].Offset, picked[i].Length);
                    // The peer may still answer our cancel with that very block (BEP 3, BEP 6): asking again
                    // now would bring it twice. Leave it to others until the first answer is in.
                    if (session.CancelledInFlight.Contains(request))
                        picker.ReleaseRequest(session.Handle, picked[i]);
                    else
                        requests[sending++] = request;
                }
            }
            if (sending > 0)
                await connection.SendRequestsAsync(requests.AsMemory(0, sending), cancellationToken).ConfigureAwait(false);
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

    /// <summary>What the two loops of one connected peer share.</summary>
    private sealed class PeerSession(PeerConnection connection, PeerHandle handle)
    {
        public PeerConnection Connection { get; } = connection;

        public PeerHandle Handle { get; } = handle;

        public RequestQueueSizer Sizer { get; } = new(TimeProvider.System);

        public SemaphoreSlim Signal { get; } = new(0, 1);

        /// <summary>Cancels sent and not yet answered by the piece or a reject (under the download's gate).</summary>
        public HashSet<BlockRequest> CancelledInFlight { get; } = [];

        /// <summary>Blocks another peer delivered first in endgame: cancel them here (BEP 3).</summary>
        public System.Collections.Concurrent.ConcurrentQueue<BlockRequest> PendingCancels { get; } = new();

        public volatile bool Choked = true;

        public bool AmInterested;

        public void Wake()
        {
            try
            {
                if (Signal.CurrentCount == 0)
                    Signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already awake.
            }
        }
    }

    /// <summary>A block arrived (under <see cref="gate"/>): copy it into its piece's buffer; a complete piece
    /// is verified and written off this loop.</summary>
    private void OnBlock(PeerHandle handle, PeerMessage message, RequestQueueSizer sizer)
    {
        var block = new BlockInfo(message.PieceIndex, message.Begin, message.Length);
        var receipt = picker.BlockReceived(handle, block);
        if (!receipt.IsAccepted)
            return;
        if (receipt.CancelCount > 0)
            QueueCancels(block, receipt.CancelFirst, receipt.CancelSecond);
        var size = picker.Layout.PieceSize(block.Piece);
        if (!pieceBuffers.TryGetValue(block.Piece, out var buffer))
            pieceBuffers[block.Piece] = buffer = ArrayPool<byte>.Shared.Rent(size);
        message.Payload.CopyTo(buffer.AsSpan(block.Offset, block.Length));
        Interlocked.Add(ref downloadedBytes, block.Length);
        downloadRate.Add(block.Length);
        sizer.BlockReceived(block.Length);
        if (!receipt.PieceComplete)
            return;
        pieceBuffers.Remove(block.Piece);
        pendingWrites++;
        _ = Task.Run(() => VerifyAndWriteAsync(block.Piece, buffer, size));
    }

    private async Task VerifyAndWriteAsync(int piece, byte[] buffer, int size)
    {
        try
        {
            var good = PieceVerifier.Verify(metainfo, piece, buffer.AsSpan(0, size));
            if (good)
                await storage.WritePieceAsync(piece, buffer.AsMemory(0, size)).ConfigureAwait(false);
            lock (gate)
            {
                pendingWrites--;
                toBan.Clear();
                contributions.Clear();
                if (good)
                {
                    // Smart-ban (as libtorrent): once a piece that failed passes, whoever sent a block that
                    // differs from the good data lied.
                    if (smartBan.HasRecords(piece))
                        smartBan.PiecePassed(piece, buffer.AsSpan(0, size), toBan);
                    picker.GetContributions(piece, contributions);
                    reputation.PiecePassed(contributions.Select(c => senders.GetValueOrDefault(c.Sender)).OfType<IPAddress>().Distinct());
                    picker.PieceVerified(piece);
                    verifiedPieces++;
                    Interlocked.Add(ref verifiedBytes, size);
                    Interlocked.Exchange(ref lastProgress, Stopwatch.GetTimestamp());
                    Ban(toBan);
                    if (picker.IsFinished && pendingWrites == 0)
                        finished.TrySetResult();
                    return;
                }
                // A bad piece: fetch it again, and remember who sent which block, to find the liar.
                picker.PieceFailed(piece, contributions);
                blockSenders.Clear();
                for (var i = 0; i < contributions.Count; i++)
                {
                    if (senders.TryGetValue(contributions[i].Sender, out var address))
                        blockSenders.Add(new BlockSender(i, address));
                }
                smartBan.PieceFailed(piece, buffer.AsSpan(0, size), blockSenders, toBan);
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
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
