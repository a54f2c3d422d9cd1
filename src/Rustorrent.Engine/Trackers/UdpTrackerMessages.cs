using System.Buffers.Binary;
using Rustorrent.Metainfo;

namespace Rustorrent.Trackers;

/// <summary>The byte layout of UDP tracker messages (BEP 15). All integers are big-endian.</summary>
internal static class UdpTrackerMessages
{
    /// <summary>The connection id of a connect request, which also names the protocol.</summary>
    public const long ProtocolId = 0x41727101980;

    public const int ConnectRequestLength = 16;
    public const int ConnectReplyLength = 16;
    public const int AnnounceRequestLength = 98;
    public const int AnnounceReplyHeaderLength = 20;
    public const int ScrapeRequestLength = 16 + 20;
    public const int ScrapeReplyLength = 8 + 12;

    /// <summary>Every reply starts with action and transaction id.</summary>
    public const int ReplyHeaderLength = 8;

    public static void WriteConnect(Span<byte> destination, int transactionId)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, ProtocolId);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], (int)UdpTrackerAction.Connect);
        BinaryPrimitives.WriteInt32BigEndian(destination[12..], transactionId);
    }

    public static void WriteAnnounce(Span<byte> destination, long connectionId, int transactionId, AnnounceRequest request)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, connectionId);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], (int)UdpTrackerAction.Announce);
        BinaryPrimitives.WriteInt32BigEndian(destination[12..], transactionId);
        request.InfoHash.Truncated.CopyTo(destination[16..36]);
        request.PeerId.Span.CopyTo(destination[36..56]);
        BinaryPrimitives.WriteInt64BigEndian(destination[56..], request.Downloaded);
        BinaryPrimitives.WriteInt64BigEndian(destination[64..], request.Left);
        BinaryPrimitives.WriteInt64BigEndian(destination[72..], request.Uploaded);
        BinaryPrimitives.WriteInt32BigEndian(destination[80..], (int)request.Event);
        BinaryPrimitives.WriteUInt32BigEndian(destination[84..], 0); // IP address: 0 = the sender's (BEP 15)
        BinaryPrimitives.WriteUInt32BigEndian(destination[88..], request.Key);
        BinaryPrimitives.WriteInt32BigEndian(destination[92..], request.NumWant < 0 ? -1 : request.NumWant);
        BinaryPrimitives.WriteUInt16BigEndian(destination[96..], (ushort)request.Port);
    }

    public static void WriteScrape(Span<byte> destination, long connectionId, int transactionId, InfoHash infoHash)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, connectionId);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], (int)UdpTrackerAction.Scrape);
        BinaryPrimitives.WriteInt32BigEndian(destination[12..], transactionId);
        infoHash.Truncated.CopyTo(destination[16..36]);
    }

    public static UdpTrackerAction ReadAction(ReadOnlySpan<byte> reply) => (UdpTrackerAction)BinaryPrimitives.ReadInt32BigEndian(reply);

    public static int ReadTransactionId(ReadOnlySpan<byte> reply) => BinaryPrimitives.ReadInt32BigEndian(reply[4..]);

    public static long ReadConnectionId(ReadOnlySpan<byte> connectReply) => BinaryPrimitives.ReadInt64BigEndian(connectReply[8..]);

    /// <summary>Smallest valid reply to a request of <paramref name="action"/>.</summary>
    public static int MinimumReplyLength(UdpTrackerAction action) => action switch
    {
        UdpTrackerAction.Connect => ConnectReplyLength,
        UdpTrackerAction.Announce => AnnounceReplyHeaderLength,
        UdpTrackerAction.Scrape => ScrapeReplyLength,
        _ => ReplyHeaderLength,
    };
}
