namespace Rustorrent.Dht;

/// <summary>The queries of BEP 5 that we answer and send.</summary>
internal enum KrpcMethod
{
    Unknown,
    Ping,
    FindNode,
    GetPeers,
    AnnouncePeer,
}
