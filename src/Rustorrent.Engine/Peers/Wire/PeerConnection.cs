using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Rustorrent.Metainfo;

namespace Rustorrent.Peers.Wire;

/// <summary>
/// One TCP connection to a peer after the BEP 3 handshake: a message loop (<see cref="ReceiveAsync"/> and
/// <see cref="Current"/>) and send methods, over System.IO.Pipelines so that one socket read yields many
/// messages and a batch of messages goes out in one write.
/// It enforces what one connection can know: the torrent's limits (through <see cref="PeerMessageReader"/>),
/// message order (a bitfield only first, BEP 6 messages only when both sides set the fast bit), that every
/// piece and reject answers a request of ours (<see cref="OutstandingRequests"/>), an idle timeout, and it
/// sends keep-alives when we have been quiet. What the messages mean is the session's business.
/// One task may receive while others send; sends are serialised.
/// </summary>
internal sealed class PeerConnection : IAsyncDisposable
{
    // receiveState: who may touch the pipe reader. Free, in a receive, or completed by DisposeAsync.
    private const int ReceiveFree = 0;
    private const int ReceiveBusy = 1;
    private const int ReceiveClosed = 2;

    private readonly Socket socket;
    private readonly NetworkStream stream;
    private readonly PipeReader input;
    private readonly PipeWriter output;
    private readonly PeerMessageReader reader;
    private readonly PeerConnectionOptions options;
    private readonly SemaphoreSlim sendGate = new(1, 1);
    private readonly OutstandingRequests requests;
    private readonly List<BlockRequest> droppedByChoke = [];
    private ITimer? timer;
    private long lastReceived;
    private long lastSent;
    private int idleTimedOut;
    private int disposed;
    private int receiveState;
    private bool sawFirstMessage;

    private PeerConnection(Socket socket, PeerEndpoint remote, bool isIncoming, WireLimits limits, PeerConnectionOptions options)
    {
        this.socket = socket;
        this.options = options;
        RemoteEndPoint = remote;
        IsIncoming = isIncoming;
        stream = new NetworkStream(socket, ownsSocket: false);
        input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: options.ReceiveSegmentSize, minimumReadSize: Math.Min(16 * 1024, options.ReceiveSegmentSize), leaveOpen: true));
        output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: options.SendSegmentSize, leaveOpen: true));
        reader = new PeerMessageReader(input, limits);
        requests = new OutstandingRequests(options.MaxOutstandingRequests);
    }

    public PeerEndpoint RemoteEndPoint { get; }

    /// <summary>True when the peer dialled us.</summary>
    public bool IsIncoming { get; }

    public PeerHandshake LocalHandshake { get; private set; }

    public PeerHandshake RemoteHandshake { get; private set; }

    /// <summary>The torrent's 20-byte wire info hash.</summary>
    public InfoHash InfoHash => LocalHandshake.InfoHash;

    /// <summary>BEP 6 is in force: both handshakes set the fast bit.</summary>
    public bool FastExtension => LocalHandshake.SupportsFastExtension && RemoteHandshake.SupportsFastExtension;

    /// <summary>BEP 10 is in force: both handshakes set the extension protocol bit.</summary>
    public bool ExtensionProtocol => LocalHandshake.SupportsExtensionProtocol && RemoteHandshake.SupportsExtensionProtocol;

    /// <summary>The limits incoming messages are checked against (raise them once a magnet's metadata is in).</summary>
    public WireLimits Limits
    {
        get => reader.Limits;
        set => reader.Limits = value;
    }

    /// <summary>The message <see cref="ReceiveAsync"/> moved to; its payload is valid until the next receive.</summary>
    public PeerMessage Current => reader.Current;

    /// <summary>For a piece message in <see cref="Current"/>: whether we still want the block or had cancelled it.</summary>
    public ReceivedBlockKind CurrentBlockKind { get; private set; }

    /// <summary>After a choke without the fast extension: the requests it discarded (BEP 3), to ask again
    /// elsewhere or after the unchoke. Valid until the next receive.</summary>
    public IReadOnlyList<BlockRequest> RequestsDroppedByChoke => droppedByChoke;

    /// <summary>Requests sent and neither answered, rejected, cancelled nor dropped.</summary>
    public int OutstandingRequestCount => requests.Count;

    /// <summary>Bytes received after the handshake's (all of them, handshake included).</summary>
    public long BytesReceived => reader.BytesConsumed;

    /// <summary>Messages with unknown ids skipped (BEP 3 says to ignore them).</summary>
    public long UnknownMessagesSkipped => reader.UnknownMessagesSkipped;

    /// <summary>
    /// Connects to <paramref name="remote"/>, sends <paramref name="ours"/> and reads the peer's handshake,
    /// which must name the same torrent.
    /// </summary>
    /// <exception cref="TimeoutException">The TCP connect took longer than <see cref="PeerConnectionOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="SocketException">The connect failed.</exception>
    /// <exception cref="PeerProtocolException">The handshake is wrong, for another torrent, or late.</exception>
    public static async Task<PeerConnection> ConnectAsync(PeerEndpoint remote, PeerHandshake ours, WireLimits limits, PeerConnectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (ours.InfoHash.IsEmpty)
            throw new ArgumentException("Our handshake is empty.", nameof(ours));
        options ??= PeerConnectionOptions.Default;
        options.Validate();
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        PeerConnection? connection = null;
        try
        {
            Configure(socket, options);
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(options.ConnectTimeout);
                try
                {
                    await socket.ConnectAsync(remote.ToIPEndPoint(), timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                        $"Connecting to peer {remote} took longer than {options.ConnectTimeout.TotalSeconds:0.###} s."));
                }
            }
            connection = new PeerConnection(socket, remote, isIncoming: false, limits, options);
            await connection.HandshakeAsync(ours, null, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            if (connection is not null)
                await connection.DisposeAsync().ConfigureAwait(false);
            else
                socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes an accepted socket: reads the peer's handshake, asks <paramref name="findTorrent"/> for the
    /// limits of the torrent it names (null: we do not serve it, the connection is refused), then answers
    /// with our handshake. The socket is owned (and on failure disposed) from here on.
    /// </summary>
    /// <exception cref="PeerProtocolException">The handshake is wrong, for a torrent we do not serve, or late.</exception>
    public static async Task<PeerConnection> AcceptAsync(Socket socket, PeerId ourPeerId, PeerReservedBits ourReserved, Func<InfoHash, WireLimits?> findTorrent, PeerConnectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(findTorrent);
        if (ourPeerId.IsEmpty)
            throw new ArgumentException("Our peer id is empty.", nameof(ourPeerId));
        options ??= PeerConnectionOptions.Default;
        PeerConnection? connection = null;
        try
        {
            options.Validate();
            if (socket.RemoteEndPoint is not System.Net.IPEndPoint remote)
                throw new ArgumentException("The socket is not a connected TCP/IP socket.", nameof(socket));
            Configure(socket, options);
            connection = new PeerConnection(socket, new PeerEndpoint(remote.Address, remote.Port), isIncoming: true, WireLimits.MetadataUnknown(), options);
            await connection.HandshakeAsync(default, (ourPeerId, ourReserved, findTorrent), cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            if (connection is not null)
                await connection.DisposeAsync().ConfigureAwait(false);
            else
                socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Moves to the peer's next message (in <see cref="Current"/>): true, or false when the peer closed the
    /// connection cleanly between messages. Completes synchronously while messages are buffered.
    /// </summary>
    /// <exception cref="PeerProtocolException">The peer broke the protocol or went idle; drop the connection.</exception>
    public ValueTask<bool> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref receiveState, ReceiveBusy, ReceiveFree) != ReceiveFree)
            throw receiveState == ReceiveClosed ? new ObjectDisposedException(ToString()) : new InvalidOperationException("Another receive is in progress on this connection.");
        var handedOff = false;
        try
        {
            if (droppedByChoke.Count > 0)
                droppedByChoke.Clear();
            var next = reader.MoveNextAsync(cancellationToken);
            if (next.IsCompletedSuccessfully)
            {
                var got = next.Result;
                if (got)
                    OnMessage();
                return new ValueTask<bool>(got);
            }
            handedOff = true;
            return ReceiveSlowAsync(next, cancellationToken);
        }
        catch (PeerProtocolException e) when (e.Peer is null)
        {
            throw e.WithPeer(RemoteEndPoint);
        }
        finally
        {
            if (!handedOff)
                EndReceive();
        }
    }

    /// <summary>choke, unchoke, interested, not interested; have all and have none (BEP 6).</summary>
    public ValueTask SendAsync(PeerMessageId id, CancellationToken cancellationToken = default)
    {
        if (id is PeerMessageId.HaveAll or PeerMessageId.HaveNone)
            RequireFastExtension(id);
        return SendAsync(id, static (w, id) => PeerMessageWriter.WriteSimple(w, id), cancellationToken);
    }

    public ValueTask SendKeepAliveAsync(CancellationToken cancellationToken = default) =>
        SendAsync(0, static (w, _) => PeerMessageWriter.WriteKeepAlive(w), cancellationToken);

    public ValueTask SendHaveAsync(int pieceIndex, CancellationToken cancellationToken = default) =>
        SendAsync(pieceIndex, static (w, i) => PeerMessageWriter.WriteHave(w, i), cancellationToken);

    /// <summary>Our bitfield; it must be exactly the torrent's size (send nothing, or have none, when we have no piece).</summary>
    public ValueTask SendBitfieldAsync(ReadOnlyMemory<byte> bitfield, CancellationToken cancellationToken = default)
    {
        var limits = Limits;
        if (!limits.HasPieces || bitfield.Length != limits.BitfieldLength)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"A bitfield of {bitfield.Length:N0} bytes does not fit this torrent ({limits})."), nameof(bitfield));
        return SendAsync(bitfield, static (w, b) => PeerMessageWriter.WriteBitfield(w, b.Span), cancellationToken);
    }

    /// <summary>Requests <paramref name="blocks"/> in one write, and records them as outstanding.</summary>
    /// <exception cref="InvalidOperationException">A block is already outstanding, or the cap would be passed.</exception>
    public ValueTask SendRequestsAsync(ReadOnlyMemory<BlockRequest> blocks, CancellationToken cancellationToken = default)
    {
        if (blocks.IsEmpty)
            return ValueTask.CompletedTask;
        // Recorded under the send gate, just before they are written, so a send cancelled while waiting records nothing.
        return SendAsync((requests, blocks), static (w, r) =>
        {
            r.requests.AddRange(r.blocks.Span);
            PeerMessageWriter.WriteRequests(w, r.blocks.Span);
        }, cancellationToken);
    }

    /// <summary>Cancels an outstanding request; false (and nothing sent) when it was not outstanding.
    /// The piece may still come (then <see cref="CurrentBlockKind"/> is Cancelled), or, with BEP 6, a reject.</summary>
    public async ValueTask<bool> SendCancelAsync(BlockRequest block, CancellationToken cancellationToken = default)
    {
        if (!requests.Cancel(block, FastExtension))
            return false;
        await SendAsync(block, static (w, b) => PeerMessageWriter.WriteCancel(w, b), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>BEP 6: we will not serve this request of the peer's.</summary>
    public ValueTask SendRejectAsync(BlockRequest block, CancellationToken cancellationToken = default)
    {
        RequireFastExtension(PeerMessageId.Reject);
        return SendAsync(block, static (w, b) => PeerMessageWriter.WriteReject(w, b), cancellationToken);
    }

    public ValueTask SendSuggestAsync(int pieceIndex, CancellationToken cancellationToken = default)
    {
        RequireFastExtension(PeerMessageId.Suggest);
        return SendAsync(pieceIndex, static (w, i) => PeerMessageWriter.WriteSuggest(w, i), cancellationToken);
    }

    public ValueTask SendAllowedFastAsync(int pieceIndex, CancellationToken cancellationToken = default)
    {
        RequireFastExtension(PeerMessageId.AllowedFast);
        return SendAsync(pieceIndex, static (w, i) => PeerMessageWriter.WriteAllowedFast(w, i), cancellationToken);
    }

    /// <summary>A block the peer asked for; the bytes are copied once, into the send buffer.</summary>
    public ValueTask SendPieceAsync(int pieceIndex, int begin, ReadOnlyMemory<byte> block, CancellationToken cancellationToken = default) =>
        SendAsync((pieceIndex, begin, block), static (w, p) => PeerMessageWriter.WritePiece(w, p.pieceIndex, p.begin, p.block.Span), cancellationToken);

    /// <summary>BEP 10: an extension message (id 0 is the extension handshake).</summary>
    public ValueTask SendExtendedAsync(byte extendedId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        if (!ExtensionProtocol)
            throw new InvalidOperationException($"Peer {RemoteEndPoint} did not agree to the extension protocol (BEP 10).");
        if (payload.Length > WireLimits.DefaultMaxExtendedLength)
            throw new ArgumentException($"An extension message is at most {WireLimits.DefaultMaxExtendedLength:N0} bytes.", nameof(payload));
        return SendAsync((extendedId, payload), static (w, m) => PeerMessageWriter.WriteExtended(w, m.extendedId, m.payload.Span), cancellationToken);
    }

    /// <summary>BEP 5: the port our DHT node listens on.</summary>
    public ValueTask SendPortAsync(int port, CancellationToken cancellationToken = default) =>
        SendAsync(port, static (w, p) => PeerMessageWriter.WritePort(w, p), cancellationToken);

    /// <summary>
    /// Writes several messages with <see cref="PeerMessageWriter"/> and sends them in one flush (e.g. an unchoke
    /// and a few pieces). Requests written this way are not tracked: use <see cref="SendRequestsAsync"/>.
    /// </summary>
    public ValueTask SendBatchAsync<TState>(TState state, Action<IBufferWriter<byte>, TState> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        return SendAsync(state, write, cancellationToken);
    }

    /// <summary>Copies the requests still outstanding (to ask another peer when this one goes away).</summary>
    public void CopyOutstandingRequests(List<BlockRequest> into) => requests.CopyTo(into);

    /// <summary>Closes the connection at once; a pending receive or send fails.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
            return;
        timer?.Dispose();
        socket.Dispose(); // aborts pending socket reads and writes
        // A send in progress fails at once now; then the writer can be completed (never concurrently with a flush).
        if (await sendGate.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false))
        {
            await CompleteQuietlyAsync(output).ConfigureAwait(false);
            sendGate.Release();
        }
        // The pipe reader is completed here unless a receive is running; that receive completes it as it ends.
        if (Interlocked.CompareExchange(ref receiveState, ReceiveClosed, ReceiveFree) == ReceiveFree)
            CompleteReader();
        await stream.DisposeAsync().ConfigureAwait(false);
    }

    public override string ToString() => $"peer {RemoteEndPoint} ({(IsIncoming ? "incoming" : "outgoing")})";

    private async Task HandshakeAsync(PeerHandshake ours, (PeerId Id, PeerReservedBits Reserved, Func<InfoHash, WireLimits?> FindTorrent)? incoming, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.HandshakeTimeout);
        try
        {
            PeerHandshake theirs;
            if (incoming is { } accept)
            {
                theirs = await reader.ReadHandshakeAsync(timeout.Token).ConfigureAwait(false);
                if (accept.FindTorrent(theirs.InfoHash) is not { } limits)
                    throw new PeerProtocolException(PeerProtocolError.UnknownInfoHash, $"handshake for info hash {theirs.InfoHash}, a torrent we do not serve");
                reader.Limits = limits;
                ours = new PeerHandshake(theirs.InfoHash, accept.Id, accept.Reserved);
                ours.Write(output);
                await output.FlushAsync(timeout.Token).ConfigureAwait(false);
            }
            else
            {
                // BEP 3: both sides send at once; ours goes first so the peer can answer without waiting.
                ours.Write(output);
                await output.FlushAsync(timeout.Token).ConfigureAwait(false);
                theirs = await reader.ReadHandshakeAsync(timeout.Token).ConfigureAwait(false);
                if (!theirs.InfoHash.Equals(ours.InfoHash))
                    throw new PeerProtocolException(PeerProtocolError.InfoHashMismatch, $"handshake for info hash {theirs.InfoHash}, not {ours.InfoHash}");
            }
            if (theirs.PeerId.Equals(ours.PeerId))
                throw new PeerProtocolException(PeerProtocolError.SelfConnection, "the peer's id is our own: this is a connection to ourselves");
            LocalHandshake = ours;
            RemoteHandshake = theirs;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new PeerProtocolException(PeerProtocolError.HandshakeTimeout, string.Create(CultureInfo.InvariantCulture,
                $"no complete handshake within {options.HandshakeTimeout.TotalSeconds:0.###} s ({reader.PendingBytes} of its {PeerHandshake.Length} bytes received)")).WithPeer(RemoteEndPoint);
        }
        catch (PeerProtocolException e) when (e.Peer is null)
        {
            throw e.WithPeer(RemoteEndPoint);
        }

        var now = Environment.TickCount64;
        lastReceived = now;
        lastSent = now;
        var period = TimeSpan.FromTicks(Math.Clamp(Math.Min(options.IdleTimeout.Ticks, options.KeepAliveInterval.Ticks) / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond * 5));
        timer = TimeProvider.System.CreateTimer(static state => ((PeerConnection)state!).OnTimer(), this, period, period);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReceiveSlowAsync(ValueTask<bool> pending, CancellationToken cancellationToken)
    {
        try
        {
            var got = await pending.ConfigureAwait(false);
            if (got)
                OnMessage();
            return got;
        }
        catch (OperationCanceledException) when (Volatile.Read(ref idleTimedOut) == 1 && !cancellationToken.IsCancellationRequested)
        {
            throw new PeerProtocolException(PeerProtocolError.IdleTimeout, string.Create(CultureInfo.InvariantCulture,
                $"no message (not even a keep-alive) for {options.IdleTimeout.TotalSeconds:0.###} s")).WithPeer(RemoteEndPoint);
        }
        catch (PeerProtocolException e) when (e.Peer is null)
        {
            throw e.WithPeer(RemoteEndPoint);
        }
        finally
        {
            EndReceive();
        }
    }

    // The rules that need the connection's state; the parser has checked sizes and ranges already.
    private void OnMessage()
    {
        Volatile.Write(ref lastReceived, Environment.TickCount64);
        var message = reader.Current;
        CurrentBlockKind = ReceivedBlockKind.None;
        switch (message.Id)
        {
            case PeerMessageId.KeepAlive:
                return;
            case PeerMessageId.Piece:
                CurrentBlockKind = requests.Receive(message.PieceIndex, message.Begin, message.Length, PeerMessageId.Piece);
                break;
            case PeerMessageId.Choke:
                // BEP 3: a choke discards our pending requests; BEP 6 changes that: each is answered by a reject.
                if (!FastExtension)
                    requests.DropAll(droppedByChoke);
                break;
            case PeerMessageId.Bitfield:
            case PeerMessageId.HaveAll:
            case PeerMessageId.HaveNone:
                if (message.Id != PeerMessageId.Bitfield)
                    RequireFastExtensionFromPeer(message.Id);
                // BEP 3: the bitfield is only ever the first message; BEP 6: have all/none take its place.
                if (sawFirstMessage)
                    throw new PeerProtocolException(PeerProtocolError.UnexpectedMessage, $"{Describe(message.Id)} after other messages; it may only come first (BEP 3, BEP 6)");
                break;
            case PeerMessageId.Reject:
                RequireFastExtensionFromPeer(message.Id);
                requests.Receive(message.PieceIndex, message.Begin, message.Length, PeerMessageId.Reject);
                break;
            case PeerMessageId.Suggest:
            case PeerMessageId.AllowedFast:
                RequireFastExtensionFromPeer(message.Id);
                break;
        }
        // The extension handshake (BEP 10) and the DHT port may come before the bitfield.
        if (message.Id is not (PeerMessageId.Extended or PeerMessageId.Port))
            sawFirstMessage = true;
    }

    private void RequireFastExtensionFromPeer(PeerMessageId id)
    {
        // BEP 6: "If the fast extension is not enabled, then a peer MUST close the connection" on these.
        if (!FastExtension)
            throw new PeerProtocolException(PeerProtocolError.UnexpectedMessage, $"{Describe(id)} without the fast extension agreed in the handshake (BEP 6)");
    }

    private void RequireFastExtension(PeerMessageId id)
    {
        if (!FastExtension)
            throw new InvalidOperationException($"{Describe(id)} needs the fast extension (BEP 6), which peer {RemoteEndPoint} did not agree to.");
    }

    private static string Describe(PeerMessageId id) => id switch
    {
        PeerMessageId.HaveAll => "have all",
        PeerMessageId.HaveNone => "have none",
        PeerMessageId.AllowedFast => "allowed fast",
        _ => id.ToString().ToLowerInvariant(),
    };

    private void EndReceive()
    {
        // If DisposeAsync ran meanwhile it left the pipe reader to us.
        Volatile.Write(ref receiveState, ReceiveFree);
        if (Volatile.Read(ref disposed) == 1 && Interlocked.CompareExchange(ref receiveState, ReceiveClosed, ReceiveFree) == ReceiveFree)
            CompleteReader();
    }

    private void CompleteReader()
    {
        try
        {
            reader.Release();
            input.Complete();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or ObjectDisposedException)
        {
            // The connection is gone either way.
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAsync<TState>(TState state, Action<IBufferWriter<byte>, TState> write, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) == 1, this);
        await sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) == 1, this);
            write(output, state);
            Volatile.Write(ref lastSent, Environment.TickCount64);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            sendGate.Release();
        }
    }

    private void OnTimer()
    {
        if (Volatile.Read(ref disposed) == 1)
            return;
        var now = Environment.TickCount64;
        if (now - Volatile.Read(ref lastReceived) >= (long)options.IdleTimeout.TotalMilliseconds)
        {
            // Wakes the pending receive, which reports the idle timeout.
            if (Interlocked.Exchange(ref idleTimedOut, 1) == 0)
                input.CancelPendingRead();
        }
        else if (now - Volatile.Read(ref lastSent) >= (long)options.KeepAliveInterval.TotalMilliseconds)
        {
            _ = SendKeepAliveFromTimerAsync();
        }
    }

    private async Task SendKeepAliveFromTimerAsync()
    {
        // Only when no send is running: a send in progress is activity enough.
        if (!sendGate.Wait(0))
            return;
        try
        {
            if (Volatile.Read(ref disposed) == 1)
                return;
            PeerMessageWriter.WriteKeepAlive(output);
            Volatile.Write(ref lastSent, Environment.TickCount64);
            await output.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // A broken connection shows up in the next receive.
        }
        finally
        {
            sendGate.Release();
        }
    }

    private static async ValueTask CompleteQuietlyAsync(PipeWriter writer)
    {
        try
        {
            await writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Unsent bytes of a closed connection are lost by design.
        }
    }

    private static void Configure(Socket socket, PeerConnectionOptions options)
    {
        // Requests and haves are small and latency-bound; Nagle would hold them back.
        socket.NoDelay = true;
        if (options.SocketBufferSize > 0)
        {
            socket.ReceiveBufferSize = options.SocketBufferSize;
            socket.SendBufferSize = options.SocketBufferSize;
        }
    }
}
