using Rustorrent.Peers;

namespace Rustorrent.Dht;

/// <summary>
/// The peers other nodes announced to us (announce_peer), by info hash, for our get_peers replies. Bounded in
/// torrents and peers per torrent (libtorrent: dht_max_torrents 2000, dht_max_peers 500); an announce expires
/// after <see cref="PeerLifetime"/>. Thread-safe.
/// </summary>
internal sealed class DhtPeerStore(TimeProvider? timeProvider = null, int maxTorrents = 2000, int maxPeersPerTorrent = 500)
{
    /// <summary>Clients re-announce every 15 to 30 minutes; an announce older than this is a peer gone.</summary>
    public static readonly TimeSpan PeerLifetime = TimeSpan.FromMinutes(45);

    private readonly object gate = new();
    private readonly TimeProvider time = timeProvider ?? TimeProvider.System;
    private readonly Dictionary<NodeId, Dictionary<PeerEndpoint, DateTimeOffset>> torrents = [];

    public int TorrentCount
    {
        get
        {
            lock (gate)
                return torrents.Count;
        }
    }

    /// <summary>Stores a peer; false when the store is full of other torrents.</summary>
    public bool Add(NodeId infoHash, PeerEndpoint peer)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            if (!torrents.TryGetValue(infoHash, out var peers))
            {
                if (torrents.Count >= maxTorrents)
                {
                    Expire(now);
                    if (torrents.Count >= maxTorrents)
                        return false;
                }
                torrents[infoHash] = peers = [];
            }
            if (!peers.ContainsKey(peer) && peers.Count >= maxPeersPerTorrent)
            {
                // Full: the oldest announce gives way.
                var oldest = peers.MinBy(kv => kv.Value).Key;
                peers.Remove(oldest);
            }
            peers[peer] = now;
            return true;
        }
    }

    /// <summary>Up to <paramref name="max"/> live peers of a torrent, a random selection when there are more.</summary>
    public List<PeerEndpoint> Get(NodeId infoHash, int max)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            if (!torrents.TryGetValue(infoHash, out var peers))
                return [];
            var live = peers.Where(kv => now - kv.Value <= PeerLifetime).Select(kv => kv.Key).ToList();
            if (live.Count > max)
            {
                Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(live));
                live.RemoveRange(max, live.Count - max);
            }
            return live;
        }
    }

    private void Expire(DateTimeOffset now)
    {
        foreach (var (hash, peers) in torrents.ToList())
        {
            foreach (var (peer, seen) in peers.ToList())
            {
                if (now - seen > PeerLifetime)
                    peers.Remove(peer);
            }
            if (peers.Count == 0)
                torrents.Remove(hash);
        }
    }
}
