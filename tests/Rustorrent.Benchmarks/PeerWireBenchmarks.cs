using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.Peers.Wire;

namespace Rustorrent.Benchmarks;

/// <summary>
/// The peer wire's hot path, 16 MiB (1,024 blocks of 16 KiB) per operation, so MB/s = 16.78 / mean seconds:
/// parsing piece messages from a buffered stream (parser alone, and the pipe reader copying every block
/// into a piece buffer), and a real download over a loopback TCP connection between two of our
/// connections (requests pipelined 64 deep, pieces served and copied out), the number to hold against
/// libtorrent on loopback.
/// </summary>
[MemoryDiagnoser]
public class PeerWireBenchmarks
{
    private const int BlockLength = 16 * 1024;
    private const int PieceLength = 256 * 1024;
    private const int Blocks = 1024;
    private const int BlocksPerPiece = PieceLength / BlockLength;
    private const int Pipelined = 64;

    private static readonly WireLimits Limits = WireLimits.ForPieces(Blocks / BlocksPerPiece, PieceLength, (long)Blocks * BlockLength);

    private readonly byte[] pieceBuffer = new byte[PieceLength];
    private readonly byte[] block = new byte[BlockLength];
    private ReadOnlySequence<byte> stream;
    private PeerConnection? leecher;
    private PeerConnection? seeder;
    private Task? serving;
    private CancellationTokenSource? stop;

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(block);
        // The stream as a socket would deliver it: 128 KiB segments, so blocks straddle segment ends.
        var bytes = new byte[Blocks * (13 + BlockLength)];
        for (var i = 0; i < Blocks; i++)
        {
            var at = bytes.AsSpan(i * (13 + BlockLength));
            BinaryPrimitives.WriteUInt32BigEndian(at, 9 + BlockLength);
            at[4] = 7;
            BinaryPrimitives.WriteUInt32BigEndian(at[5..], (uint)(i / BlocksPerPiece));
            BinaryPrimitives.WriteUInt32BigEndian(at[9..], (uint)(i % BlocksPerPiece * BlockLength));
            block.CopyTo(at[13..]);
        }
        stream = Segments(bytes, 128 * 1024);
    }

    [GlobalSetup(Target = nameof(Loopback_download_16MiB))]
    public void SetupLoopback()
    {
        Setup();
        (leecher, seeder) = ConnectPairAsync().GetAwaiter().GetResult();
        stop = new CancellationTokenSource();
        serving = Task.Run(() => ServeAsync(seeder, stop.Token));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        stop?.Cancel();
        leecher?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        seeder?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        try
        {
            serving?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The serving loop ends with the connection.
        }
    }

    [Benchmark(Baseline = true)]
    public long Parser_only_16MiB()
    {
        var buffer = stream;
        long total = 0;
        while (PeerMessageParser.TryParse(buffer, Limits, out var message, out var consumed))
        {
            total += message.Length;
            buffer = buffer.Slice(consumed);
        }
        return total;
    }

    [Benchmark]
    public async Task<long> Reader_copying_blocks_16MiB()
    {
        var reader = new PeerMessageReader(PipeReader.Create(stream), Limits);
        long total = 0;
        while (await reader.MoveNextAsync(CancellationToken.None))
        {
            var message = reader.Current;
            message.Payload.CopyTo(pieceBuffer.AsSpan(message.Begin));
            total += message.Length;
        }
        return total;
    }

    [Benchmark]
    public async Task<long> Loopback_download_16MiB()
    {
        var connection = leecher!;
        var requests = new BlockRequest[Pipelined];
        var next = 0;
        var received = 0;
        long total = 0;

        var n = FillRequests(requests, ref next, Pipelined);
        await connection.SendRequestsAsync(requests.AsMemory(0, n));
        while (received < Blocks)
        {
            if (!await connection.ReceiveAsync())
                throw new InvalidOperationException("The seeder closed the connection.");
            var message = connection.Current;
            if (message.Id != PeerMessageId.Piece)
                continue;
            message.Payload.CopyTo(pieceBuffer.AsSpan(message.Begin));
            total += message.Length;
            received++;
            // Top the pipeline up in batches of 16 requests, one write each.
            if (next < Blocks && connection.OutstandingRequestCount <= Pipelined - 16)
            {
                n = FillRequests(requests, ref next, 16);
                await connection.SendRequestsAsync(requests.AsMemory(0, n));
            }
        }
        return total;
    }

    private static int FillRequests(BlockRequest[] into, ref int next, int count)
    {
        var n = 0;
        for (; n < count && next < Blocks; n++, next++)
            into[n] = new BlockRequest(next / BlocksPerPiece, next % BlocksPerPiece * BlockLength, BlockLength);
        return n;
    }

    private async Task ServeAsync(PeerConnection connection, CancellationToken cancellationToken)
    {
        while (await connection.ReceiveAsync(cancellationToken))
        {
            var message = connection.Current;
            if (message.Id == PeerMessageId.Request)
                await connection.SendPieceAsync(message.PieceIndex, message.Begin, block.AsMemory(0, message.Length), cancellationToken);
        }
    }

    private static async Task<(PeerConnection Leecher, PeerConnection Seeder)> ConnectPairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var infoHash = new InfoHash(new byte[20]);
        var connecting = PeerConnection.ConnectAsync(new PeerEndpoint(IPAddress.Loopback, port), new PeerHandshake(infoHash, PeerId.Create()), Limits);
        var seeder = await PeerConnection.AcceptAsync(await listener.AcceptSocketAsync(), PeerId.Create(), PeerHandshake.DefaultReserved, _ => Limits);
        return (await connecting, seeder);
    }

    private static ReadOnlySequence<byte> Segments(byte[] data, int size)
    {
        Segment? first = null, last = null;
        for (var offset = 0; offset < data.Length; offset += size)
        {
            var next = new Segment(data.AsMemory(offset, Math.Min(size, data.Length - offset)), offset);
            if (last is null)
                first = next;
            else
                last.SetNext(next);
            last = next;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
