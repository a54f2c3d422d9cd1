using Rustorrent.Metainfo;

namespace Rustorrent.Trackers;

/// <summary>
/// Talks to one tracker. Failures are <see cref="TrackerException"/>s naming the tracker; cancelling the
/// caller's token gives <see cref="OperationCanceledException"/>, while the client's own time limit gives a
/// <see cref="TrackerException"/> of kind <see cref="TrackerErrorKind.Timeout"/>.
/// </summary>
internal interface ITrackerClient
{
    /// <summary>The tracker's announce URL as the torrent gives it.</summary>
    Uri Uri { get; }

    Task<AnnounceResponse> AnnounceAsync(AnnounceRequest request, CancellationToken cancellationToken);

    Task<ScrapeResponse> ScrapeAsync(InfoHash infoHash, CancellationToken cancellationToken);
}
