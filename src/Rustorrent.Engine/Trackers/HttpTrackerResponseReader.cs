using System.Text;
using Rustorrent.Bencode;
using Rustorrent.Peers;

namespace Rustorrent.Trackers;

/// <summary>Reads the bencoded bodies of HTTP tracker replies: announce (BEP 3, 7, 23) and scrape (BEP 48).</summary>
internal static class HttpTrackerResponseReader
{
    // A reply is a dictionary holding at most a list of dictionaries; the token limit is far above what
    // MaxPeersPerResponse dictionary peers take (about 7 values each) and keeps the token table small.
    private static readonly BencodeReaderOptions Limits = new() { MaxDepth = 16, MaxTokens = 200_000 };

    public static AnnounceResponse ReadAnnounce(Uri tracker, ReadOnlyMemory<byte> body, int maxPeers)
    {
        var root = ParseDictionary(tracker, body);
        ThrowOnFailureReason(tracker, root);

        var peers = new PeerListBuilder(maxPeers);
        if (root.TryGetValue("peers"u8, out var peersNode))
        {
            if (peersNode.IsString)
                AddCompact(tracker, peers, peersNode, PeerEndpoint.CompactIPv4Length, "peers");
            else if (peersNode.IsList)
                AddDictionaryPeers(peers, peersNode);
            else
                throw Invalid(tracker, $"'peers' at byte {peersNode.Offset} is {Describe(peersNode)}, not a byte string or a list");
        }
        if (root.TryGetValue("peers6"u8, out var peers6Node))
        {
            if (!peers6Node.IsString)
                throw Invalid(tracker, $"'peers6' at byte {peers6Node.Offset} is {Describe(peers6Node)}, not a byte string");
            AddCompact(tracker, peers, peers6Node, PeerEndpoint.CompactIPv6Length, "peers6");
        }

        var interval = ReadSeconds(tracker, root, "interval"u8, "interval");
        return new AnnounceResponse
        {
            Peers = peers.ToList(),
            Interval = interval ?? AnnounceResponse.DefaultInterval,
            MinInterval = ReadSeconds(tracker, root, "min interval"u8, "min interval"),
            TrackerId = ReadText(tracker, root, "tracker id"u8, "tracker id", exactBytes: true),
            WarningMessage = ReadText(tracker, root, "warning message"u8, "warning message", exactBytes: false),
            Seeders = ReadCount(tracker, root, "complete"u8, "complete"),
            Leechers = ReadCount(tracker, root, "incomplete"u8, "incomplete"),
        };
    }

    /// <summary>Reads a scrape reply and picks out the entry of <paramref name="infoHash"/> (the 20 bytes on
    /// the wire).</summary>
    public static ScrapeResponse ReadScrape(Uri tracker, ReadOnlyMemory<byte> body, ReadOnlySpan<byte> infoHash)
    {
        var root = ParseDictionary(tracker, body);
        ThrowOnFailureReason(tracker, root);
        if (!root.TryGetValue("files"u8, out var files))
            throw Invalid(tracker, "the scrape reply has no 'files' dictionary");
        if (!files.IsDictionary)
            throw Invalid(tracker, $"'files' at byte {files.Offset} is {Describe(files)}, not a dictionary");
        if (!files.TryGetValue(infoHash, out var entry))
            throw new TrackerException(tracker, TrackerErrorKind.TrackerFailure, $"the scrape reply does not list the torrent {Convert.ToHexString(infoHash).ToLowerInvariant()}");
        if (!entry.IsDictionary)
            throw Invalid(tracker, $"the scrape entry at byte {entry.Offset} is {Describe(entry)}, not a dictionary");
        return new ScrapeResponse
        {
            Seeders = ReadCount(tracker, entry, "complete"u8, "complete") ?? 0,
            Leechers = ReadCount(tracker, entry, "incomplete"u8, "incomplete") ?? 0,
            Completed = ReadCount(tracker, entry, "downloaded"u8, "downloaded") ?? 0,
        };
    }

    /// <summary>The "failure reason" of a body, when it is a bencoded dictionary that has one; used to explain
    /// an HTTP error status.</summary>
    public static string? TryReadFailureReason(ReadOnlyMemory<byte> body)
    {
        try
        {
            var root = BencodeDocument.Parse(body, Limits).Root;
            if (root.IsDictionary && root.TryGetValue("failure reason"u8, out var reason) && reason.IsString)
                return TrackerText.Clean(reason.StringSpan);
        }
        catch (BencodeException)
        {
            // Not bencode: the caller shows the start of the body instead.
        }
        return null;
    }

    private static BencodeNode ParseDictionary(Uri tracker, ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
            throw Invalid(tracker, "the reply body is empty");
        BencodeNode root;
        try
        {
            root = BencodeDocument.Parse(body, Limits).Root;
        }
        catch (BencodeException e)
        {
            throw new TrackerException(tracker, TrackerErrorKind.InvalidResponse,
                $"the reply is not valid bencode ({e.Message}); it starts with \"{TrackerText.Preview(body.Span)}\"", e);
        }
        if (!root.IsDictionary)
            throw Invalid(tracker, $"the reply is {Describe(root)}, not a dictionary");
        return root;
    }

    private static void ThrowOnFailureReason(Uri tracker, BencodeNode root)
    {
        if (!root.TryGetValue("failure reason"u8, out var reason))
            return;
        var text = reason.IsString ? TrackerText.Clean(reason.StringSpan) : $"(a 'failure reason' that is {Describe(reason)})";
        throw new TrackerException(tracker, TrackerErrorKind.TrackerFailure, $"the tracker refused: {text}");
    }

    private static void AddCompact(Uri tracker, PeerListBuilder peers, BencodeNode node, int entryLength, string key)
    {
        var compact = node.StringSpan;
        if (compact.Length % entryLength != 0)
            throw Invalid(tracker, $"'{key}' at byte {node.Offset} is {compact.Length} bytes, not a whole number of {entryLength}-byte peers");
        peers.AddCompact(compact, entryLength);
    }

    /// <summary>The original form (BEP 3): a list of {"ip", "port", "peer id"}. Entries whose ip is a host name
    /// rather than an address, or that are malformed, are skipped: one bad entry does not spoil the others.</summary>
    private static void AddDictionaryPeers(PeerListBuilder peers, BencodeNode list)
    {
        Span<char> chars = stackalloc char[64];
        foreach (var item in list.Items)
        {
            if (peers.IsFull)
                return;
            if (!item.IsDictionary
                || !item.TryGetValue("ip"u8, out var ip) || !ip.IsString || ip.Count is 0 or > 64
                || !item.TryGetValue("port"u8, out var port) || !port.IsInteger)
            {
                continue;
            }
            var portValue = port.IntegerValue;
            if (portValue is < 1 or > ushort.MaxValue)
                continue;
            var length = Encoding.ASCII.GetChars(ip.StringSpan, chars);
            if (PeerEndpoint.TryParseAddress(chars[..length], out var address))
                peers.Add(new PeerEndpoint(address, (int)portValue));
        }
    }

    private static TimeSpan? ReadSeconds(Uri tracker, BencodeNode root, ReadOnlySpan<byte> key, string name)
    {
        if (!root.TryGetValue(key, out var node))
            return null;
        if (!node.IsInteger)
            throw Invalid(tracker, $"'{name}' at byte {node.Offset} is {Describe(node)}, not an integer");
        var seconds = node.IntegerValue;
        if (seconds is < 0 or > int.MaxValue)
            throw Invalid(tracker, $"'{name}' is {seconds} seconds, outside 0 to {int.MaxValue}");
        return TimeSpan.FromSeconds(seconds);
    }

    private static long? ReadCount(Uri tracker, BencodeNode root, ReadOnlySpan<byte> key, string name)
    {
        if (!root.TryGetValue(key, out var node))
            return null;
        if (!node.IsInteger)
            throw Invalid(tracker, $"'{name}' at byte {node.Offset} is {Describe(node)}, not an integer");
        var count = node.IntegerValue;
        if (count < 0)
            throw Invalid(tracker, $"'{name}' is negative ({count})");
        return count;
    }

    private static string? ReadText(Uri tracker, BencodeNode root, ReadOnlySpan<byte> key, string name, bool exactBytes)
    {
        if (!root.TryGetValue(key, out var node))
            return null;
        if (!node.IsString)
            throw Invalid(tracker, $"'{name}' at byte {node.Offset} is {Describe(node)}, not a byte string");
        if (node.Count > TrackerText.MaxLength)
            throw Invalid(tracker, $"'{name}' is {node.Count} bytes long, more than {TrackerText.MaxLength}");
        // A tracker id goes back byte for byte, so it is kept as Latin-1 (one char per byte), not cleaned.
        return exactBytes ? Encoding.Latin1.GetString(node.StringSpan) : TrackerText.Clean(node.StringSpan);
    }

    private static string Describe(BencodeNode node) => node.Kind switch
    {
        BencodeKind.Integer => "an integer",
        BencodeKind.String => "a byte string",
        BencodeKind.List => "a list",
        _ => "a dictionary",
    };

    private static TrackerException Invalid(Uri tracker, string reason) => new(tracker, TrackerErrorKind.InvalidResponse, reason);
}
