using System.Buffers.Binary;

namespace Rustorrent.Engine.Tests.Trackers;

/// <summary>A datagram the UDP fixture received, when (since the fixture started), with the BEP 15 header
/// fields read out.</summary>
internal sealed record UdpTrackerPacket(byte[] Data, TimeSpan ReceivedAt)
{
    public long ConnectionId => BinaryPrimitives.ReadInt64BigEndian(Data);

    public int Action => BinaryPrimitives.ReadInt32BigEndian(Data.AsSpan(8));

    public int TransactionId => BinaryPrimitives.ReadInt32BigEndian(Data.AsSpan(12));
}
