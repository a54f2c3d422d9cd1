namespace Rustorrent.Dht;

/// <summary>A datagram that is not a valid KRPC message. When it was a query whose transaction id could be
/// read, <see cref="QueryTransactionId"/> lets the node answer with a protocol error (BEP 5, code 203).</summary>
internal sealed class KrpcFormatException(string reason, byte[]? queryTransactionId = null) : FormatException($"Invalid KRPC message: {reason}")
{
    public string Reason { get; } = reason;

    public byte[]? QueryTransactionId { get; } = queryTransactionId;
}
