namespace Rustorrent.Peers.Extensions;

/// <summary>One peer in a PEX message's added list: where it listens and what the sender knows of it (BEP 11).</summary>
internal readonly record struct PexPeer(PeerEndpoint EndPoint, PexFlags Flags)
{
    public override string ToString() => Flags == PexFlags.None ? EndPoint.ToString() : $"{EndPoint} ({Flags})";
}
