using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Rustorrent.Peers.Wire;

/// <summary>
/// Reads a peer's handshake and then its messages from a <see cref="PipeReader"/>. One pipe read usually
/// holds many messages: they are all parsed from that buffer before the pipe is asked again, and a message
/// that is already buffered completes <see cref="MoveNextAsync"/> synchronously. <see cref="Current"/>'s
/// payload points into the pipe's buffer and is valid until the next call. Unknown messages are skipped as
/// their bytes arrive. Not thread-safe: one reading loop per connection.
/// </summary>
internal sealed class PeerMessageReader
{
    private readonly PipeReader reader;
    private ReadOnlySequence<byte> buffer;
    private bool holdsBuffer;
    private bool completed;
    private long skipRemaining;

    public PeerMessageReader(PipeReader reader, WireLimits limits)
    {
        this.reader = reader ?? throw new ArgumentNullException(nameof(reader));
        Limits = limits;
    }

    /// <summary>The limits messages are checked against; the session raises them once a magnet's metadata is in.</summary>
    public WireLimits Limits { get; set; }

    /// <summary>The last message read; its payload is valid until the next read.</summary>
    public PeerMessage Current { get; private set; }

    /// <summary>Messages with ids we do not know, skipped so far (BEP 3: ignored).</summary>
    public long UnknownMessagesSkipped { get; private set; }

    /// <summary>Bytes taken from the pipe so far (handshake included).</summary>
    public long BytesConsumed { get; private set; }

    /// <summary>Bytes received but not yet a whole handshake or message, as of the last read.</summary>
    public long PendingBytes { get; private set; }

    /// <summary>Reads the 68-byte handshake (BEP 3); must come before any message.</summary>
    /// <exception cref="PeerProtocolException">Not a BitTorrent handshake, or the connection closed inside it.</exception>
    public async ValueTask<PeerHandshake> ReadHandshakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (holdsBuffer)
            {
                if (PeerHandshake.TryRead(buffer, out var handshake))
                {
                    Consume(PeerHandshake.Length);
                    return handshake;
                }
                if (completed)
                    throw new PeerProtocolException(PeerProtocolError.Truncated, string.Create(CultureInfo.InvariantCulture,
                        $"the connection closed after {buffer.Length} of the handshake's {PeerHandshake.Length} bytes"));
                PendingBytes = buffer.Length;
                reader.AdvanceTo(buffer.Start, buffer.End);
                holdsBuffer = false;
            }
            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Moves to the next message: true with it in <see cref="Current"/>, false when the peer closed the
    /// connection between messages.
    /// </summary>
    /// <exception cref="PeerProtocolException">A message breaks the protocol or the limits, or the connection closed inside one.</exception>
    /// <exception cref="OperationCanceledException">The token fired, or the pipe's pending read was cancelled.</exception>
    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        if (holdsBuffer && TryParseBuffered())
            return new ValueTask<bool>(true);
        return MoveNextSlowAsync(cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> MoveNextSlowAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (holdsBuffer)
            {
                if (TryParseBuffered())
                    return true;
                if (completed)
                {
                    if (buffer.Length == 0 && skipRemaining == 0)
                        return false;
                    throw new PeerProtocolException(PeerProtocolError.Truncated, skipRemaining > 0
                        ? string.Create(CultureInfo.InvariantCulture, $"the connection closed inside an unknown message ({skipRemaining:N0} bytes of it missing)")
                        : string.Create(CultureInfo.InvariantCulture, $"the connection closed inside a message ({buffer.Length:N0} bytes of it received)"));
                }
                // Everything buffered has been looked at and is not a whole message: wait for more.
                PendingBytes = buffer.Length;
                reader.AdvanceTo(buffer.Start, buffer.End);
                holdsBuffer = false;
            }
            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Gives the rest of the buffer back to the pipe (call before completing the pipe reader).</summary>
    public void Release()
    {
        if (holdsBuffer)
        {
            reader.AdvanceTo(buffer.Start, buffer.Start);
            holdsBuffer = false;
        }
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsCanceled)
        {
            reader.AdvanceTo(result.Buffer.Start);
            throw new OperationCanceledException("The read from the peer was cancelled.");
        }
        buffer = result.Buffer;
        completed = result.IsCompleted;
        holdsBuffer = true;
    }

    // The previous message was consumed when it was returned; its payload stays valid because the pipe is
    // only advanced (AdvanceTo) when the buffer runs out, never while a returned slice may be in use.
    private bool TryParseBuffered()
    {
        while (true)
        {
            if (skipRemaining > 0)
            {
                var n = Math.Min(skipRemaining, buffer.Length);
                Consume(n);
                skipRemaining -= n;
                if (skipRemaining > 0)
                    return false;
            }
            if (!PeerMessageParser.TryParse(buffer, Limits, out var message, out var consumed))
                return false;
            Consume(consumed);
            if (message.IsUnknown)
            {
                skipRemaining = message.Length;
                UnknownMessagesSkipped++;
                continue;
            }
            Current = message;
            return true;
        }
    }

    private void Consume(long bytes)
    {
        buffer = buffer.Slice(bytes);
        BytesConsumed += bytes;
    }
}
