using System.Runtime.CompilerServices;

namespace Rustorrent.Trackers;

/// <summary>Peers from a torrent's trackers: the first <see cref="IPeerSource"/>.</summary>
internal sealed class TrackerPeerSource : IPeerSource
{
    private readonly TrackerTierSet trackers;
    private readonly bool announceToAllTrackers;
    private readonly Action<TrackerAnnounceResult>? onResult;

    /// <param name="announceToAllTrackers">True: every tracker of every tier at once, results as they come
    /// (more peers, and one bad tracker delays no one). False: strictly BEP 12, the first tracker that answers.</param>
    /// <param name="onResult">Told of every tracker's result, failures included (for status and logs).</param>
    public TrackerPeerSource(TrackerTierSet trackers, bool announceToAllTrackers = true, Action<TrackerAnnounceResult>? onResult = null)
    {
        this.trackers = trackers ?? throw new ArgumentNullException(nameof(trackers));
        this.announceToAllTrackers = announceToAllTrackers;
        this.onResult = onResult;
    }

    public PeerSourceKind Kind => PeerSourceKind.Tracker;

    public async IAsyncEnumerable<PeerDiscovery> DiscoverAsync(PeerQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var request = AnnounceRequest.For(query);

        if (announceToAllTrackers)
        {
            await foreach (var result in trackers.AnnounceAllAsync(request, cancellationToken).ConfigureAwait(false))
            {
                onResult?.Invoke(result);
                if (result.Response is { Peers.Count: > 0 } response)
                    yield return new PeerDiscovery(PeerSourceKind.Tracker, result.Tracker.ToString(), response.Peers);
            }
            yield break;
        }

        foreach (var result in await trackers.AnnounceAsync(request, cancellationToken).ConfigureAwait(false))
        {
            onResult?.Invoke(result);
            if (result.Response is { Peers.Count: > 0 } response)
                yield return new PeerDiscovery(PeerSourceKind.Tracker, result.Tracker.ToString(), response.Peers);
        }
    }
}
