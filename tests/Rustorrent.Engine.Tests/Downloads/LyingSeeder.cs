using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Rustorrent.Metainfo;
using Rustorrent.Peers;

namespace Rustorrent.Engine.Tests.Downloads;

/// <summary>
/// A hostile peer on its own loopback address: it claims every piece, unchokes at once, and answers every
/// request with random bytes of the right length (a piece poisoner).
/// </summary>
internal sealed class LyingSeeder : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stop = new();
    private readonly Task acceptLoop;
    private readonly byte[] infoHash;
    private readonly int pieceCount;
    private int blocksSent;

    public LyingSeeder(IPAddress address, InfoHash hash, int pieceCount)
    {
        infoHash = hash.Truncated.ToArray();
        this.pieceCount = pieceCount;
        listener = new TcpListener(address, 0);
        listener.Start();
        EndPoint = new PeerEndpoint(address, ((IPEndPoint)listener.LocalEndpoint).Port);
        acceptLoop = AcceptAsync();
    }

    public PeerEndpoint EndPoint { get; }

    public int BlocksSent => Volatile.Read(ref blocksSent);

    private async Task AcceptAsync()
    {
        var clients = new List<Task>();
        try
        {
            while (true)
                clients.Add(ServeAsync(await listener.AcceptTcpClientAsync(stop.Token)));
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
        }
        await Task.WhenAll(clients);
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var random = new Random(7);
        try
        {
            var handshake = new byte[68];
            await stream.ReadExactlyAsync(handshake, stop.Token);
            var reply = new byte[68];
            reply[0] = 19;
            "BitTorrent protocol"u8.CopyTo(reply.AsSpan(1));
            infoHash.CopyTo(reply, 28);
            "-XX0000-liarliarliar"u8.CopyTo(reply.AsSpan(48));
            await stream.WriteAsync(reply, stop.Token);

            // Bitfield with every piece (spare bits zero, BEP 3), then unchoke.
            var bitfield = new byte[(pieceCount + 7) / 8];
            for (var i = 0; i < pieceCount; i++)
                bitfield[i / 8] |= (byte)(0x80 >> (i % 8));
            var hello = new byte[5 + bitfield.Length + 5];
            BinaryPrimitives.WriteInt32BigEndian(hello, 1 + bitfield.Length);
            hello[4] = 5;
            bitfield.CopyTo(hello, 5);
            BinaryPrimitives.WriteInt32BigEndian(hello.AsSpan(5 + bitfield.Length), 1);
            hello[^1] = 1;
            await stream.WriteAsync(hello, stop.Token);

            var header = new byte[4];
            var body = new byte[64];
            while (true)
            {
                await stream.ReadExactlyAsync(header, stop.Token);
                var length = BinaryPrimitives.ReadInt32BigEndian(header);
                if (length == 0)
                    continue;
                if (length > body.Length)
                    return; // we never expect big messages from the downloader
                await stream.ReadExactlyAsync(body.AsMemory(0, length), stop.Token);
                if (body[0] != 6 || length != 13)
                    continue;
                var blockLength = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(9));
                var piece = new byte[13 + blockLength];
                BinaryPrimitives.WriteInt32BigEndian(piece, 9 + blockLength);
                piece[4] = 7;
                body.AsSpan(1, 8).CopyTo(piece.AsSpan(5));
                random.NextBytes(piece.AsSpan(13));
                await stream.WriteAsync(piece, stop.Token);
                Interlocked.Increment(ref blocksSent);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or EndOfStreamException)
        {
            // The downloader hung up on us (or banned us): that is the point.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await acceptLoop;
        stop.Dispose();
    }
}
