using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Rustorrent.Peers;
using Rustorrent.Trackers;

namespace Rustorrent.Discovery;

/// <summary>
/// Finds peers for a torrent from every source at once (the trackers, and the DHT unless the torrent is
/// private) and streams them, deduplicated, with how each tracker fared. Bounded by a timeout: what was
/// found by then is what the caller gets, and trackers still silent are reported.
/// </summary>
internal sealed class PeerResolver(TorrentEngine engine)
{
    /// <summary>How long the courtesy "stopped" announces may take after a resolution.</summary>
    private static readonly TimeSpan StoppedAnnounceTimeout = TimeSpan.FromSeconds(2);

    public async IAsyncEnumerable<PeerResolutionEvent> ResolveAsync(
        PeerResolutionRequest request, TimeSpan timeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var trackers = TrackerTierSet.FromAnnounceList(request.Trackers, engine.Trackers);
        var events = Channel.CreateUnbounded<PeerResolutionEvent>(new UnboundedChannelOptions { SingleReader = true });
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var started = Stopwatch.GetTimestamp();

        var query = engine.StartedQuery(request.InfoHash, request.Left);
        var sources = new List<IPeerSource>
        {
            new TrackerPeerSource(trackers, announceToAllTrackers: true, result => events.Writer.TryWrite(new TrackerAnnounced(result))),
        };
        var work = sources.Select(source => RunSourceAsync(source, query, events.Writer, deadline.Token)).ToList();
        if (request.AsksDht)
            work.Add(RunDhtAsync(request, query, events.Writer, deadline.Token));
        if (request.Scrape)
        {
            foreach (var tracker in trackers.Tiers.SelectMany(t => t))
                work.Add(ScrapeAsync(tracker, request, events.Writer, deadline.Token));
        }
        _ = Task.WhenAll(work).ContinueWith(_ => events.Writer.TryComplete(), TaskScheduler.Default);

        var seen = new HashSet<PeerEndpoint>();
        var answered = new HashSet<Uri>();
        await foreach (var item in events.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (item is PeerFound found && !seen.Add(found.Peer))
                continue;
            if (item is TrackerAnnounced announced)
                answered.Add(announced.Result.Tracker);
            yield return item;
        }

        var waited = Stopwatch.GetElapsedTime(started);
        for (var tier = 0; tier < trackers.Tiers.Count; tier++)
        {
            foreach (var tracker in trackers.Tiers[tier])
            {
                if (!answered.Contains(tracker.Uri))
                    yield return new TrackerTimedOut(tracker.Uri, tier, waited);
            }
        }

        await AnnounceStoppedAsync(trackers, query, answered, cancellationToken).ConfigureAwait(false);
    }

    private async Task RunSourceAsync(IPeerSource source, PeerQuery query, ChannelWriter<PeerResolutionEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var discovery in source.DiscoverAsync(query, cancellationToken).ConfigureAwait(false))
            {
                foreach (var peer in discovery.Peers)
                {
                    if (!engine.IsOwnEndpoint(peer))
                        events.TryWrite(new PeerFound(peer, discovery.Source, discovery.Origin));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Time is up: the caller keeps what was found.
        }
    }

    /// <summary>Looks the torrent up in the DHT without announcing ourselves: we only ask.</summary>
    private async Task RunDhtAsync(PeerResolutionRequest request, PeerQuery query, ChannelWriter<PeerResolutionEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            var node = await engine.GetDhtAsync(request.DhtBootstrap ?? [], cancellationToken).ConfigureAwait(false);
            if (node is null)
                return;
            events.TryWrite(new DhtAsked(node.NodeCount));
            await RunSourceAsync(new Dht.DhtPeerSource(node, announce: false), query, events, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static async Task ScrapeAsync(ITrackerClient tracker, PeerResolutionRequest request, ChannelWriter<PeerResolutionEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            var response = await tracker.ScrapeAsync(request.InfoHash, cancellationToken).ConfigureAwait(false);
            events.TryWrite(new TrackerScraped(tracker.Uri, response, null));
        }
        catch (TrackerException e)
        {
            events.TryWrite(new TrackerScraped(tracker.Uri, null, e));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            events.TryWrite(new TrackerScraped(tracker.Uri, null, new TrackerException(tracker.Uri, TrackerErrorKind.Timeout, "no scrape answer in time")));
        }
    }

    /// <summary>We announced "started" only to ask for peers: tell the trackers that answered that we left,
    /// so they do not hand out an address where nobody is downloading.</summary>
    private static async Task AnnounceStoppedAsync(TrackerTierSet trackers, PeerQuery query, HashSet<Uri> answered, CancellationToken cancellationToken)
    {
        if (answered.Count == 0)
            return;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(StoppedAnnounceTimeout);
        var stopped = AnnounceRequest.For(query) with { Event = AnnounceEvent.Stopped, NumWant = 0 };
        var announces = trackers.Tiers.SelectMany(t => t).Where(t => answered.Contains(t.Uri)).Select(async tracker =>
        {
            try
            {
                await tracker.AnnounceAsync(stopped, limit.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TrackerException or OperationCanceledException)
            {
                // A courtesy only: a tracker that misses it drops us at its interval anyway.
            }
        });
        await Task.WhenAll(announces).ConfigureAwait(false);
    }
}
