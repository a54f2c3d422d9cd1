using System.Buffers;
using Rustorrent.Peers.Wire;

namespace Rustorrent.Engine.Tests.Peers.Wire;

/// <summary>A message copied out of the reader's buffer, for asserting.</summary>
internal sealed record ReadMessage(PeerMessageId Id, int PieceIndex, int Begin, int Length, byte[] Payload)
{
    public static ReadMessage Of(PeerMessage m) => new(m.Id, m.PieceIndex, m.Begin, m.Length, m.Payload.ToArray());

    public bool Equals(ReadMessage? other) =>
        other is not null && Id == other.Id && PieceIndex == other.PieceIndex && Begin == other.Begin && Length == other.Length && Payload.AsSpan().SequenceEqual(other.Payload);

    public override int GetHashCode() => HashCode.Combine(Id, PieceIndex, Begin, Length, Payload.Length);

    public override string ToString() => $"{Id} {PieceIndex} {Begin} {Length} [{Payload.Length} bytes]";
}
