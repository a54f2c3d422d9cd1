using System.Net;
using Rustorrent.Peers;
using Rustorrent.Trackers;

namespace Rustorrent.PowerShell;

/// <summary>A peer of a torrent and where we heard of it (Resolve-TorrentPeers' output).</summary>
public sealed class TorrentPeer
{
    internal TorrentPeer(PeerEndpoint peer, PeerSourceKind source, string sourceUri, TorrentInfo torrent)
    {
        Address = peer.Address;
        Port = peer.Port;
        EndPoint = peer.ToString();
        Source = source;
        SourceUri = sourceUri;
        InfoHash = torrent.InfoHash ?? torrent.InfoHashV2 ?? "";
        TorrentName = torrent.Name;
    }

    public IPAddress Address { get; }

    public int Port { get; }

    /// <summary>"address:port", with IPv6 addresses in brackets: what -Peer accepts.</summary>
    public string EndPoint { get; }

    public PeerSourceKind Source { get; }

    /// <summary>The tracker (or, later, DHT node or peer) that named this peer.</summary>
    public string SourceUri { get; }

    public string InfoHash { get; }

    public string TorrentName { get; }

    public override string ToString() => EndPoint;
}
