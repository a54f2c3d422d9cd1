using System.Net;
using Rustorrent.Peers;

namespace Rustorrent.Trackers;

/// <summary>
/// Collects the peers of one tracker reply: drops duplicates and entries no one can connect to (port 0,
/// unspecified address), and stops at a limit so that a huge reply costs no more than a sensible one.
/// </summary>
internal sealed class PeerListBuilder
{
    private readonly int limit;
    private readonly List<PeerEndpoint> peers = [];
    private readonly HashSet<PeerEndpoint> seen = [];

    public PeerListBuilder(int limit) => this.limit = limit;

    public bool IsFull => peers.Count >= limit;

    public int Count => peers.Count;

    public void Add(PeerEndpoint peer)
    {
        if (IsFull || peer.Port == 0 || peer.Address.Equals(IPAddress.Any) || peer.Address.Equals(IPAddress.IPv6Any))
            return;
        if (seen.Add(peer))
            peers.Add(peer);
    }

    /// <summary>Adds a run of compact peers of <paramref name="entryLength"/> bytes each (6 or 18). The caller
    /// has checked that the length is a whole number of entries.</summary>
    public void AddCompact(ReadOnlySpan<byte> compact, int entryLength)
    {
        for (var offset = 0; offset + entryLength <= compact.Length && !IsFull; offset += entryLength)
            Add(PeerEndpoint.ReadCompact(compact.Slice(offset, entryLength)));
    }

    public IReadOnlyList<PeerEndpoint> ToList() => peers.ToArray();
}
