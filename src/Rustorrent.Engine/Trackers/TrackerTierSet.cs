using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Rustorrent.Trackers;

/// <summary>
/// The trackers of one torrent in tiers (BEP 12): each tier is shuffled once, tiers are tried in order and
/// the trackers of a tier in order, and a tracker that answers moves to the front of its tier so that it
/// is asked first next time. Thread-safe.
/// </summary>
internal sealed class TrackerTierSet
{
    private readonly List<ITrackerClient>[] tiers;
    private readonly object gate = new();

    /// <param name="random">Shuffles the tiers; pass a seeded one to get a known order in tests.</param>
    public TrackerTierSet(IEnumerable<IEnumerable<ITrackerClient>> tiers, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        random ??= Random.Shared;
        var list = new List<List<ITrackerClient>>();
        foreach (var tier in tiers)
        {
            var trackers = tier.ToList();
            if (trackers.Count == 0)
                continue;
            // BEP 12: "the tiers are shuffled randomly" once, when the torrent is loaded (Fisher-Yates).
            for (var i = trackers.Count - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (trackers[i], trackers[j]) = (trackers[j], trackers[i]);
            }
            list.Add(trackers);
        }
        this.tiers = [.. list];
    }

    /// <summary>
    /// Tiers from a torrent's announce list (BEP 12) or its single announce URL. Strings that are not absolute
    /// URLs are skipped, and a URL already seen in an earlier place is skipped too.
    /// </summary>
    public static TrackerTierSet FromAnnounceList(IEnumerable<IEnumerable<string>> announceList, TrackerClientFactory factory, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(announceList);
        ArgumentNullException.ThrowIfNull(factory);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var tiers = new List<List<ITrackerClient>>();
        foreach (var tier in announceList)
        {
            var clients = new List<ITrackerClient>();
            foreach (var url in tier)
            {
                if (Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) && seen.Add(uri.AbsoluteUri))
                    clients.Add(factory.Create(uri));
            }
            tiers.Add(clients);
        }
        return new TrackerTierSet(tiers, random);
    }

    public int TierCount => tiers.Length;

    public int TrackerCount => tiers.Sum(t => t.Count);

    /// <summary>A snapshot of the tiers in their current order.</summary>
    public IReadOnlyList<IReadOnlyList<ITrackerClient>> Tiers
    {
        get
        {
            lock (gate)
                return Array.ConvertAll(tiers, t => (IReadOnlyList<ITrackerClient>)t.ToArray());
        }
    }

    /// <summary>
    /// Announces the BEP 12 way: tier by tier, tracker by tracker, until one answers; that one moves to the
    /// front of its tier. Returns the result of each tracker tried, in order: the last one is the answer,
    /// unless every tracker failed (or there are none).
    /// </summary>
    public async Task<IReadOnlyList<TrackerAnnounceResult>> AnnounceAsync(AnnounceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var snapshot = Tiers;
        var attempts = new List<TrackerAnnounceResult>();
        for (var tier = 0; tier < snapshot.Count; tier++)
        {
            foreach (var tracker in snapshot[tier])
            {
                var result = await AnnounceOneAsync(tracker, tier, request, cancellationToken).ConfigureAwait(false);
                attempts.Add(result);
                if (result.Succeeded)
                    return attempts;
            }
        }
        return attempts;
    }

    /// <summary>
    /// Announces to every tracker of every tier at once and yields each tracker's result as it arrives, so
    /// that a slow or hostile tracker delays nobody else. Trackers that answer move to the front of their
    /// tier. Leaving the loop early cancels the announces still running.
    /// </summary>
    public async IAsyncEnumerable<TrackerAnnounceResult> AnnounceAllAsync(AnnounceRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var snapshot = Tiers;
        var count = snapshot.Sum(t => t.Count);
        if (count == 0)
            yield break;

        var results = Channel.CreateBounded<TrackerAnnounceResult>(new BoundedChannelOptions(count) { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = new List<Task>(count);
        for (var tier = 0; tier < snapshot.Count; tier++)
        {
            foreach (var tracker in snapshot[tier])
                running.Add(AnnounceAndPostAsync(tracker, tier, request, results.Writer, stop.Token));
        }

        try
        {
            for (var received = 0; received < count; received++)
                yield return await results.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Early exit or cancellation: stop the rest and wait, so no announce outlives the enumeration.
            // The tasks never throw (AnnounceOneAsync turns failures into results), so nothing goes unobserved.
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    private async Task AnnounceAndPostAsync(ITrackerClient tracker, int tier, AnnounceRequest request, ChannelWriter<TrackerAnnounceResult> results, CancellationToken cancellationToken)
    {
        try
        {
            var result = await AnnounceOneAsync(tracker, tier, request, cancellationToken).ConfigureAwait(false);
            // The channel holds one slot per tracker, so this never has to wait or fail.
            results.TryWrite(result);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The reader is gone or cancelled: there is no one left to tell.
        }
    }

    /// <summary>One announce, with every failure but the caller's cancellation as a result.</summary>
    private async Task<TrackerAnnounceResult> AnnounceOneAsync(ITrackerClient tracker, int tier, AnnounceRequest request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await tracker.AnnounceAsync(request, cancellationToken).ConfigureAwait(false);
            MoveToFront(tracker, tier);
            return TrackerAnnounceResult.Success(tracker.Uri, tier, response, Stopwatch.GetElapsedTime(started));
        }
        catch (TrackerException e)
        {
            return TrackerAnnounceResult.Failure(tracker.Uri, tier, e, Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // A bug in one client must not stop the others; report it against that tracker.
            var error = new TrackerException(tracker.Uri, TrackerErrorKind.InvalidResponse, $"unexpected {e.GetType().Name}: {e.Message}", e);
            return TrackerAnnounceResult.Failure(tracker.Uri, tier, error, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>BEP 12: a tracker that answered goes to the front of its tier.</summary>
    private void MoveToFront(ITrackerClient tracker, int tier)
    {
        lock (gate)
        {
            var trackers = tiers[tier];
            var index = trackers.IndexOf(tracker);
            if (index <= 0)
                return;
            trackers.RemoveAt(index);
            trackers.Insert(0, tracker);
        }
    }
}
