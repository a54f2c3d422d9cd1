using System.Globalization;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.Peers.Extensions;
using Rustorrent.Peers.Wire;

namespace Rustorrent.Metadata;

/// <summary>
/// Fetches a torrent's info dictionary from peers (BEP 9, over the BEP 10 extension protocol) given only its
/// info hash: dials candidates several at a time, asks each for 16 KiB pieces, verifies the whole against the
/// info hash and returns the torrent with the magnet's trackers. A peer that claims a metadata size beyond
/// <see cref="MetadataMessage.MaxMetadataSize"/>, sends a malformed or wrong-length piece, or whose pieces do
/// not hash to the info hash is dropped (see <see cref="MetadataSwarm"/>); its pieces are fetched from others.
/// Peers the connected ones tell us of (BEP 11) are dialled too.
/// </summary>
internal sealed class MetadataFetcher
{
    /// <summary>Peer failures kept for the error report.</summary>
    public const int MaxReportedFailures = 50;

    private readonly InfoHash infoHash;
    private readonly PeerId ourId;
    private readonly int listenPort;
    private readonly MetadataFetcherOptions options;
    private readonly MetadataSwarm swarm;
    private readonly Channel<PeerEndpoint> queue = Channel.CreateUnbounded<PeerEndpoint>(new UnboundedChannelOptions { SingleReader = true });
    private readonly object gate = new();
    private readonly HashSet<PeerEndpoint> seen = [];
    private readonly List<PeerEndpoint> learned = [];
    private readonly List<KeyValuePair<PeerEndpoint, string>> failures = [];
    private readonly List<Task> sessions = [];
    private int pending;
    private string? sourceError;

    private MetadataFetcher(InfoHash infoHash, PeerId ourId, int listenPort, MetadataFetcherOptions options)
    {
        this.infoHash = infoHash;
        this.ourId = ourId;
        this.listenPort = listenPort;
        this.options = options;
        swarm = new MetadataSwarm(infoHash);
    }

    /// <summary>
    /// Fetches the metadata of <paramref name="magnet"/>'s torrent (v1 hash when it has one, else the v2 hash,
    /// BEP 52 "btmh") from its "x.pe" peers and <paramref name="candidates"/>; the result keeps the magnet's trackers
    /// (each its own tier) and web seeds.
    /// </summary>
    public static async Task<MetadataFetchResult> FetchAsync(
        MagnetLink magnet,
        PeerId ourId,
        int listenPort,
        IAsyncEnumerable<PeerEndpoint> candidates,
        MetadataFetcherOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(magnet);
        var trackers = magnet.Trackers.Select(url => (IReadOnlyList<string>)[url]).ToArray();
        var result = await FetchAsync(magnet.PrimaryInfoHash, ourId, listenPort, WithMagnetPeers(magnet, candidates), trackers, magnet.WebSeeds, options, cancellationToken).ConfigureAwait(false);
        // A hybrid magnet names both hashes; the one not checked above must match as well.
        if (magnet.InfoHashV2 is { } v2 && magnet.InfoHashV1 is not null && result.Metainfo.InfoHashV2 != v2)
            throw new MetadataFetchException($"The metadata matches the magnet's v1 info hash but not its v2 hash {v2}.", []);
        return result;
    }

    // The magnet's own "x.pe" peers (BEP 9) come first.
    private static async IAsyncEnumerable<PeerEndpoint> WithMagnetPeers(MagnetLink magnet, IAsyncEnumerable<PeerEndpoint> candidates, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var text in magnet.Peers)
        {
            if (PeerEndpoint.TryParse(text, out var endpoint))
                yield return endpoint;
        }
        await foreach (var endpoint in candidates.WithCancellation(cancellationToken).ConfigureAwait(false))
            yield return endpoint;
    }

    /// <param name="infoHash">The hash to verify the metadata against: a v1 (SHA-1) or a full v2 (SHA-256) hash;
    /// peers are dialled with its first 20 bytes (BEP 52).</param>
    /// <param name="ourId">Our peer id for the handshakes.</param>
    /// <param name="listenPort">Our listen port, told to peers ("p", BEP 10); 0 when we do not listen.</param>
    /// <param name="candidates">Peers to try, as a tracker or DHT lookup yields them; the fetch fails once it ends
    /// and every peer (PEX-learned ones included) has been tried.</param>
    /// <exception cref="MetadataFetchException">No peer gave valid metadata.</exception>
    public static Task<MetadataFetchResult> FetchAsync(
        InfoHash infoHash,
        PeerId ourId,
        int listenPort,
        IAsyncEnumerable<PeerEndpoint> candidates,
        IReadOnlyList<IReadOnlyList<string>>? trackers = null,
        IReadOnlyList<string>? webSeeds = null,
        MetadataFetcherOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        if (infoHash.IsEmpty)
            throw new ArgumentException("The info hash is empty.", nameof(infoHash));
        if (ourId.IsEmpty)
            throw new ArgumentException("Our peer id is empty.", nameof(ourId));
        ArgumentOutOfRangeException.ThrowIfNegative(listenPort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(listenPort, ushort.MaxValue);
        ArgumentNullException.ThrowIfNull(candidates);
        options ??= MetadataFetcherOptions.Default;
        options.Validate();
        return new MetadataFetcher(infoHash, ourId, listenPort, options).RunAsync(candidates, trackers, webSeeds, cancellationToken);
    }

    private async Task<MetadataFetchResult> RunAsync(
        IAsyncEnumerable<PeerEndpoint> candidates,
        IReadOnlyList<IReadOnlyList<string>>? trackers,
        IReadOnlyList<string>? webSeeds,
        CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(options.MaxConcurrentPeers);
        pending = 1; // the candidate source, until it ends
        var pump = PumpAsync(candidates, stop.Token);
        var dispatch = DispatchAsync(slots, stop.Token);
        try
        {
            await Task.WhenAny(swarm.Completion, dispatch).ConfigureAwait(false);
        }
        finally
        {
            // Done (or failed, or cancelled): every connection is closed before we return.
            await stop.CancelAsync().ConfigureAwait(false);
            await Quietly(pump).ConfigureAwait(false);
            await Quietly(dispatch).ConfigureAwait(false);
            Task[] running;
            lock (sessions)
                running = sessions.ToArray();
            await Task.WhenAll(running.Select(Quietly)).ConfigureAwait(false);
        }

        if (swarm.Completion.IsCompletedSuccessfully)
        {
            var bytes = swarm.Completion.Result;
            TorrentMetainfo metainfo;
            try
            {
                metainfo = TorrentMetainfo.ParseInfoDictionary(bytes, trackers, webSeeds);
            }
            catch (Exception e) when (e is MetainfoException or Bencode.BencodeException)
            {
                throw new MetadataFetchException($"The metadata for {infoHash} hashes right but is not a valid info dictionary: {e.Message}", Failures(), e);
            }
            lock (gate)
                return new MetadataFetchResult(metainfo, metainfo.InfoDictionary, swarm.Sources, swarm.Liars, learned.ToArray(), seen.Count, failures.ToArray());
        }
        cancellationToken.ThrowIfCancellationRequested();
        var failed = Failures();
        int tried;
        lock (gate)
            tried = seen.Count;
        var summary = string.Create(CultureInfo.InvariantCulture, $"No peer gave the metadata for {infoHash}: {tried} tried");
        if (swarm.FailedAttempts > 0)
            summary += string.Create(CultureInfo.InvariantCulture, $", {swarm.FailedAttempts} assembled copies did not match the info hash");
        if (sourceError is not null)
            summary += "; the peer source failed: " + sourceError;
        if (failed.Count > 0)
            summary += ". " + string.Join("; ", failed.Take(5).Select(f => $"{f.Key}: {f.Value}"));
        throw new MetadataFetchException(summary, failed);
    }

    private async Task PumpAsync(IAsyncEnumerable<PeerEndpoint> candidates, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var endpoint in candidates.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                Enqueue(endpoint);
                // A source that never ends (a DHT lookup) must not keep a fetch alive that may try no more peers.
                lock (gate)
                {
                    if (seen.Count >= options.MaxPeersTried)
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // The peer source's failure ends the candidates; peers already found still count.
            sourceError = e.Message;
        }
        finally
        {
            Done();
        }
    }

    private async Task DispatchAsync(SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        await foreach (var endpoint in queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            bool fresh;
            lock (gate)
                fresh = seen.Count < options.MaxPeersTried && seen.Add(endpoint);
            if (!fresh)
            {
                Done();
                continue;
            }
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            var session = Task.Run(async () =>
            {
                try
                {
                    await RunPeerAsync(endpoint, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    slots.Release();
                    Done();
                }
            }, CancellationToken.None);
            lock (sessions)
                sessions.Add(session);
        }
    }

    // Every candidate queued, every session running and the source count as pending; when none is left no
    // more candidates can come, and the dispatcher's loop ends.
    private void Enqueue(PeerEndpoint endpoint)
    {
        if (endpoint.Port == 0)
            return;
        lock (gate)
        {
            if (seen.Contains(endpoint) || seen.Count >= options.MaxPeersTried || !queue.Writer.TryWrite(endpoint))
                return;
            pending++;
        }
    }

    private void Done()
    {
        lock (gate)
        {
            if (--pending == 0)
                queue.Writer.TryComplete();
        }
    }

    private async Task RunPeerAsync(PeerEndpoint endpoint, CancellationToken cancellationToken)
    {
        MetadataSwarm.Member? member = null;
        try
        {
            await using var connection = await PeerConnection.ConnectAsync(
                endpoint,
                new PeerHandshake(infoHash, ourId, PeerReservedBits.ExtensionProtocol | PeerReservedBits.FastExtension),
                WireLimits.MetadataUnknown(maxExtendedLength: 64 * 1024),
                options.Connection,
                cancellationToken).ConfigureAwait(false);
            if (!connection.ExtensionProtocol)
            {
                Fail(endpoint, "does not speak the extension protocol (BEP 10)");
                return;
            }
            var ids = new ExtensionIdMap(options.LearnPeersFromPex
                ? ExtensionIdMap.Default
                : new Dictionary<string, byte> { [ExtensionNames.Metadata] = ExtensionNames.LocalMetadataId });
            var ours = new ExtensionHandshake
            {
                Messages = ids.Local,
                ClientName = options.ClientName,
                ListenPort = listenPort > 0 ? listenPort : null,
                YourIp = endpoint.Address,
                RequestQueueLength = 250,
            };
            await connection.SendExtendedAsync(ExtensionNames.HandshakeId, ours.Encode(), cancellationToken).ConfigureAwait(false);

            var theirs = await ReceiveExtensionHandshakeAsync(connection, cancellationToken).ConfigureAwait(false);
            if (theirs is null)
                return;
            ids.Update(theirs);
            if (!ids.TryGetRemoteId(ExtensionNames.Metadata, out var metadataId))
            {
                Fail(endpoint, "does not speak ut_metadata (BEP 9)");
                return;
            }
            if (theirs.MetadataSize is not { } size)
            {
                Fail(endpoint, "gives no metadata_size (it has no metadata)");
                return;
            }
            // Checked before anything is sized from it: a claim of 2 GB costs us nothing.
            member = swarm.Join(endpoint, size);
            if (member is null)
            {
                Fail(endpoint, MetadataAssembler.IsAcceptableSize(size)
                    ? "was caught sending wrong metadata before"
                    : string.Create(CultureInfo.InvariantCulture, $"claims a metadata_size of {size:N0} bytes; at most {MetadataMessage.MaxMetadataSize:N0} are accepted"));
                return;
            }
            await ExchangeAsync(connection, ids, metadataId, member, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is PeerProtocolException or SocketException or IOException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            Fail(endpoint, e is PeerProtocolException p ? p.Reason : e.Message);
        }
        finally
        {
            if (member is not null)
                swarm.Leave(member);
        }
    }

    private async Task<ExtensionHandshake?> ReceiveExtensionHandshakeAsync(PeerConnection connection, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ExtensionHandshakeTimeout);
        try
        {
            while (await connection.ReceiveAsync(timeout.Token).ConfigureAwait(false))
            {
                var message = connection.Current;
                if (message.Id != PeerMessageId.Extended || message.ExtendedId != ExtensionNames.HandshakeId)
                    continue;
                if (ExtensionHandshake.TryParse(message.Payload, out var theirs, out var error))
                    return theirs;
                Fail(connection.RemoteEndPoint, "sent a malformed extension handshake: " + error);
                return null;
            }
            Fail(connection.RemoteEndPoint, "closed the connection before its extension handshake");
            return null;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Fail(connection.RemoteEndPoint, string.Create(CultureInfo.InvariantCulture,
                $"sent no extension handshake within {options.ExtensionHandshakeTimeout.TotalSeconds:0.#} s"));
            return null;
        }
    }

    // Requests pieces while the swarm has some for this peer, and reads the answers; returns when the metadata is
    // in, or the peer is of no more use (it lied, rejected, went quiet or closed).
    private async Task ExchangeAsync(PeerConnection connection, ExtensionIdMap ids, byte metadataId, MetadataSwarm.Member member, CancellationToken cancellationToken)
    {
        var endpoint = connection.RemoteEndPoint;
        var outstanding = new Dictionary<int, long>();
        var pex = new PexInbox();
        try
        {
            while (!swarm.Completion.IsCompleted)
            {
                if (swarm.IsBanned(member))
                {
                    Fail(endpoint, "sent metadata that does not hash to the info hash; dropped");
                    return;
                }
                while (outstanding.Count < options.MaxRequestsPerPeer && swarm.TryAssign(member, out var piece))
                {
                    outstanding[piece] = Environment.TickCount64 + (long)options.RequestTimeout.TotalMilliseconds;
                    await connection.SendExtendedAsync(metadataId, MetadataMessage.Request(piece).Encode(), cancellationToken).ConfigureAwait(false);
                }
                if (outstanding.Count == 0)
                {
                    // Every missing piece is with another peer, or this peer waits its turn: look again on a change.
                    await swarm.WaitForChangeAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var wait = Math.Max(1, outstanding.Values.Min() - Environment.TickCount64);
                bool received;
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    timeout.CancelAfter(TimeSpan.FromMilliseconds(wait));
                    try
                    {
                        received = await connection.ReceiveAsync(timeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                    {
                        Fail(endpoint, string.Create(CultureInfo.InvariantCulture,
                            $"did not answer a metadata request within {options.RequestTimeout.TotalSeconds:0.#} s"));
                        return;
                    }
                }
                if (!received)
                {
                    Fail(endpoint, "closed the connection");
                    return;
                }
                var message = connection.Current;
                if (message.Id != PeerMessageId.Extended)
                    continue;
                if (message.ExtendedId == ExtensionNames.HandshakeId)
                {
                    // BEP 10: a later handshake may change ids; a malformed one is ignored.
                    if (ExtensionHandshake.TryParse(message.Payload, out var update, out _))
                    {
                        ids.Update(update!);
                        if (!ids.TryGetRemoteId(ExtensionNames.Metadata, out metadataId))
                        {
                            Fail(endpoint, "disabled ut_metadata");
                            return;
                        }
                    }
                    continue;
                }
                switch (ids.LocalName(message.ExtendedId))
                {
                    case ExtensionNames.Metadata:
                        if (!await OnMetadataMessageAsync(connection, metadataId, member, outstanding, message, cancellationToken).ConfigureAwait(false))
                            return;
                        break;
                    case ExtensionNames.Pex when options.LearnPeersFromPex:
                        foreach (var peer in pex.Receive(message.Payload, out _, out _))
                            Learn(peer.EndPoint);
                        break;
                }
            }
        }
        finally
        {
            foreach (var piece in outstanding.Keys)
                swarm.Release(member, piece);
        }
    }

    /// <returns>False when the peer is to be dropped.</returns>
    private async Task<bool> OnMetadataMessageAsync(PeerConnection connection, byte metadataId, MetadataSwarm.Member member, Dictionary<int, long> outstanding, PeerMessage message, CancellationToken cancellationToken)
    {
        var endpoint = connection.RemoteEndPoint;
        if (!MetadataMessage.TryParse(message.Payload, out var metadata, out var error))
        {
            Fail(endpoint, "sent a malformed ut_metadata message: " + error);
            return false;
        }
        switch (metadata.Type)
        {
            case MetadataMessageType.Request:
                // We have nothing to give yet (BEP 9: reject).
                await connection.SendExtendedAsync(metadataId, MetadataMessage.Reject(metadata.Piece).Encode(), cancellationToken).ConfigureAwait(false);
                return true;
            case MetadataMessageType.Reject:
                if (outstanding.Remove(metadata.Piece))
                    swarm.Release(member, metadata.Piece);
                Fail(endpoint, string.Create(CultureInfo.InvariantCulture, $"rejected our request for metadata piece {metadata.Piece}"));
                return false;
            default:
                if (!outstanding.Remove(metadata.Piece))
                {
                    Fail(endpoint, string.Create(CultureInfo.InvariantCulture, $"sent metadata piece {metadata.Piece}, which we did not ask it for"));
                    return false;
                }
                if (metadata.TotalSize != member.Size)
                {
                    swarm.Release(member, metadata.Piece);
                    Fail(endpoint, string.Create(CultureInfo.InvariantCulture,
                        $"sent a piece of {metadata.TotalSize:N0} bytes of metadata after claiming {member.Size:N0}"));
                    return false;
                }
                if (swarm.Deliver(member, metadata.Piece, metadata.Data.Span) == MetadataPieceOutcome.Invalid)
                {
                    Fail(endpoint, string.Create(CultureInfo.InvariantCulture,
                        $"sent metadata piece {metadata.Piece} with {metadata.Data.Length:N0} bytes, not the piece's length"));
                    return false;
                }
                return true;
        }
    }

    private void Learn(PeerEndpoint endpoint)
    {
        lock (gate)
        {
            if (seen.Contains(endpoint) || learned.Contains(endpoint) || learned.Count >= options.MaxPeersTried)
                return;
            learned.Add(endpoint);
        }
        Enqueue(endpoint);
    }

    private void Fail(PeerEndpoint endpoint, string reason)
    {
        lock (gate)
        {
            if (failures.Count < MaxReportedFailures)
                failures.Add(new(endpoint, reason));
        }
    }

    private List<KeyValuePair<PeerEndpoint, string>> Failures()
    {
        lock (gate)
            return [.. failures];
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
