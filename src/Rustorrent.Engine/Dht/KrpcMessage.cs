using Rustorrent.Peers;

namespace Rustorrent.Dht;

/// <summary>One KRPC message (BEP 5): a query, a response or an error, tied together by the transaction id.</summary>
internal abstract record KrpcMessage(byte[] TransactionId);

/// <summary>A query another node sent us, its arguments already checked for the method.</summary>
/// <param name="MethodName">The method as sent (bounded), for an unknown one's error reply.</param>
/// <param name="Target">find_node's target.</param>
/// <param name="InfoHash">get_peers' and announce_peer's info hash (as a 160-bit key).</param>
/// <param name="Port">announce_peer's port.</param>
/// <param name="ImpliedPort">announce_peer's implied_port: use the UDP source port instead of <paramref name="Port"/>.</param>
/// <param name="ReadOnly">The sender is read-only (BEP 43): answer it, but keep it out of the routing table.</param>
internal sealed record KrpcQuery(
    byte[] TransactionId,
    KrpcMethod Method,
    string MethodName,
    NodeId Sender,
    NodeId? Target = null,
    NodeId? InfoHash = null,
    int Port = 0,
    bool ImpliedPort = false,
    byte[]? Token = null,
    bool ReadOnly = false) : KrpcMessage(TransactionId);

/// <summary>A response to one of our queries.</summary>
/// <param name="Nodes">Compact IPv4 nodes ("nodes").</param>
/// <param name="Nodes6">Compact IPv6 nodes ("nodes6", BEP 32).</param>
/// <param name="Values">Peers (get_peers' "values"), IPv4 or IPv6.</param>
/// <param name="Token">get_peers' write token, for announce_peer.</param>
/// <param name="GarbageEntries">Node and peer entries that could not be read and were dropped.</param>
internal sealed record KrpcResponse(
    byte[] TransactionId,
    NodeId Sender,
    IReadOnlyList<DhtContact> Nodes,
    IReadOnlyList<DhtContact> Nodes6,
    IReadOnlyList<PeerEndpoint> Values,
    byte[]? Token,
    int GarbageEntries) : KrpcMessage(TransactionId)
{
    /// <summary>The nodes of one address family: what a node on a socket of that family can ask next.</summary>
    public IReadOnlyList<DhtContact> NodesOf(System.Net.Sockets.AddressFamily family) =>
        family == System.Net.Sockets.AddressFamily.InterNetworkV6 ? Nodes6 : Nodes;
}

/// <summary>An error reply: [code, message] (BEP 5: 201 generic, 202 server, 203 protocol, 204 method unknown).</summary>
internal sealed record KrpcError(byte[] TransactionId, long Code, string Message) : KrpcMessage(TransactionId)
{
    public const int Generic = 201;
    public const int Server = 202;
    public const int Protocol = 203;
    public const int MethodUnknown = 204;
}
