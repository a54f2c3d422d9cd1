using Rustorrent.Peers.Wire;

namespace Rustorrent.Metadata;

/// <summary>How hard <see cref="MetadataFetcher"/> tries, and what each peer may cost.</summary>
internal sealed record MetadataFetcherOptions
{
    public static readonly MetadataFetcherOptions Default = new();

    /// <summary>Peers connected at once.</summary>
    public int MaxConcurrentPeers { get; init; } = 8;

    /// <summary>Distinct peers dialled in all (candidates and PEX-learned ones together).</summary>
    public int MaxPeersTried { get; init; } = 200;

    /// <summary>ut_metadata requests outstanding to one peer (libtorrent serves a few at a time).</summary>
    public int MaxRequestsPerPeer { get; init; } = 4;

    /// <summary>From our handshake to the peer's extension handshake.</summary>
    public TimeSpan ExtensionHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A request unanswered this long drops the peer (its pieces go to others).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Ask connected peers for more peers (BEP 11) and dial those too.</summary>
    public bool LearnPeersFromPex { get; init; } = true;

    /// <summary>"v" in our extension handshake.</summary>
    public string ClientName { get; init; } = TorrentEngine.ClientName;

    public PeerConnectionOptions Connection { get; init; } = PeerConnectionOptions.Default;

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentPeers, 1, nameof(MaxConcurrentPeers));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPeersTried, 1, nameof(MaxPeersTried));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRequestsPerPeer, 1, nameof(MaxRequestsPerPeer));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ExtensionHandshakeTimeout, TimeSpan.Zero, nameof(ExtensionHandshakeTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestTimeout, TimeSpan.Zero, nameof(RequestTimeout));
        ArgumentNullException.ThrowIfNull(ClientName);
        ArgumentNullException.ThrowIfNull(Connection);
        Connection.Validate();
    }
}
