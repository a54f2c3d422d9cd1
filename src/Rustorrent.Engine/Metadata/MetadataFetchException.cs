using Rustorrent.Peers;

namespace Rustorrent.Metadata;

/// <summary>No peer gave metadata that hashes to the info hash; <see cref="PeerFailures"/> says what each peer did.</summary>
internal sealed class MetadataFetchException(string message, IReadOnlyList<KeyValuePair<PeerEndpoint, string>> peerFailures, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>Each peer tried and why it gave nothing (the first <see cref="MetadataFetcher.MaxReportedFailures"/>).</summary>
    public IReadOnlyList<KeyValuePair<PeerEndpoint, string>> PeerFailures { get; } = peerFailures;
}
