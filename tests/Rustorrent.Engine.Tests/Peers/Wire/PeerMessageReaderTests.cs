using System.Buffers;
using System.IO.Pipelines;
using Rustorrent.Peers.Wire;
using static Rustorrent.Engine.Tests.Peers.Wire.WireBytes;

namespace Rustorrent.Engine.Tests.Peers.Wire;

public class PeerMessageReaderTests
{
    private static byte[] SampleStream() =>
    [
        .. Handshake(InfoHashBytes, PeerB, 0x10_0004),
        .. Message(20, [0], "d1:md11:ut_metadatai3eee"u8.ToArray()),
        .. Message(5, [0xff, 0xff, 0xff, 0xff, 0xff]),
        0, 0, 0, 0,
        .. Message(1),
        .. Message(7, U32(39), U32(0), Block(LastPieceLength, 1)),
        .. Message(7, U32(2), U32(16384), Block(16384, 2)),
        .. Message(4, U32(7)),
    ];

    private static readonly ReadMessage[] SampleMessages =
    [
        new(PeerMessageId.Extended, 0, 0, 24, "d1:md11:ut_metadatai3eee"u8.ToArray()),
        new(PeerMessageId.Bitfield, 0, 0, 5, [0xff, 0xff, 0xff, 0xff, 0xff]),
        new(PeerMessageId.KeepAlive, 0, 0, 0, []),
        new(PeerMessageId.Unchoke, 0, 0, 0, []),
        new(PeerMessageId.Piece, 39, 0, LastPieceLength, Block(LastPieceLength, 1)),
        new(PeerMessageId.Piece, 2, 16384, 16384, Block(16384, 2)),
        new(PeerMessageId.Have, 7, 0, 0, []),
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(13)]
    [InlineData(4096)]
    [InlineData(int.MaxValue)]
    public async Task Handshake_and_messages_split_across_segments_of_any_size_parse_the_same(int segmentSize)
    {
        var bytes = SampleStream();
        var reader = new PeerMessageReader(PipeReader.Create(Segmented(bytes, Math.Min(segmentSize, bytes.Length))), Limits);

        var handshake = await reader.ReadHandshakeAsync(CancellationToken.None);
        Assert.Equal(PeerB, handshake.PeerId);
        var read = new List<ReadMessage>();
        while (await reader.MoveNextAsync(CancellationToken.None))
            read.Add(ReadMessage.Of(reader.Current));

        Assert.Equal(SampleMessages, read);
        Assert.Equal(bytes.Length, reader.BytesConsumed);
    }

    [Fact]
    public async Task Messages_arriving_one_byte_per_read_parse_the_same()
    {
        var pipe = new Pipe();
        var bytes = SampleStream();
        var writing = Task.Run(async () =>
        {
            foreach (var b in bytes)
                await pipe.Writer.WriteAsync(new[] { b });
            await pipe.Writer.CompleteAsync();
        });
        var reader = new PeerMessageReader(pipe.Reader, Limits);
        await reader.ReadHandshakeAsync(CancellationToken.None);
        var read = new List<ReadMessage>();
        while (await reader.MoveNextAsync(CancellationToken.None))
            read.Add(ReadMessage.Of(reader.Current));
        await writing;

        Assert.Equal(SampleMessages, read);
    }

    [Fact]
    public async Task Unknown_messages_are_skipped_as_their_bytes_arrive()
    {
        // A 300 KiB message of unknown id 99 between two haves, fed in 1000-byte writes.
        byte[] bytes = [.. Message(4, U32(1)), .. U32(300 * 1024 + 1), 99, .. new byte[300 * 1024], .. Message(12, [1, 2, 3]), .. Message(4, U32(2))];
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024));
        var writing = Task.Run(async () =>
        {
            for (var offset = 0; offset < bytes.Length; offset += 1000)
                await pipe.Writer.WriteAsync(bytes.AsMemory(offset, Math.Min(1000, bytes.Length - offset)));
            await pipe.Writer.CompleteAsync();
        });
        var reader = new PeerMessageReader(pipe.Reader, Limits);
        var read = new List<ReadMessage>();
        while (await reader.MoveNextAsync(CancellationToken.None))
            read.Add(ReadMessage.Of(reader.Current));
        // The writer pauses at 64 KiB unread: finishing proves the skipped message was never buffered whole.
        await writing.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([new(PeerMessageId.Have, 1, 0, 0, []), new(PeerMessageId.Have, 2, 0, 0, [])], read);
        Assert.Equal(2, reader.UnknownMessagesSkipped);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0 }, "the connection closed inside a message (2 bytes of it received)")]
    [InlineData(new byte[] { 0, 0, 0, 5, 4, 0, 0 }, "the connection closed inside a message (7 bytes of it received)")]
    [InlineData(new byte[] { 0, 0, 1, 0, 99, 1, 2 }, "the connection closed inside an unknown message (253 bytes of it missing)")]
    public async Task A_connection_closed_inside_a_message_is_an_error(byte[] bytes, string message)
    {
        var reader = new PeerMessageReader(PipeReader.Create(new ReadOnlySequence<byte>(bytes)), Limits);
        var e = await Assert.ThrowsAsync<PeerProtocolException>(async () => await reader.MoveNextAsync(CancellationToken.None));
        Assert.Equal(PeerProtocolError.Truncated, e.Error);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public async Task A_connection_closed_inside_the_handshake_is_an_error()
    {
        var reader = new PeerMessageReader(PipeReader.Create(new ReadOnlySequence<byte>(Handshake(InfoHashBytes, PeerB)[..50])), Limits);
        var e = await Assert.ThrowsAsync<PeerProtocolException>(async () => await reader.ReadHandshakeAsync(CancellationToken.None));
        Assert.Equal(PeerProtocolError.Truncated, e.Error);
        Assert.Equal("the connection closed after 50 of the handshake's 68 bytes", e.Message);
    }

    [Fact]
    public async Task A_clean_close_between_messages_ends_the_stream()
    {
        var reader = new PeerMessageReader(PipeReader.Create(new ReadOnlySequence<byte>(Message(2))), Limits);
        Assert.True(await reader.MoveNextAsync(CancellationToken.None));
        Assert.Equal(PeerMessageId.Interested, reader.Current.Id);
        Assert.False(await reader.MoveNextAsync(CancellationToken.None));
        Assert.False(await reader.MoveNextAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_hostile_message_after_good_ones_fails_at_its_header()
    {
        byte[] bytes = [.. Message(1), .. U32(2_000_000), 7, 0, 0];
        var reader = new PeerMessageReader(PipeReader.Create(new ReadOnlySequence<byte>(bytes)), Limits);
        Assert.True(await reader.MoveNextAsync(CancellationToken.None));
        var e = await Assert.ThrowsAsync<PeerProtocolException>(async () => await reader.MoveNextAsync(CancellationToken.None));
        Assert.Equal(PeerProtocolError.MessageTooLong, e.Error);
    }

    [Fact]
    public async Task Random_bytes_give_messages_a_clean_end_or_a_protocol_error_and_nothing_else()
    {
        var random = new Random(20260101);
        // Every kind of message, with small blocks, so that mutations land in headers.
        byte[] valid =
        [
            .. Message(20, [0], "d1:md11:ut_metadatai3eee"u8.ToArray()), .. Message(5, [0xff, 0xff, 0xff, 0xff, 0xff]), 0, 0, 0, 0,
            .. Message(1), .. Message(4, U32(7)), .. Message(7, U32(39), U32(0), [1, 2, 3, 4]), .. Message(6, U32(3), U32(0), U32(16384)),
            .. Message(8, U32(3), U32(0), U32(16384)), .. Message(16, U32(1), U32(0), U32(16384)), .. Message(9, [0x1a, 0xe1]),
            .. Message(17, U32(2)), .. Message(14), .. Message(99, [1, 2]),
        ];
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 3000; i++)
        {
            byte[] bytes;
            WireLimits limits;
            if (i % 2 == 0)
            {
                bytes = new byte[random.Next(0, 200)];
                random.NextBytes(bytes);
                // Small length prefixes, so that random ids and bodies are reached, not just the cap.
                if (bytes.Length >= 4 && random.Next(2) == 0)
                    bytes[0] = bytes[1] = 0;
                limits = random.Next(3) switch { 0 => Limits, 1 => HundredPieces, _ => WireLimits.MetadataUnknown() };
            }
            else
            {
                bytes = (byte[])valid.Clone();
                for (var flips = random.Next(0, 3); flips > 0; flips--)
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                if (random.Next(4) == 0)
                    bytes = bytes[..random.Next(bytes.Length + 1)];
                limits = random.Next(4) == 0 ? WireLimits.MetadataUnknown() : Limits;
            }
            var reader = new PeerMessageReader(PipeReader.Create(Segmented(bytes, random.Next(1, 40))), limits);
            string outcome;
            try
            {
                var count = 0;
                while (await reader.MoveNextAsync(CancellationToken.None))
                {
                    _ = reader.Current.Payload.ToArray();
                    Assert.True(++count <= bytes.Length / 4 + 1, "more messages than 4-byte prefixes");
                }
                outcome = "end";
            }
            catch (PeerProtocolException e)
            {
                outcome = e.Error.ToString();
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
            }
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        // The inputs reached well past the first check.
        Assert.True(outcomes.GetValueOrDefault("end") > 200, string.Join(", ", outcomes));
        Assert.True(outcomes.Count >= 7, string.Join(", ", outcomes));
    }
}
