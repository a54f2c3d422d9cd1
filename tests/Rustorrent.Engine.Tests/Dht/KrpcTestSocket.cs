using System.Net;
using System.Net.Sockets;
using Rustorrent.Dht;

namespace Rustorrent.Engine.Tests.Dht;

/// <summary>A raw UDP socket on 127.0.0.1 that speaks (or mangles) KRPC at a node, with bounded waits.</summary>
internal sealed class KrpcTestSocket : IDisposable
{
    private readonly UdpClient udp = new(new IPEndPoint(IPAddress.Loopback, 0));

    public IPEndPoint EndPoint => (IPEndPoint)udp.Client.LocalEndPoint!;

    public Task SendAsync(byte[] datagram, IPEndPoint to) => udp.SendAsync(datagram, to).AsTask();

    /// <summary>The next datagram, or null if none comes within <paramref name="timeout"/>.</summary>
    public async Task<(byte[] Data, IPEndPoint From)?> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var result = await udp.ReceiveAsync(cts.Token);
            return (result.Buffer, result.RemoteEndPoint);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// The next response or error, or null if none comes within <paramref name="timeout"/>. Queries are skipped:
    /// a node adds whoever queries it to its routing table, so its bootstrap may well ask us something.
    /// </summary>
    public async Task<(byte[] Data, IPEndPoint From)?> ReceiveReplyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var datagram = await ReceiveAsync(deadline - DateTime.UtcNow);
            if (datagram is null)
                return null;
            if (!IsQuery(datagram.Value.Data))
                return datagram;
        }
        return null;
    }

    /// <summary>Sends and waits for the reply, decoded.</summary>
    public async Task<KrpcMessage> AskAsync(byte[] query, IPEndPoint to)
    {
        await SendAsync(query, to);
        var reply = await ReceiveReplyAsync(TimeSpan.FromSeconds(5)) ?? throw new TimeoutException("no reply within 5 s");
        return KrpcCodec.Decode(reply.Data);
    }

    private static bool IsQuery(byte[] data)
    {
        try
        {
            return KrpcCodec.Decode(data) is KrpcQuery;
        }
        catch (KrpcFormatException)
        {
            return false;
        }
    }

    public void Dispose() => udp.Dispose();
}
