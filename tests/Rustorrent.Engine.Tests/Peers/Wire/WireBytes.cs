using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.Peers.Wire;

namespace Rustorrent.Engine.Tests.Peers.Wire;

/// <summary>Raw peer wire bytes written by hand (not by the code under test), and ways to feed them to a reader.</summary>
internal static class WireBytes
{
    public const int PieceLength = 32 * 1024;
    public const int PieceCount = 40;
    public const int LastPieceLength = 10_000;

    /// <summary>40 pieces of 32 KiB, the last one 10,000 bytes: bitfield 5 bytes, no spare bits.</summary>
    public static readonly WireLimits Limits = WireLimits.ForPieces(PieceCount, PieceLength, 39L * PieceLength + LastPieceLength);

    /// <summary>100 pieces: a 13-byte bitfield with 4 spare bits.</summary>
    public static readonly WireLimits HundredPieces = WireLimits.ForPieces(100, 16 * 1024, 100L * 16 * 1024);

    public static readonly byte[] InfoHashBytes = Enumerable.Range(1, 20).Select(i => (byte)i).ToArray();

    public static readonly InfoHash TestInfoHash = new(InfoHashBytes);

    public static readonly PeerId PeerA = new("-RT0100-aaaaaaaaaaaa"u8);

    public static readonly PeerId PeerB = new("-LT2080-bbbbbbbbbbbb"u8);

    public static byte[] U32(uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        return b;
    }

    /// <summary>A message: length prefix (1 + body), id, body.</summary>
    public static byte[] Message(byte id, params byte[][] body)
    {
        var payload = body.SelectMany(b => b).ToArray();
        return [.. U32((uint)(1 + payload.Length)), id, .. payload];
    }

    public static byte[] Handshake(byte[] infoHash, PeerId peerId, ulong reserved = 0)
    {
        var reservedBytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(reservedBytes, reserved);
        return [19, .. "BitTorrent protocol"u8, .. reservedBytes, .. infoHash, .. peerId.Span];
    }

    public static byte[] Block(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>The bytes as a sequence of segments of <paramref name="segmentSize"/> bytes each.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] data, int segmentSize)
    {
        if (data.Length == 0)
            return ReadOnlySequence<byte>.Empty;
        Segment? first = null;
        Segment? last = null;
        for (var offset = 0; offset < data.Length; offset += segmentSize)
        {
            var chunk = data.AsMemory(offset, Math.Min(segmentSize, data.Length - offset));
            if (last is null)
                first = last = new Segment(chunk, 0);
            else
                last = last.Append(chunk);
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary>Reads every message of <paramref name="data"/> handed over in <paramref name="chunk"/>-byte writes, each flushed (so the reader sees them one read at a time).</summary>
    public static async Task<List<ReadMessage>> ReadAllAsync(byte[] data, WireLimits limits, int chunk = int.MaxValue)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, minimumSegmentSize: 4096));
        var writing = Task.Run(async () =>
        {
            for (var offset = 0; offset < data.Length; offset += chunk)
                await pipe.Writer.WriteAsync(data.AsMemory(offset, Math.Min(chunk, data.Length - offset)));
            await pipe.Writer.CompleteAsync();
        });
        try
        {
            return await ReadAllAsync(pipe.Reader, limits);
        }
        finally
        {
            await pipe.Reader.CompleteAsync();
            await writing.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public static async Task<List<ReadMessage>> ReadAllAsync(PipeReader pipe, WireLimits limits)
    {
        var reader = new PeerMessageReader(pipe, limits);
        var messages = new List<ReadMessage>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await reader.MoveNextAsync(timeout.Token))
            messages.Add(ReadMessage.Of(reader.Current));
        return messages;
    }

    /// <summary>Parses one message (which must be complete) from <paramref name="data"/>.</summary>
    public static PeerProtocolException ParseError(byte[] data, WireLimits limits) =>
        Assert.Throws<PeerProtocolException>(() => PeerMessageParser.TryParse(new ReadOnlySequence<byte>(data), limits, out _, out _));

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
