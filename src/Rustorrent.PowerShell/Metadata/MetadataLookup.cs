using System.Management.Automation;
using Rustorrent.Discovery;
using Rustorrent.Metadata;
using Rustorrent.Peers;

namespace Rustorrent.PowerShell.Metadata;

/// <summary>What the cmdlets need to turn a magnet link or info hash into a full <see cref="TorrentInfo"/>:
/// the engine's metadata exchange (BEP 9) with peers from -Peer, the magnet's trackers and the DHT.</summary>
internal sealed record MetadataLookup(IReadOnlyList<PeerEndpoint> Peers, bool UseDht, IReadOnlyList<string> DhtBootstrap, TimeSpan Timeout)
{
    /// <summary>Fetches the metadata of <paramref name="torrent"/> (which has none); the result keeps its source.</summary>
    /// <exception cref="MetadataFetchException">No peer gave it in time; the message says who was tried.</exception>
    public async Task<TorrentInfo> FetchAsync(TorrentInfo torrent, CancellationToken cancellationToken)
    {
        var magnet = torrent.Magnet ?? throw new InvalidOperationException($"'{torrent.Name}' is neither a magnet link nor an info hash.");
        var fetched = await MetadataResolver.FetchAsync(TorrentEngine.Shared, magnet, Peers, UseDht, DhtBootstrap, Timeout, cancellationToken).ConfigureAwait(false);
        return new TorrentInfo(fetched.Metainfo, torrent.SourceKind, torrent.Source);
    }

    /// <summary>The error record for a fetch that failed: what was tried and why each peer gave nothing.</summary>
    public static ErrorRecord Failed(TorrentInfo torrent, MetadataFetchException error)
    {
        var tried = error.PeerFailures.Count == 0
            ? "no peer was found (check the magnet's trackers, the DHT, or give peers with -Peer)"
            : string.Join("; ", error.PeerFailures.Take(5).Select(f => $"{f.Key}: {f.Value}")) + (error.PeerFailures.Count > 5 ? $"; and {error.PeerFailures.Count - 5} more" : "");
        return new ErrorRecord(
            new InvalidOperationException($"Cannot get the metadata of '{torrent.Name}' ({torrent.InfoHash ?? torrent.InfoHashV2}): {error.Message} Peers tried: {tried}.", error),
            "MetadataNotFound", ErrorCategory.ObjectNotFound, torrent);
    }
}
