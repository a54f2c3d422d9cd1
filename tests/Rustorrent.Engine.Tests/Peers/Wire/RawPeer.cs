using System.Net;
using System.Net.Sockets;
using Rustorrent.Peers;

namespace Rustorrent.Engine.Tests.Peers.Wire;

/// <summary>A scripted peer on 127.0.0.1 that sends exactly the bytes a test gives it: the hostile fixture.</summary>
internal sealed class RawPeer : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly TcpListener listener;
    private Socket? socket;

    public RawPeer()
    {
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
    }

    public PeerEndpoint EndPoint => new(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);

    /// <summary>Waits for our side to connect.</summary>
    public async Task AcceptAsync()
    {
        socket = await listener.AcceptSocketAsync().WaitAsync(Patience);
        socket.NoDelay = true;
    }

    /// <summary>Dials <paramref name="endPoint"/> as the peer would.</summary>
    public async Task ConnectAsync(IPEndPoint endPoint)
    {
        socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint).WaitAsync(Patience);
    }

    public async Task SendAsync(byte[] bytes) => await Socket.SendAsync(bytes.AsMemory()).AsTask().WaitAsync(Patience);

    public async Task<byte[]> ReceiveExactlyAsync(int count)
    {
        var buffer = new byte[count];
        for (var got = 0; got < count;)
        {
            var n = await Socket.ReceiveAsync(buffer.AsMemory(got)).AsTask().WaitAsync(Patience);
            if (n == 0)
                throw new EndOfStreamException($"closed after {got} of {count} bytes");
            got += n;
        }
        return buffer;
    }

    /// <summary>Everything until the other side closes (bounded by the patience and 1 MiB).</summary>
    public async Task<byte[]> ReceiveToEndAsync()
    {
        var all = new MemoryStream();
        var buffer = new byte[65536];
        while (all.Length < 1024 * 1024)
        {
            int n;
            try
            {
                n = await Socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(Patience);
            }
            catch (SocketException)
            {
                break;
            }
            if (n == 0)
                break;
            all.Write(buffer, 0, n);
        }
        return all.ToArray();
    }

    public void Close() => socket?.Dispose();

    private Socket Socket => socket ?? throw new InvalidOperationException("Not connected yet.");

    public ValueTask DisposeAsync()
    {
        socket?.Dispose();
        listener.Stop();
        listener.Dispose();
        return ValueTask.CompletedTask;
    }
}
