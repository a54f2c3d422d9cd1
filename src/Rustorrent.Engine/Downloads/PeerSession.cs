using System.Collections.Concurrent;
using Rustorrent.Peers.Extensions;
using Rustorrent.Peers.Wire;
using Rustorrent.Pieces;

namespace Rustorrent.Downloads;

/// <summary>
/// What the loops of one connected peer share: its receive loop (the download's reader), its send loop
/// (requests, haves, choke changes) and its upload loop (blocks it asked for). Fields marked "gate" are
/// read and written under the download's gate; the queues are safe across threads.
/// </summary>
internal sealed class PeerSession(PeerConnection connection, PeerHandle handle, TimeProvider time)
{
    /// <summary>Requests of one peer we queue at most (libtorrent allows 500 by default); more are rejected.</summary>
    public const int MaxQueuedUploads = 500;

    private readonly Queue<BlockRequest> uploads = new();

    public PeerConnection Connection { get; } = connection;

    public PeerHandle Handle { get; } = handle;

    public RequestQueueSizer Sizer { get; } = new(time);

    /// <summary>Payload received from this peer, for the choker while we download (gate).</summary>
    public RateMeter Received { get; } = new(time, windowSeconds: 20);

    /// <summary>Payload sent to this peer, for the choker while we seed (gate).</summary>
    public RateMeter Sent { get; } = new(time, windowSeconds: 20);

    /// <summary>Wakes the send loop.</summary>
    public SemaphoreSlim Signal { get; } = new(0, 1);

    /// <summary>Wakes the upload loop.</summary>
    public SemaphoreSlim UploadSignal { get; } = new(0, 1);

    /// <summary>Cancels sent and not yet answered by the piece or a reject (gate).</summary>
    public HashSet<BlockRequest> CancelledInFlight { get; } = [];

    /// <summary>Blocks another peer delivered first in endgame: cancel them here (BEP 3).</summary>
    public ConcurrentQueue<BlockRequest> PendingCancels { get; } = new();

    /// <summary>Pieces verified since the session started, to announce with "have".</summary>
    public ConcurrentQueue<int> PendingHaves { get; } = new();

    /// <summary>Requests of the peer's we will not serve (BEP 6 reject).</summary>
    public ConcurrentQueue<BlockRequest> PendingRejects { get; } = new();

    /// <summary>Extended messages to send (BEP 10): ut_metadata answers, ut_pex.</summary>
    public ConcurrentQueue<(byte Id, byte[] Payload)> PendingExtended { get; } = new();

    /// <summary>The peer's BEP 10 extensions, when both sides speak it (gate).</summary>
    public PeerExtensions? Extensions { get; set; }

    /// <summary>The peer chokes us.</summary>
    public volatile bool Choked = true;

    /// <summary>We want to choke the peer (gate); the send loop makes the wire agree.</summary>
    public bool AmChoking = true;

    /// <summary>The peer wants our data (gate).</summary>
    public bool PeerInterested;

    /// <summary>We told the peer we are interested (send loop only).</summary>
    public bool AmInterested;

    /// <summary>What the peer was last told: choked or not (send loop only).</summary>
    public bool SentChoking = true;

    /// <summary>Queues a request of the peer's; false when its queue is full (gate).</summary>
    public bool TryQueueUpload(BlockRequest request)
    {
        if (uploads.Count >= MaxQueuedUploads)
            return false;
        uploads.Enqueue(request);
        return true;
    }

    /// <summary>The next request to serve (gate).</summary>
    public bool TryDequeueUpload(out BlockRequest request) => uploads.TryDequeue(out request);

    /// <summary>The peer cancelled a request (gate): true when it was still queued (then it is dropped).</summary>
    public bool RemoveUpload(BlockRequest request)
    {
        var found = false;
        for (var i = uploads.Count; i > 0; i--)
        {
            var next = uploads.Dequeue();
            if (!found && next == request)
                found = true;
            else
                uploads.Enqueue(next);
        }
        return found;
    }

    /// <summary>Drops every queued request (gate), into <paramref name="dropped"/>.</summary>
    public void ClearUploads(List<BlockRequest> dropped)
    {
        dropped.AddRange(uploads);
        uploads.Clear();
    }

    public void Wake() => Release(Signal);

    public void WakeUploads() => Release(UploadSignal);

    private static void Release(SemaphoreSlim signal)
    {
        try
        {
            if (signal.CurrentCount == 0)
                signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
    }
}
