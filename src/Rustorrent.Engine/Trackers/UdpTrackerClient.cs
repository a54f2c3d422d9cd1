using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Rustorrent.Metainfo;
using Rustorrent.Peers;

namespace Rustorrent.Trackers;

/// <summary>
/// A UDP tracker (BEP 15): connect, then announce or scrape with the connection id, which is cached for
/// its minute. Each request is retransmitted after 15 x 2^n seconds (n = 0, 1, ...), all within
/// <see cref="TrackerOptions.Timeout"/>. A reply is matched by its transaction id; others are ignored.
/// </summary>
internal sealed class UdpTrackerClient : ITrackerClient
{
    // The largest UDP payload, so no datagram is ever cut short by our buffer.
    private const int ReceiveBufferSize = 65536;

    private readonly TrackerOptions options;
    private readonly UdpConnectionIdCache connections;
    private readonly string host;
    private readonly int port;

    public UdpTrackerClient(Uri uri, UdpConnectionIdCache? connections = null, TrackerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || !string.Equals(uri.Scheme, "udp", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"'{uri}' is not a udp:// tracker URL.", nameof(uri));
        if (uri.Port is < 1 or > ushort.MaxValue)
            throw new ArgumentException($"The UDP tracker URL '{uri}' has no port.", nameof(uri));
        Uri = uri;
        host = uri.DnsSafeHost;
        port = uri.Port;
        this.connections = connections ?? new UdpConnectionIdCache();
        this.options = options ?? TrackerOptions.Default;
        this.options.Validate();
    }

    public Uri Uri { get; }

    public Task<AnnounceResponse> AnnounceAsync(AnnounceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        return RunAsync(UdpTrackerAction.Announce, (exchange, token) => AnnounceAsync(exchange, request, token), cancellationToken);
    }

    public Task<ScrapeResponse> ScrapeAsync(InfoHash infoHash, CancellationToken cancellationToken)
    {
        if (infoHash.IsEmpty)
            throw new ArgumentException("The scrape has no info hash.", nameof(infoHash));
        return RunAsync(UdpTrackerAction.Scrape, (exchange, token) => ScrapeAsync(exchange, infoHash, token), cancellationToken);
    }

    private async Task<AnnounceResponse> AnnounceAsync(Exchange exchange, AnnounceRequest request, CancellationToken token)
    {
        int length;
        while (true)
        {
            var (connectionId, expires) = await ConnectAsync(exchange, token).ConfigureAwait(false);
            var transactionId = exchange.NewTransactionId();
            UdpTrackerMessages.WriteAnnounce(exchange.Send, connectionId, transactionId, request);
            length = await RequestAsync(exchange, UdpTrackerMessages.AnnounceRequestLength, UdpTrackerAction.Announce, transactionId, connectionId, expires, token).ConfigureAwait(false);
            if (length >= 0)
                break;
        }

        var reply = exchange.Receive.AsSpan(0, length);
        var interval = BinaryPrimitives.ReadInt32BigEndian(reply[8..]);
        var leechers = BinaryPrimitives.ReadInt32BigEndian(reply[12..]);
        var seeders = BinaryPrimitives.ReadInt32BigEndian(reply[16..]);
        if (interval < 0 || leechers < 0 || seeders < 0)
            throw Invalid($"the announce reply has a negative interval ({interval}), leecher count ({leechers}) or seeder count ({seeders})");

        // BEP 15: the peers are 6-byte entries when we talk to the tracker over IPv4, 18-byte over IPv6.
        var entryLength = exchange.Tracker.AddressFamily == AddressFamily.InterNetworkV6 ? PeerEndpoint.CompactIPv6Length : PeerEndpoint.CompactIPv4Length;
        var compact = reply[UdpTrackerMessages.AnnounceReplyHeaderLength..];
        if (compact.Length % entryLength != 0)
            throw Invalid($"the announce reply has {compact.Length} bytes of peers, not a whole number of {entryLength}-byte entries");
        var peers = new PeerListBuilder(options.MaxPeersPerResponse);
        peers.AddCompact(compact, entryLength);
        return new AnnounceResponse
        {
            Peers = peers.ToList(),
            Interval = TimeSpan.FromSeconds(interval),
            Seeders = seeders,
            Leechers = leechers,
        };
    }

    private async Task<ScrapeResponse> ScrapeAsync(Exchange exchange, InfoHash infoHash, CancellationToken token)
    {
        int length;
        while (true)
        {
            var (connectionId, expires) = await ConnectAsync(exchange, token).ConfigureAwait(false);
            var transactionId = exchange.NewTransactionId();
            UdpTrackerMessages.WriteScrape(exchange.Send, connectionId, transactionId, infoHash);
            length = await RequestAsync(exchange, UdpTrackerMessages.ScrapeRequestLength, UdpTrackerAction.Scrape, transactionId, connectionId, expires, token).ConfigureAwait(false);
            if (length >= 0)
                break;
        }

        // BEP 15 orders the scrape counts seeders, completed, leechers.
        var reply = exchange.Receive.AsSpan(0, length);
        var seeders = BinaryPrimitives.ReadInt32BigEndian(reply[8..]);
        var completed = BinaryPrimitives.ReadInt32BigEndian(reply[12..]);
        var leechers = BinaryPrimitives.ReadInt32BigEndian(reply[16..]);
        if (seeders < 0 || completed < 0 || leechers < 0)
            throw Invalid($"the scrape reply has a negative count (seeders {seeders}, completed {completed}, leechers {leechers})");
        return new ScrapeResponse { Seeders = seeders, Completed = completed, Leechers = leechers };
    }

    /// <summary>A connection id for the tracker: the cached one while it is valid, else a fresh one.</summary>
    private async Task<(long ConnectionId, DateTimeOffset Expires)> ConnectAsync(Exchange exchange, CancellationToken token)
    {
        if (connections.TryGet(exchange.Tracker, out var cached, out var cachedExpires))
            return (cached, cachedExpires);
        var transactionId = exchange.NewTransactionId();
        UdpTrackerMessages.WriteConnect(exchange.Send, transactionId);
        var length = await RequestAsync(exchange, UdpTrackerMessages.ConnectRequestLength, UdpTrackerAction.Connect, transactionId, null, null, token).ConfigureAwait(false);
        var connectionId = UdpTrackerMessages.ReadConnectionId(exchange.Receive.AsSpan(0, length));
        return (connectionId, connections.Set(exchange.Tracker, connectionId));
    }

    /// <summary>
    /// Sends the request in <see cref="Exchange.Send"/> and waits for its reply, retransmitting after
    /// 15 x 2^n seconds. Returns the reply's length in <see cref="Exchange.Receive"/>, or -1 when a
    /// retransmission is due after <paramref name="connectionExpires"/>: the caller then reconnects, since
    /// the tracker may no longer accept the id.
    /// </summary>
    private async Task<int> RequestAsync(Exchange exchange, int requestLength, UdpTrackerAction action, int transactionId,
        long? connectionId, DateTimeOffset? connectionExpires, CancellationToken token)
    {
        exchange.CurrentAction = action;
        for (var attempt = 0; ; attempt++)
        {
            if (connectionExpires is { } expires && connections.IsExpired(expires))
                return -1;
            await exchange.Socket.SendAsync(exchange.Send.AsMemory(0, requestLength), SocketFlags.None, token).ConfigureAwait(false);
            exchange.RequestsSent++;

            using var window = CancellationTokenSource.CreateLinkedTokenSource(token);
            window.CancelAfter(RetransmitWait(attempt));
            var length = await ReceiveReplyAsync(exchange, transactionId, action, window.Token, token).ConfigureAwait(false);
            if (length >= 0)
            {
                var replyAction = UdpTrackerMessages.ReadAction(exchange.Receive);
                if (replyAction == UdpTrackerAction.Error)
                {
                    // The id may be what it refused (expired, or from before a tracker restart): do not reuse it.
                    if (connectionId is { } id)
                        connections.Invalidate(exchange.Tracker, id);
                    var message = TrackerText.Clean(exchange.Receive.AsSpan(UdpTrackerMessages.ReplyHeaderLength, length - UdpTrackerMessages.ReplyHeaderLength));
                    throw new TrackerException(Uri, TrackerErrorKind.TrackerFailure,
                        message.Length == 0 ? $"the tracker refused the {Describe(action)} without a message" : $"the tracker refused: {message}");
                }
                return length;
            }
            if (attempt >= options.UdpMaxRetransmits)
                throw new TrackerException(Uri, TrackerErrorKind.Timeout, $"no reply to the {Describe(action)} after {exchange.RequestsSent} requests{exchange.DescribeIgnored()}");
        }
    }

    /// <summary>
    /// Waits for the reply with <paramref name="transactionId"/> until <paramref name="window"/> ends (then
    /// returns -1 to retransmit). Datagrams with another transaction id are stale or forged and are ignored;
    /// one with ours but the wrong action or too short comes from the tracker and is an error (libtorrent
    /// does the same).
    /// </summary>
    private async Task<int> ReceiveReplyAsync(Exchange exchange, int transactionId, UdpTrackerAction action, CancellationToken window, CancellationToken token)
    {
        while (true)
        {
            int length;
            try
            {
                length = await exchange.Socket.ReceiveAsync(exchange.Receive, SocketFlags.None, window).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                return -1;
            }

            var reply = exchange.Receive.AsSpan(0, length);
            if (length < UdpTrackerMessages.ReplyHeaderLength)
            {
                exchange.Ignored($"a datagram of {length} bytes, too short for a reply");
                continue;
            }
            var replyTransactionId = UdpTrackerMessages.ReadTransactionId(reply);
            if (replyTransactionId != transactionId)
            {
                exchange.Ignored($"a reply with transaction id {replyTransactionId} instead of {transactionId}");
                continue;
            }

            var replyAction = UdpTrackerMessages.ReadAction(reply);
            if (replyAction == UdpTrackerAction.Error)
                return length;
            if (replyAction != action)
                throw Invalid($"the reply to the {Describe(action)} request has action {(int)replyAction} ({Describe(replyAction)})");
            var minimum = UdpTrackerMessages.MinimumReplyLength(action);
            if (length < minimum)
                throw Invalid($"the {Describe(action)} reply is {length} bytes, shorter than the {minimum} bytes it must have");
            return length;
        }
    }

    private TimeSpan RetransmitWait(int attempt)
    {
        var n = Math.Min(attempt, options.UdpMaxRetransmits);
        var ticks = options.UdpRetransmitBase.Ticks;
        return ticks > TimeSpan.MaxValue.Ticks >> n ? TimeSpan.MaxValue : TimeSpan.FromTicks(ticks << n);
    }

    /// <summary>Runs one announce or scrape in its own socket under the client's time limit, turning every
    /// failure into a <see cref="TrackerException"/> (or <see cref="OperationCanceledException"/> when the
    /// caller cancelled).</summary>
    private async Task<T> RunAsync<T>(UdpTrackerAction action, Func<Exchange, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var token = timeout.Token;
        Exchange? exchange = null;
        try
        {
            var tracker = await ResolveAsync(token).ConfigureAwait(false);
            exchange = new Exchange(tracker);
            return await work(exchange, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // Name the step that went unanswered: a tracker that never answers the connect is not one that
            // ignores our announces.
            var sent = exchange is null ? "" : $" ({exchange.RequestsSent} requests sent{exchange.DescribeIgnored()})";
            throw new TrackerException(Uri, TrackerErrorKind.Timeout,
                $"no reply to the {Describe(exchange?.CurrentAction ?? action)} within {options.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s{sent}", e);
        }
        catch (SocketException e)
        {
            // On a connected UDP socket, an ICMP "port unreachable" comes back as ConnectionRefused.
            var what = e.SocketErrorCode switch
            {
                SocketError.ConnectionRefused or SocketError.ConnectionReset => $"nothing listens on udp {exchange?.Tracker}",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"cannot resolve the host name '{host}'",
                _ => $"cannot talk to udp {exchange?.Tracker.ToString() ?? host}",
            };
            throw new TrackerException(Uri, TrackerErrorKind.Unreachable, $"{what} ({e.SocketErrorCode}: {e.Message})", e);
        }
        finally
        {
            exchange?.Dispose();
        }
    }

    private async Task<IPEndPoint> ResolveAsync(CancellationToken token)
    {
        if (IPAddress.TryParse(host, out var literal))
            return new IPEndPoint(literal, port);
        var addresses = await Dns.GetHostAddressesAsync(host, token).ConfigureAwait(false);
        // IPv4 first: it is what nearly every UDP tracker answers on; an IPv6-only name still works.
        var address = Array.Find(addresses, a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? Array.Find(addresses, a => a.AddressFamily == AddressFamily.InterNetworkV6)
            ?? throw new TrackerException(Uri, TrackerErrorKind.Unreachable, $"the host name '{host}' has no IPv4 or IPv6 address");
        return new IPEndPoint(address, port);
    }

    private TrackerException Invalid(string reason) => new(Uri, TrackerErrorKind.InvalidResponse, reason);

    private static string Describe(UdpTrackerAction action) => action switch
    {
        UdpTrackerAction.Connect => "connect",
        UdpTrackerAction.Announce => "announce",
        UdpTrackerAction.Scrape => "scrape",
        UdpTrackerAction.Error => "error",
        _ => "unknown",
    };

    /// <summary>One announce or scrape: a socket connected to the tracker (so the kernel drops datagrams from
    /// anyone else) and its buffers.</summary>
    private sealed class Exchange : IDisposable
    {
        private string? lastIgnored;
        private int ignoredCount;

        public Exchange(IPEndPoint tracker)
        {
            Tracker = tracker;
            Socket = new Socket(tracker.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                Socket.Connect(tracker);
            }
            catch
            {
                Socket.Dispose();
                throw;
            }
            Receive = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
        }

        public IPEndPoint Tracker { get; }

        public Socket Socket { get; }

        public byte[] Send { get; } = new byte[UdpTrackerMessages.AnnounceRequestLength];

        public byte[] Receive { get; }

        public int RequestsSent { get; set; }

        /// <summary>The request now waiting for its reply (connect first, then the announce or scrape).</summary>
        public UdpTrackerAction? CurrentAction { get; set; }

        public int NewTransactionId() => Random.Shared.Next(int.MinValue, int.MaxValue);

        public void Ignored(string what)
        {
            ignoredCount++;
            lastIgnored = what;
        }

        public string DescribeIgnored() =>
            ignoredCount == 0 ? "" : $"; ignored {ignoredCount} datagram{(ignoredCount == 1 ? "" : "s")}, the last {lastIgnored}";

        public void Dispose()
        {
            Socket.Dispose();
            ArrayPool<byte>.Shared.Return(Receive);
        }
    }
}
