using System.Buffers;
using System.Globalization;
using Rustorrent.Bencode;

namespace Rustorrent.Peers.Extensions;

/// <summary>
/// A ut_pex message (BEP 11): peers the sender connected to ("added", "added6" with one flag byte each in
/// "added.f", "added6.f") and peers it dropped ("dropped", "dropped6") since its last message, in compact
/// form (BEP 23, BEP 7). Immutable. A message we send holds at most <see cref="MaxPeersPerList"/> of each;
/// one we receive is read up to <see cref="MaxReceivedPerList"/> of each and the rest counted, not kept.
/// </summary>
internal sealed class PexMessage
{
    /// <summary>BEP 11: "at most 50 added and 50 dropped peers" per message.</summary>
    public const int MaxPeersPerList = 50;

    /// <summary>Entries of each list read from a peer; libtorrent keeps 100 as well (its max_peer_entries), twice the
    /// spec's number, for senders that count IPv4 and IPv6 separately.</summary>
    public const int MaxReceivedPerList = 100;

    private static readonly BencodeReaderOptions ReaderOptions = new() { MaxDepth = 4, MaxTokens = 256 };

    public PexMessage(IReadOnlyList<PexPeer> added, IReadOnlyList<PeerEndpoint> dropped, int ignoredEntries = 0)
    {
        ArgumentNullException.ThrowIfNull(added);
        ArgumentNullException.ThrowIfNull(dropped);
        Added = added;
        Dropped = dropped;
        IgnoredEntries = ignoredEntries;
    }

    public IReadOnlyList<PexPeer> Added { get; }

    public IReadOnlyList<PeerEndpoint> Dropped { get; }

    /// <summary>Received messages: entries beyond <see cref="MaxReceivedPerList"/> or with port 0, not kept.</summary>
    public int IgnoredEntries { get; }

    public bool IsEmpty => Added.Count == 0 && Dropped.Count == 0;

    /// <summary>The bencoded payload; refuses more than <see cref="MaxPeersPerList"/> added or dropped peers (BEP 11).</summary>
    public byte[] Encode()
    {
        if (Added.Count > MaxPeersPerList || Dropped.Count > MaxPeersPerList)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"A PEX message holds at most {MaxPeersPerList} added and {MaxPeersPerList} dropped peers (BEP 11), not {Added.Count} and {Dropped.Count}."));
        var added4 = Added.Where(p => !p.EndPoint.IsIPv6).ToArray();
        var added6 = Added.Where(p => p.EndPoint.IsIPv6).ToArray();
        var root = new BencodeDictionary
        {
            ["added"] = Compact(added4.Select(p => p.EndPoint), PeerEndpoint.CompactIPv4Length),
            ["added.f"] = added4.Select(p => (byte)p.Flags).ToArray(),
            ["dropped"] = Compact(Dropped.Where(p => !p.IsIPv6), PeerEndpoint.CompactIPv4Length),
        };
        // IPv6 keys only when there are IPv6 peers, as libtorrent does.
        if (added6.Length > 0)
        {
            root["added6"] = Compact(added6.Select(p => p.EndPoint), PeerEndpoint.CompactIPv6Length);
            root["added6.f"] = added6.Select(p => (byte)p.Flags).ToArray();
        }
        if (Dropped.Any(p => p.IsIPv6))
            root["dropped6"] = Compact(Dropped.Where(p => p.IsIPv6), PeerEndpoint.CompactIPv6Length);
        return BencodeWriter.Encode(root);
    }

    public static bool TryParse(in ReadOnlySequence<byte> payload, out PexMessage? message, out string? error) =>
        TryParse(payload.ToArray(), out message, out error);

    /// <summary>Reads a message; false with the reason when it is not a dictionary or a peer list is not a whole
    /// number of compact entries. Missing lists are empty; missing flags are <see cref="PexFlags.None"/>.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> payload, out PexMessage? message, out string? error)
    {
        message = null;
        BencodeDocument document;
        try
        {
            document = BencodeDocument.Parse(payload, ReaderOptions);
        }
        catch (BencodeException e)
        {
            error = "the ut_pex message is not bencode: " + e.Message;
            return false;
        }
        var root = document.Root;
        if (!root.IsDictionary)
        {
            error = "the ut_pex message is not a dictionary";
            return false;
        }
        ReadOnlySpan<byte> added4 = default, flags4 = default, added6 = default, flags6 = default, dropped4 = default, dropped6 = default;
        foreach (var (key, value) in root.Entries)
        {
            if (!value.IsString)
                continue;
            var k = key.StringSpan;
            if (k.SequenceEqual("added"u8)) added4 = value.StringSpan;
            else if (k.SequenceEqual("added.f"u8)) flags4 = value.StringSpan;
            else if (k.SequenceEqual("added6"u8)) added6 = value.StringSpan;
            else if (k.SequenceEqual("added6.f"u8)) flags6 = value.StringSpan;
            else if (k.SequenceEqual("dropped"u8)) dropped4 = value.StringSpan;
            else if (k.SequenceEqual("dropped6"u8)) dropped6 = value.StringSpan;
        }
        if (!WholeEntries(added4, PeerEndpoint.CompactIPv4Length, "added", out error) || !WholeEntries(added6, PeerEndpoint.CompactIPv6Length, "added6", out error)
            || !WholeEntries(dropped4, PeerEndpoint.CompactIPv4Length, "dropped", out error) || !WholeEntries(dropped6, PeerEndpoint.CompactIPv6Length, "dropped6", out error))
            return false;

        var ignored = 0;
        var added = new List<PexPeer>();
        ReadAdded(added4, flags4, PeerEndpoint.CompactIPv4Length, added, ref ignored);
        ReadAdded(added6, flags6, PeerEndpoint.CompactIPv6Length, added, ref ignored);
        var dropped = new List<PeerEndpoint>();
        ReadDropped(dropped4, PeerEndpoint.CompactIPv4Length, dropped, ref ignored);
        ReadDropped(dropped6, PeerEndpoint.CompactIPv6Length, dropped, ref ignored);
        message = new PexMessage(added.AsReadOnly(), dropped.AsReadOnly(), ignored);
        error = null;
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"ut_pex: {Added.Count} added, {Dropped.Count} dropped{(IgnoredEntries > 0 ? $", {IgnoredEntries} ignored" : "")}");

    private static byte[] Compact(IEnumerable<PeerEndpoint> peers, int entryLength)
    {
        var list = peers.ToList();
        var bytes = new byte[list.Count * entryLength];
        for (var i = 0; i < list.Count; i++)
            list[i].WriteCompact(bytes.AsSpan(i * entryLength, entryLength));
        return bytes;
    }

    private static bool WholeEntries(ReadOnlySpan<byte> list, int entryLength, string key, out string? error)
    {
        error = list.Length % entryLength == 0 ? null : string.Create(CultureInfo.InvariantCulture,
            $"the ut_pex \"{key}\" list is {list.Length:N0} bytes, not a multiple of {entryLength}");
        return error is null;
    }

    private static void ReadAdded(ReadOnlySpan<byte> list, ReadOnlySpan<byte> flags, int entryLength, List<PexPeer> into, ref int ignored)
    {
        var count = list.Length / entryLength;
        for (var i = 0; i < count; i++)
        {
            if (into.Count >= MaxReceivedPerList)
            {
                ignored += count - i;
                return;
            }
            var endpoint = PeerEndpoint.ReadCompact(list.Slice(i * entryLength, entryLength));
            if (endpoint.Port == 0)
            {
                ignored++;
                continue;
            }
            into.Add(new PexPeer(endpoint, i < flags.Length ? (PexFlags)flags[i] : PexFlags.None));
        }
    }

    private static void ReadDropped(ReadOnlySpan<byte> list, int entryLength, List<PeerEndpoint> into, ref int ignored)
    {
        var count = list.Length / entryLength;
        for (var i = 0; i < count; i++)
        {
            if (into.Count >= MaxReceivedPerList)
            {
                ignored += count - i;
                return;
            }
            into.Add(PeerEndpoint.ReadCompact(list.Slice(i * entryLength, entryLength)));
        }
    }
}
