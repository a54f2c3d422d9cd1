using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.Trackers;

namespace Rustorrent.Downloads;

/// <summary>What a running torrent tells trackers and the DHT about itself.</summary>
internal interface ITorrentCounts
{
    long Left { get; }

    long Downloaded { get; }

    long Uploaded { get; }

    bool IsFinished { get; }
}

/// <summary>
/// Keeps one running torrent known: to its trackers (BEP 3, BEP 12, BEP 15: started, at their interval,
/// completed, stopped) and to the DHT (BEP 5: a lookup and an announce every 15 minutes), and hands the
/// peers they name to the download.
/// </summary>
internal sealed class TorrentAnnouncer(
    TorrentEngine engine,
    TorrentMetainfo metainfo,
    ITorrentCounts counts,
    Action<PeerEndpoint> addPeer,
    Task completed,
    Action<DownloadEventLevel, DownloadEventKind, string> raise)
{
    private static readonly TimeSpan MinAnnounceInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxAnnounceInterval = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan AnnounceRetry = TimeSpan.FromMinutes(1);

    /// <summary>Announced peers expire after 30 minutes in most DHT nodes.</summary>
    private static readonly TimeSpan DhtAnnounceInterval = TimeSpan.FromMinutes(15);

    /// <summary>Announces to every tracker: "started", again at the interval the trackers ask for (within
    /// sane bounds), "completed" as soon as the download completes, and "stopped" at the end, each with the
    /// live counts; hands the peers they give to the download.</summary>
    public async Task RunTrackersAsync(CancellationToken cancellationToken)
    {
        var trackers = TrackerTierSet.FromAnnounceList(metainfo.Trackers, engine.Trackers);
        var query = engine.StartedQuery(metainfo.PrimaryInfoHash, counts.Left);
        // A torrent complete from the start never sends "completed" (BEP 3: only when the download completes).
        var completedSent = counts.IsFinished;
        TimeSpan? interval = null;
        var source = new TrackerPeerSource(trackers, onResult: result =>
        {
            if (result.Error is { } error)
                raise(DownloadEventLevel.Warning, DownloadEventKind.TrackerFailed, $"Tracker {result.Tracker} failed for '{metainfo.Name}': {error.Reason}");
            if (result.Response is { } response)
            {
                raise(DownloadEventLevel.Information, DownloadEventKind.TrackerAnswered,
                    $"Tracker {result.Tracker} answered for '{metainfo.Name}': {response.Peers.Count} peers, next announce in {response.Interval}.");
                if (response.WarningMessage is { } warning)
                    raise(DownloadEventLevel.Warning, DownloadEventKind.TrackerFailed, $"Tracker {result.Tracker} warns about '{metainfo.Name}': {warning}");
                var wait = response.MinInterval is { } min && min > response.Interval ? min : response.Interval;
                interval = interval is { } known && known < wait ? known : wait;
            }
        });
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                query = query with { Left = counts.Left, Downloaded = counts.Downloaded, Uploaded = counts.Uploaded };
                interval = null;
                await foreach (var discovery in source.DiscoverAsync(query, cancellationToken).ConfigureAwait(false))
                {
                    foreach (var peer in discovery.Peers)
                    {
                        if (!engine.IsOwnEndpoint(peer))
                            addPeer(peer);
                    }
                }
                query = query with { Event = AnnounceEvent.None };
                // The tracker's interval, within sane bounds; sooner when no tracker answered.
                var delay = interval is { } wait ? TimeSpan.FromTicks(Math.Clamp(wait.Ticks, MinAnnounceInterval.Ticks, MaxAnnounceInterval.Ticks)) : AnnounceRetry;
                var sleep = Task.Delay(delay, cancellationToken);
                if (!completedSent)
                    await Task.WhenAny(sleep, completed).ConfigureAwait(false);
                else
                    await sleep.ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (!completedSent && completed.IsCompletedSuccessfully)
                {
                    completedSent = true;
                    query = query with { Event = AnnounceEvent.Completed };
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        // The last word to the trackers, bounded so a dead tracker cannot hold the result up.
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var last = query with { Left = counts.Left, Downloaded = counts.Downloaded, Uploaded = counts.Uploaded, NumWant = 0 };
        try
        {
            if (!completedSent && counts.IsFinished)
                await AnnounceOnceAsync(trackers, last with { Event = AnnounceEvent.Completed }, limit.Token).ConfigureAwait(false);
            await AnnounceOnceAsync(trackers, last with { Event = AnnounceEvent.Stopped }, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            // A tracker that misses the last announce drops us at its interval anyway.
        }
    }

    /// <summary>Looks the torrent up in the DHT and announces our port there (BEP 5), now and every 15 minutes
    /// (announced peers expire after 30 minutes in most nodes). Private torrents never come here (BEP 27).</summary>
    public async Task RunDhtAsync(IReadOnlyList<string> bootstrap, CancellationToken cancellationToken)
    {
        try
        {
            var node = await engine.GetDhtAsync(bootstrap, cancellationToken).ConfigureAwait(false);
            if (node is null)
                return;
            var source = new Dht.DhtPeerSource(node, announce: true);
            while (!cancellationToken.IsCancellationRequested)
            {
                var query = engine.StartedQuery(metainfo.PrimaryInfoHash, counts.Left);
                var found = 0;
                await foreach (var discovery in source.DiscoverAsync(query, cancellationToken).ConfigureAwait(false))
                {
                    foreach (var peer in discovery.Peers)
                    {
                        if (!engine.IsOwnEndpoint(peer))
                        {
                            found++;
                            addPeer(peer);
                        }
                    }
                }
                raise(DownloadEventLevel.Information, DownloadEventKind.Other, $"The DHT gave {found} peers for '{metainfo.Name}' ({node.NodeCount} nodes known).");
                await Task.Delay(DhtAnnounceInterval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static async Task AnnounceOnceAsync(TrackerTierSet trackers, PeerQuery query, CancellationToken cancellationToken)
    {
        await foreach (var _ in trackers.AnnounceAllAsync(AnnounceRequest.For(query), cancellationToken).ConfigureAwait(false))
        {
        }
    }
}
