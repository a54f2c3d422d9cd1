using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.Trackers;

namespace Rustorrent;

/// <summary>
/// The one engine of a process: its peer id (BEP 20), announce key, listening port, and the tracker clients
/// every torrent shares (HTTP connection pool, UDP connection ids). Later issues add the listener, the DHT
/// node and the set of active torrents here.
/// </summary>
internal sealed class TorrentEngine : IDisposable
{
    /// <summary>The port announced before a listener is bound (the traditional BitTorrent port).</summary>
    public const int DefaultPort = 6881;

    private static readonly Lazy<TorrentEngine> SharedEngine = new(() => new TorrentEngine());

    public TorrentEngine(TrackerOptions? trackerOptions = null)
    {
        PeerId = PeerId.Create();
        AnnounceKey = (uint)Random.Shared.NextInt64(0, uint.MaxValue);
        Trackers = new TrackerClientFactory(trackerOptions);
    }

    /// <summary>The engine every cmdlet of the session uses.</summary>
    public static TorrentEngine Shared => SharedEngine.Value;

    public PeerId PeerId { get; }

    /// <summary>Sent with every announce so that trackers know us across IP changes (BEP 3 "key", BEP 15).</summary>
    public uint AnnounceKey { get; }

    /// <summary>The port peers can reach us on, as announced to trackers.</summary>
    public int ListenPort { get; set; } = DefaultPort;

    public TrackerClientFactory Trackers { get; }

    /// <summary>The first query of a torrent's life: this engine's identity, "started", room for many peers.</summary>
    public PeerQuery StartedQuery(InfoHash infoHash, long left) => new()
    {
        InfoHash = infoHash,
        PeerId = PeerId,
        Port = ListenPort,
        Key = AnnounceKey,
        Left = left,
        Event = AnnounceEvent.Started,
        NumWant = 200,
    };

    public void Dispose() => Trackers.Dispose();
}
