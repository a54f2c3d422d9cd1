using System.Net.Sockets;
using System.Text;
using Rustorrent.Bencode;
using Rustorrent.Peers;

namespace Rustorrent.Dht;

/// <summary>
/// Reads and writes KRPC messages (BEP 5): bencoded dictionaries with "t" (transaction id), "y" ("q", "r" or
/// "e") and the query, response or error. Reading is strict about what we use and lenient about the rest
/// (unknown keys are ignored, as BEP 5 asks); every length a peer controls is bounded.
/// </summary>
internal static class KrpcCodec
{
    /// <summary>Longest transaction id accepted; libtorrent sends 2 bytes, others up to 8.</summary>
    public const int MaxTransactionIdLength = 32;

    /// <summary>Longest write token accepted (libtorrent: 4 bytes, BEP 5 suggests a SHA-1: 20).</summary>
    public const int MaxTokenLength = 64;

    /// <summary>Most peers read from one "values" list (libtorrent sends at most 100).</summary>
    public const int MaxValues = 200;

    /// <summary>Most nodes read from one "nodes" string (BEP 5: K = 8; a few more are tolerated).</summary>
    public const int MaxNodes = 32;

    private const int MaxMethodNameLength = 32;

    /// <summary>Our client code and version for the "v" key (the convention of BEP 20 peer ids).</summary>
    private static readonly byte[] Version = [(byte)'R', (byte)'T', 0, 1];

    /// <summary>A KRPC message is flat: depth 3 at most (dict, "r" dict, "values" list); tokens are bounded by the
    /// packet size anyway, but a small table keeps a hostile datagram cheap.</summary>
    private static readonly BencodeReaderOptions ReaderOptions = new() { MaxDepth = 8, MaxTokens = 1024 };

    public static KrpcMessage Decode(ReadOnlyMemory<byte> packet)
    {
        BencodeDocument document;
        try
        {
            document = BencodeDocument.Parse(packet, ReaderOptions);
        }
        catch (BencodeException e)
        {
            throw new KrpcFormatException("not bencoded: " + e.Reason);
        }
        var root = document.Root;
        if (!root.IsDictionary)
            throw new KrpcFormatException("the message is not a dictionary");
        if (!root.TryGetValue("t"u8, out var t) || !t.IsString || t.Count > MaxTransactionIdLength)
            throw new KrpcFormatException("no transaction id, or one that is not a short string");
        var transactionId = t.StringSpan.ToArray();
        if (!root.TryGetValue("y"u8, out var y) || !y.IsString || y.Count != 1)
            throw new KrpcFormatException("no message type");
        return y.StringSpan[0] switch
        {
            (byte)'q' => DecodeQuery(root, transactionId),
            (byte)'r' => DecodeResponse(root, transactionId),
            (byte)'e' => DecodeError(root, transactionId),
            _ => throw new KrpcFormatException("unknown message type"),
        };
    }

    private static KrpcQuery DecodeQuery(BencodeNode root, byte[] transactionId)
    {
        if (!root.TryGetValue("q"u8, out var q) || !q.IsString || q.Count is 0 or > MaxMethodNameLength)
            throw new KrpcFormatException("a query without a method name", transactionId);
        if (!root.TryGetValue("a"u8, out var a) || !a.IsDictionary)
            throw new KrpcFormatException("a query without arguments", transactionId);
        var sender = ReadId(a, "id"u8) ?? throw new KrpcFormatException("a query without a 20-byte node id", transactionId);
        var readOnly = root.TryGetValue("ro"u8, out var ro) && ro.IsInteger && ro.IntegerValue == 1;
        var name = Encoding.ASCII.GetString(q.StringSpan);
        switch (name)
        {
            case "ping":
                return new KrpcQuery(transactionId, KrpcMethod.Ping, name, sender, ReadOnly: readOnly);
            case "find_node":
                var target = ReadId(a, "target"u8) ?? throw new KrpcFormatException("find_node without a 20-byte target", transactionId);
                return new KrpcQuery(transactionId, KrpcMethod.FindNode, name, sender, Target: target, ReadOnly: readOnly);
            case "get_peers":
                var infoHash = ReadId(a, "info_hash"u8) ?? throw new KrpcFormatException("get_peers without a 20-byte info_hash", transactionId);
                return new KrpcQuery(transactionId, KrpcMethod.GetPeers, name, sender, InfoHash: infoHash, ReadOnly: readOnly);
            case "announce_peer":
                var announced = ReadId(a, "info_hash"u8) ?? throw new KrpcFormatException("announce_peer without a 20-byte info_hash", transactionId);
                var implied = a.TryGetValue("implied_port"u8, out var ip) && ip.IsInteger && ip.IntegerValue != 0;
                var port = 0;
                if (a.TryGetValue("port"u8, out var p) && p.IsInteger && p.IntegerValue is > 0 and <= ushort.MaxValue)
                    port = (int)p.IntegerValue;
                else if (!implied)
                    throw new KrpcFormatException("announce_peer without a port from 1 to 65535", transactionId);
                if (!a.TryGetValue("token"u8, out var token) || !token.IsString || token.Count is 0 or > MaxTokenLength)
                    throw new KrpcFormatException("announce_peer without a token", transactionId);
                return new KrpcQuery(transactionId, KrpcMethod.AnnouncePeer, name, sender, InfoHash: announced, Port: port,
                    ImpliedPort: implied, Token: token.StringSpan.ToArray(), ReadOnly: readOnly);
            default:
                return new KrpcQuery(transactionId, KrpcMethod.Unknown, name, sender, ReadOnly: readOnly);
        }
    }

    private static KrpcResponse DecodeResponse(BencodeNode root, byte[] transactionId)
    {
        if (!root.TryGetValue("r"u8, out var r) || !r.IsDictionary)
            throw new KrpcFormatException("a response without a dictionary");
        var sender = ReadId(r, "id"u8) ?? throw new KrpcFormatException("a response without a 20-byte node id");
        var garbage = 0;
        var nodes = new List<DhtContact>();
        garbage += ReadNodes(r, "nodes"u8, AddressFamily.InterNetwork, nodes);
        var nodes6 = new List<DhtContact>();
        garbage += ReadNodes(r, "nodes6"u8, AddressFamily.InterNetworkV6, nodes6);
        var values = new List<PeerEndpoint>();
        if (r.TryGetValue("values"u8, out var v))
        {
            if (v.IsList)
            {
                foreach (var item in v.Items)
                {
                    // 6 bytes for an IPv4 peer, 18 for an IPv6 one (BEP 32).
                    if (!item.IsString || item.Count is not (PeerEndpoint.CompactIPv4Length or PeerEndpoint.CompactIPv6Length) || values.Count >= MaxValues)
                    {
                        garbage++;
                        continue;
                    }
                    var peer = PeerEndpoint.ReadCompact(item.StringSpan);
                    if (peer.Port == 0 || !DhtContact.IsUsableAddress(peer.Address))
                        garbage++;
                    else if (!values.Contains(peer))
                        values.Add(peer);
                }
            }
            else
            {
                garbage++;
            }
        }
        byte[]? tokenBytes = null;
        if (r.TryGetValue("token"u8, out var token))
        {
            if (token.IsString && token.Count is > 0 and <= MaxTokenLength)
                tokenBytes = token.StringSpan.ToArray();
            else
                garbage++;
        }
        return new KrpcResponse(transactionId, sender, nodes, nodes6, values, tokenBytes, garbage);
    }

    /// <summary>Reads a "nodes" or "nodes6" string if present; returns the entries refused.</summary>
    private static int ReadNodes(BencodeNode r, ReadOnlySpan<byte> key, AddressFamily family, List<DhtContact> into)
    {
        if (!r.TryGetValue(key, out var n))
            return 0;
        return n.IsString ? DhtContact.ReadCompactList(n.StringSpan, family, into, MaxNodes) : 1;
    }

    private static KrpcError DecodeError(BencodeNode root, byte[] transactionId)
    {
        long code = 0;
        var message = "";
        if (root.TryGetValue("e"u8, out var e) && e.IsList)
        {
            var i = 0;
            foreach (var item in e.Items)
            {
                if (i == 0 && item.IsInteger)
                    code = item.IntegerValue;
                else if (i == 1 && item.IsString)
                    message = Encoding.UTF8.GetString(item.StringSpan[..Math.Min(item.Count, 200)]);
                i++;
            }
        }
        return new KrpcError(transactionId, code, message);
    }

    private static NodeId? ReadId(BencodeNode dictionary, ReadOnlySpan<byte> key) =>
        dictionary.TryGetValue(key, out var value) && value.IsString && value.Count == NodeId.Length
            ? new NodeId(value.StringSpan)
            : null;

    // ---- writing

    public static byte[] Ping(byte[] transactionId, NodeId self) => Query(transactionId, "ping", Arguments(self));

    public static byte[] FindNode(byte[] transactionId, NodeId self, NodeId target)
    {
        var a = Arguments(self);
        a["target"] = target.Span.ToArray();
        return Query(transactionId, "find_node", a);
    }

    public static byte[] GetPeers(byte[] transactionId, NodeId self, NodeId infoHash)
    {
        var a = Arguments(self);
        a["info_hash"] = infoHash.Span.ToArray();
        return Query(transactionId, "get_peers", a);
    }

    public static byte[] AnnouncePeer(byte[] transactionId, NodeId self, NodeId infoHash, int port, byte[] token, bool impliedPort = false)
    {
        var a = Arguments(self);
        a["info_hash"] = infoHash.Span.ToArray();
        a["port"] = port;
        a["token"] = token;
        if (impliedPort)
            a["implied_port"] = 1;
        return Query(transactionId, "announce_peer", a);
    }

    /// <summary>A response: our id and, for find_node and get_peers, nodes, peers and a token. Nodes go in "nodes"
    /// (IPv4) or "nodes6" (IPv6, BEP 32) as <paramref name="nodesFamily"/> says; contacts of the other family are left out.</summary>
    public static byte[] Response(byte[] transactionId, NodeId self, IReadOnlyCollection<DhtContact>? nodes = null,
        IReadOnlyCollection<PeerEndpoint>? values = null, byte[]? token = null, AddressFamily nodesFamily = AddressFamily.InterNetwork)
    {
        var r = Arguments(self);
        if (nodes is not null)
            r[nodesFamily == AddressFamily.InterNetworkV6 ? "nodes6" : "nodes"] = DhtContact.ToCompactList(nodes, nodesFamily);
        if (values is { Count: > 0 })
        {
            var list = new BencodeList();
            foreach (var peer in values)
                list.Add(peer.ToCompact());
            r["values"] = list;
        }
        if (token is not null)
            r["token"] = token;
        return Message(transactionId, "r", r);
    }

    public static byte[] Error(byte[] transactionId, int code, string message)
    {
        var e = new BencodeList { code, message };
        return Message(transactionId, "e", e);
    }

    private static BencodeDictionary Arguments(NodeId self) => new() { ["id"] = self.Span.ToArray() };

    private static byte[] Query(byte[] transactionId, string method, BencodeDictionary arguments)
    {
        var message = new BencodeDictionary
        {
            ["t"] = transactionId,
            ["y"] = "q",
            ["q"] = method,
            ["a"] = arguments,
            ["v"] = Version,
        };
        return message.Encode();
    }

    private static byte[] Message(byte[] transactionId, string type, BencodeValue body) =>
        new BencodeDictionary
        {
            ["t"] = transactionId,
            ["y"] = type,
            [type] = body,
            ["v"] = Version,
        }.Encode();
}
