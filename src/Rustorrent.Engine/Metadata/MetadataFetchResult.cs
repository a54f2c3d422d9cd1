using Rustorrent.Metainfo;
using Rustorrent.Peers;

namespace Rustorrent.Metadata;

/// <summary>What <see cref="MetadataFetcher"/> got: the torrent, its info dictionary's exact bytes, who gave them,
/// who was caught lying, the peers learned through PEX (to hand to the download), and why other peers gave nothing.</summary>
internal sealed record MetadataFetchResult(
    TorrentMetainfo Metainfo,
    ReadOnlyMemory<byte> InfoDictionary,
    IReadOnlyList<PeerEndpoint> Sources,
    IReadOnlyList<PeerEndpoint> Liars,
    IReadOnlyList<PeerEndpoint> LearnedPeers,
    int PeersTried,
    IReadOnlyList<KeyValuePair<PeerEndpoint, string>> PeerFailures);
