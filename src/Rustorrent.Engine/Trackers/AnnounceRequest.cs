using Rustorrent.Metainfo;
using Rustorrent.Peers;

namespace Rustorrent.Trackers;

/// <summary>What we tell a tracker in an announce (BEP 3, BEP 15).</summary>
internal sealed record AnnounceRequest
{
    /// <summary>The torrent; trackers see its first 20 bytes (<see cref="InfoHash.Truncated"/>, BEP 52).</summary>
    public required InfoHash InfoHash { get; init; }

    public required PeerId PeerId { get; init; }

    /// <summary>The port our peer listener accepts connections on (shared by all torrents of the engine).</summary>
    public required int Port { get; init; }

    public long Uploaded { get; init; }

    public long Downloaded { get; init; }

    /// <summary>Bytes still missing; 0 for a seed.</summary>
    public long Left { get; init; }

    public AnnounceEvent Event { get; init; }

    /// <summary>How many peers we would like; a negative value leaves it to the tracker.</summary>
    public int NumWant { get; init; } = 50;

    /// <summary>A random number fixed for the session that lets a tracker recognise us when our IP address
    /// changes (BEP 3 "key", BEP 15).</summary>
    public uint Key { get; init; }

    /// <summary>
    /// The "tracker id" the tracker this request goes to gave in an earlier reply (BEP 3). When null, an
    /// HTTP client sends the id its tracker gave it last.
    /// </summary>
    public string? TrackerId { get; init; }

    /// <summary>The announce that tells trackers what <paramref name="query"/> says.</summary>
    public static AnnounceRequest For(PeerQuery query) => new()
    {
        InfoHash = query.InfoHash,
        PeerId = query.PeerId,
        Port = query.Port,
        Uploaded = query.Uploaded,
        Downloaded = query.Downloaded,
        Left = query.Left,
        Event = query.Event,
        NumWant = query.NumWant,
        Key = query.Key,
    };

    /// <summary>Throws <see cref="ArgumentException"/> for values no tracker should be sent.</summary>
    public void Validate()
    {
        if (InfoHash.IsEmpty)
            throw new ArgumentException("The announce has no info hash.", nameof(InfoHash));
        if (PeerId.IsEmpty)
            throw new ArgumentException("The announce has no peer id.", nameof(PeerId));
        if (Port is < 0 or > ushort.MaxValue)
            throw new ArgumentException($"The port {Port} is not a number from 0 to 65535.", nameof(Port));
        if (Uploaded < 0 || Downloaded < 0 || Left < 0)
            throw new ArgumentException($"Uploaded ({Uploaded}), downloaded ({Downloaded}) and left ({Left}) must not be negative.");
        if (!Enum.IsDefined(Event))
            throw new ArgumentException($"{Event} is not an announce event.", nameof(Event));
    }
}
