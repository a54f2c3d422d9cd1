using System.Net.Sockets;
using System.Threading.Channels;
using Rustorrent.Metadata;
using Rustorrent.Metainfo;
using Rustorrent.Peers;

namespace Rustorrent.Discovery;

/// <summary>
/// A magnet link's (or bare info hash's) metadata, fetched from peers (BEP 9): peers come from the given
/// endpoints, the magnet's own "x.pe" peers, its trackers and the DHT, in rounds until the time is up, and
/// the fetcher asks several of them at once and verifies what it assembles against the info hash.
/// </summary>
internal static class MetadataResolver
{
    /// <summary>A round of asking trackers and the DHT; a new round starts when one ends and time is left.</summary>
    private static readonly TimeSpan RoundLength = TimeSpan.FromSeconds(15);

    /// <summary>After the time is up no new peer is looked for; the ones being asked get this much longer to
    /// answer or fail, so the error can say why each gave nothing.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    /// <exception cref="MetadataFetchException">No peer gave valid metadata within <paramref name="timeout"/>.</exception>
    public static async Task<MetadataFetchResult> FetchAsync(
        TorrentEngine engine,
        MagnetLink magnet,
        IReadOnlyList<PeerEndpoint> peers,
        bool useDht,
        IReadOnlyList<string> dhtBootstrap,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(magnet);
        try
        {
            engine.EnsureListening(); // peers learn our real port from the extension handshake
        }
        catch (SocketException)
        {
            // Fetching needs only outgoing connections.
        }
        using var discovery = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout + Grace);
        var candidates = Channel.CreateUnbounded<PeerEndpoint>(new UnboundedChannelOptions { SingleReader = true });
        foreach (var peer in peers)
            candidates.Writer.TryWrite(peer);
        var request = new PeerResolutionRequest(
            magnet.PrimaryInfoHash,
            magnet.Trackers.Select(t => (IReadOnlyList<string>)[t]).ToList(),
            Left: magnet.ExactLength is > 0 and var length ? length : 16 * 1024,
            UseDht: useDht,
            DhtBootstrap: dhtBootstrap);
        var finding = FindPeersAsync(engine, request, candidates.Writer, timeout, discovery.Token);
        try
        {
            return await MetadataFetcher.FetchAsync(magnet, engine.PeerId, engine.ListenPort, candidates.Reader.ReadAllAsync(deadline.Token), cancellationToken: deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new MetadataFetchException($"No peer gave the metadata of {magnet.PrimaryInfoHash} within {timeout.TotalSeconds:0} s.", []);
        }
        finally
        {
            await discovery.CancelAsync().ConfigureAwait(false);
            await finding.ConfigureAwait(false);
        }
    }

    /// <summary>Rounds of trackers and DHT until the time is up; then the candidates end, so the fetcher can
    /// report the peers that failed rather than wait for more.</summary>
    private static async Task FindPeersAsync(TorrentEngine engine, PeerResolutionRequest request, ChannelWriter<PeerEndpoint> candidates, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var ends = DateTime.UtcNow + timeout;
        try
        {
            if (request.Trackers.Count == 0 && !request.AsksDht)
                return;
            var resolver = new PeerResolver(engine);
            while (!cancellationToken.IsCancellationRequested)
            {
                var left = ends - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                    return;
                await foreach (var found in resolver.ResolveAsync(request, left < RoundLength ? left : RoundLength, cancellationToken).ConfigureAwait(false))
                {
                    if (found is PeerFound peer)
                        candidates.TryWrite(peer.Peer);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            candidates.TryComplete();
        }
    }
}
