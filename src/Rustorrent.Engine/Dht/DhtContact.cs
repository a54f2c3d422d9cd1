using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Rustorrent.Dht;

/// <summary>A DHT node as other nodes tell of it: its id and where it listens (BEP 5 "compact node info").</summary>
internal readonly record struct DhtContact(NodeId Id, IPEndPoint EndPoint)
{
    /// <summary>20-byte id, 4-byte IPv4 address, 2-byte big-endian port (BEP 5).</summary>
    public const int CompactIPv4Length = NodeId.Length + 6;

    /// <summary>20-byte id, 16-byte IPv6 address, 2-byte port (BEP 32).</summary>
    public const int CompactIPv6Length = NodeId.Length + 18;

    public void WriteCompact(Span<byte> destination)
    {
        Id.Span.CopyTo(destination);
        if (!EndPoint.Address.TryWriteBytes(destination[NodeId.Length..], out var written))
            throw new ArgumentException("The destination is too small for a compact node.", nameof(destination));
        BinaryPrimitives.WriteUInt16BigEndian(destination[(NodeId.Length + written)..], (ushort)EndPoint.Port);
    }

    /// <summary>
    /// Reads a "nodes" (IPv4, 26 bytes each) or "nodes6" (IPv6, 38 bytes each) string. A string whose length
    /// is not a whole number of entries is garbage as a whole (we cannot tell where entries start) and gives
    /// nothing; entries that no node can have (port 0, unspecified, multicast or broadcast address) are skipped.
    /// Returns how many entries were refused, for the caller's counters.
    /// </summary>
    public static int ReadCompactList(ReadOnlySpan<byte> compact, AddressFamily family, List<DhtContact> into, int max = int.MaxValue)
    {
        var entryLength = family == AddressFamily.InterNetworkV6 ? CompactIPv6Length : CompactIPv4Length;
        if (compact.Length % entryLength != 0)
            return Math.Max(1, compact.Length / entryLength);
        var refused = 0;
        for (var offset = 0; offset < compact.Length; offset += entryLength)
        {
            var entry = compact.Slice(offset, entryLength);
            var address = new IPAddress(entry[NodeId.Length..^2]);
            var port = BinaryPrimitives.ReadUInt16BigEndian(entry[^2..]);
            if (port == 0 || !IsUsableAddress(address) || into.Count >= max)
            {
                refused++;
                continue;
            }
            into.Add(new DhtContact(new NodeId(entry[..NodeId.Length]), new IPEndPoint(address, port)));
        }
        return refused;
    }

    /// <summary>Writes contacts of one address family as a compact "nodes"/"nodes6" string.</summary>
    public static byte[] ToCompactList(IEnumerable<DhtContact> contacts, AddressFamily family)
    {
        var entryLength = family == AddressFamily.InterNetworkV6 ? CompactIPv6Length : CompactIPv4Length;
        var list = contacts.Where(c => c.EndPoint.AddressFamily == family).ToList();
        var bytes = new byte[list.Count * entryLength];
        for (var i = 0; i < list.Count; i++)
            list[i].WriteCompact(bytes.AsSpan(i * entryLength, entryLength));
        return bytes;
    }

    /// <summary>False for addresses no DHT node can answer from. Loopback and private ranges are allowed: tests
    /// and LANs run DHTs on them.</summary>
    public static bool IsUsableAddress(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return b[0] != 0 && b[0] < 224 && !address.Equals(IPAddress.Broadcast);
        }
        return !address.Equals(IPAddress.IPv6Any) && !address.IsIPv6Multicast;
    }

    public override string ToString() => $"{Id.ToHex()[..8]}@{EndPoint}";
}
