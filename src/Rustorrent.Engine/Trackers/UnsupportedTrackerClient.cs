using Rustorrent.Metainfo;

namespace Rustorrent.Trackers;

/// <summary>
/// A tracker we cannot talk to (e.g. a WebTorrent wss:// URL). It stays in its tier so that every announce
/// reports it with a clear reason instead of the tracker silently vanishing from the list.
/// </summary>
internal sealed class UnsupportedTrackerClient : ITrackerClient
{
    private readonly string reason;

    public UnsupportedTrackerClient(Uri uri, string reason)
    {
        Uri = uri;
        this.reason = reason;
    }

    public Uri Uri { get; }

    public Task<AnnounceResponse> AnnounceAsync(AnnounceRequest request, CancellationToken cancellationToken) =>
        Task.FromException<AnnounceResponse>(new TrackerException(Uri, TrackerErrorKind.Unsupported, reason));

    public Task<ScrapeResponse> ScrapeAsync(InfoHash infoHash, CancellationToken cancellationToken) =>
        Task.FromException<ScrapeResponse>(new TrackerException(Uri, TrackerErrorKind.Unsupported, reason));
}
