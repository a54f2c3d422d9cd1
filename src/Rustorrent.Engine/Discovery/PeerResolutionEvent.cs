using Rustorrent.Peers;
using Rustorrent.Trackers;

namespace Rustorrent.Discovery;

/// <summary>What a <see cref="PeerResolver"/> reports as it goes: new peers, and how each source fared.</summary>
internal abstract record PeerResolutionEvent;

/// <summary>A peer not reported before for this torrent.</summary>
internal sealed record PeerFound(PeerEndpoint Peer, PeerSourceKind Source, string Origin) : PeerResolutionEvent;

/// <summary>One tracker's announce result, success or failure.</summary>
internal sealed record TrackerAnnounced(TrackerAnnounceResult Result) : PeerResolutionEvent;

/// <summary>A tracker that had not answered when the time was up.</summary>
internal sealed record TrackerTimedOut(Uri Tracker, int Tier, TimeSpan Waited) : PeerResolutionEvent;

/// <summary>One tracker's swarm counts, or why it gave none.</summary>
internal sealed record TrackerScraped(Uri Tracker, ScrapeResponse? Response, TrackerException? Error) : PeerResolutionEvent;

/// <summary>The DHT lookup started, with this many nodes in our routing table.</summary>
internal sealed record DhtAsked(int KnownNodes) : PeerResolutionEvent;
