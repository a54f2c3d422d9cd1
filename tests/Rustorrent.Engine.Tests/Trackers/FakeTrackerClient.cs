using Rustorrent.Metainfo;
using Rustorrent.Trackers;

namespace Rustorrent.Engine.Tests.Trackers;

/// <summary>A tracker in memory for the multitracker logic: answers with a reply, fails, or waits, and counts calls.</summary>
internal sealed class FakeTrackerClient(string url, Func<CancellationToken, Task<AnnounceResponse>> announce) : ITrackerClient
{
    private int announces;

    public Uri Uri { get; } = new(url);

    public int Announces => Volatile.Read(ref announces);

    public static FakeTrackerClient Answering(string url, params string[] peers) =>
        new(url, _ => Task.FromResult(new AnnounceResponse { Peers = [.. peers.Select(TrackerTestData.Peer)] }));

    public static FakeTrackerClient Failing(string url, TrackerErrorKind kind = TrackerErrorKind.Unreachable) =>
        new(url, _ => Task.FromException<AnnounceResponse>(new TrackerException(new Uri(url), kind, "fake failure")));

    public Task<AnnounceResponse> AnnounceAsync(AnnounceRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref announces);
        return announce(cancellationToken);
    }

    public Task<ScrapeResponse> ScrapeAsync(InfoHash infoHash, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The multitracker tests do not scrape.");
}
