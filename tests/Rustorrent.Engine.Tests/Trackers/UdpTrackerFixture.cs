using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Rustorrent.Peers;

namespace Rustorrent.Engine.Tests.Trackers;

/// <summary>
/// An in-process UDP tracker on a loopback address. The handler sees each datagram and returns the
/// datagrams to send back (none to stay silent), so a test can answer late, wrongly or not at all.
/// <see cref="Standard"/> builds a well-behaved BEP 15 tracker to start from.
/// </summary>
internal sealed class UdpTrackerFixture : IAsyncDisposable
{
    public const long ConnectionIdGiven = 0x1122334455667788;

    private readonly UdpClient udp;
    private readonly Func<UdpTrackerPacket, IEnumerable<byte[]>> handler;
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentQueue<UdpTrackerPacket> received = new();
    private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly Task loop;

    public UdpTrackerFixture(Func<UdpTrackerPacket, IEnumerable<byte[]>> handler, IPAddress? address = null)
    {
        this.handler = handler;
        address ??= IPAddress.Loopback;
        udp = new UdpClient(new IPEndPoint(address, 0));
        EndPoint = (IPEndPoint)udp.Client.LocalEndPoint!;
        loop = ServeAsync();
    }

    public IPEndPoint EndPoint { get; }

    public Uri AnnounceUri => EndPoint.AddressFamily == AddressFamily.InterNetworkV6
        ? new Uri($"udp://[{EndPoint.Address}]:{EndPoint.Port}/announce")
        : new Uri($"udp://{EndPoint.Address}:{EndPoint.Port}/announce");

    public IReadOnlyList<UdpTrackerPacket> Received => received.ToArray();

    public int Count(int action) => received.Count(p => p.Data.Length >= 16 && p.Action == action);

    public int Connects => Count(0);

    public int Announces => Count(1);

    public int Scrapes => Count(2);

    /// <summary>
    /// A correct tracker: gives <see cref="ConnectionIdGiven"/>, answers announces with the given peers (6 or
    /// 18 bytes each, by the family of the fixture's address) and scrapes with the given counts, and refuses
    /// a request that carries another connection id.
    /// </summary>
    public static Func<UdpTrackerPacket, IEnumerable<byte[]>> Standard(IReadOnlyList<PeerEndpoint> peers, int interval = 1800, int leechers = 3, int seeders = 7,
        (int Seeders, int Completed, int Leechers)? scrape = null) => packet =>
    {
        if (packet.Data.Length < 16)
            return [];
        switch (packet.Action)
        {
            case 0:
                return [ConnectReply(packet.TransactionId, ConnectionIdGiven)];
            case 1:
                return packet.ConnectionId != ConnectionIdGiven
                    ? [ErrorReply(packet.TransactionId, "bad connection id")]
                    : [AnnounceReply(packet.TransactionId, interval, leechers, seeders, peers)];
            case 2:
                var (s, c, l) = scrape ?? (1, 2, 3);
                return packet.ConnectionId != ConnectionIdGiven
                    ? [ErrorReply(packet.TransactionId, "bad connection id")]
                    : [ScrapeReply(packet.TransactionId, s, c, l)];
            default:
                return [];
        }
    };

    public static byte[] ConnectReply(int transactionId, long connectionId)
    {
        var reply = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(reply, 0);
        BinaryPrimitives.WriteInt32BigEndian(reply.AsSpan(4), transactionId);
        BinaryPrimitives.WriteInt64BigEndian(reply.AsSpan(8), connectionId);
        return reply;
    }

    public static byte[] AnnounceReply(int transactionId, int interval, int leechers, int seeders, IReadOnlyList<PeerEndpoint> peers)
    {
        var compact = peers.SelectMany(p => p.ToCompact()).ToArray();
        var reply = new byte[20 + compact.Length];
        BinaryPrimitives.WriteInt32BigEndian(reply, 1);
        BinaryPrimitives.WriteInt32BigEndian(reply.AsSpan(4), transactionId);
        BinaryPrimitives.WriteInt32BigEndian(reply.AsSpan(8), interval);
        BinaryPrimitives.WriteInt32BigEndian(reply.AsSpan(12), leechers);
        BinaryPrimitives.WriteInt32BigEndian(reply.AsSpan(16), seeders);
        compact.CopyTo(reply, 20);
        return reply;
    }

    public static byte[] ScrapeReply(int transactionId, int seeders, int completed, int leechers)
    {
        var reply = new byte[20];
        BinaryPrimitives.WriteInt32BigEndian(reply, 2);
        BinaryPrimitives.WriteInt32BigEndian(reply.AsSpan(4), transactionId);
        BinaryPrimitives.WriteInt32BigEndian(reply.AsSpan(8), seeders);
        BinaryPrimitives.WriteInt32BigEndian(reply.AsSpan(12), completed);
        BinaryPrimitives.WriteInt32BigEndian(reply.AsSpan(16), leechers);
        return reply;
    }

    public static byte[] ErrorReply(int transactionId, string message)
    {
        var text = Encoding.UTF8.GetBytes(message);
        var reply = new byte[8 + text.Length];
        BinaryPrimitives.WriteInt32BigEndian(reply, 3);
        BinaryPrimitives.WriteInt32BigEndian(reply.AsSpan(4), transactionId);
        text.CopyTo(reply, 8);
        return reply;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await loop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        udp.Dispose();
        stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            UdpReceiveResult datagram;
            try
            {
                datagram = await udp.ReceiveAsync(stop.Token);
            }
            catch (SocketException)
            {
                // An ICMP error for an earlier reply (the client's socket closed): keep serving.
                continue;
            }
            var packet = new UdpTrackerPacket(datagram.Buffer, clock.Elapsed);
            received.Enqueue(packet);
            foreach (var reply in handler(packet))
                await udp.SendAsync(reply, datagram.RemoteEndPoint, stop.Token);
        }
    }
}
