using System.Net;

namespace Rustorrent.Pieces;

/// <summary>
/// The fallback when <see cref="SmartBan"/> cannot tell who sent the bad block (the piece never passes, or
/// its records were dropped): trust points, after libtorrent. A peer gains one point for each piece it
/// contributed to that passed (at most <see cref="MaxTrust"/>) and loses <see cref="FailurePenalty"/> for
/// each that failed; at <see cref="BanThreshold"/> or below it is banned, i.e. after three failures with no
/// good pieces, later for a peer with a record of good ones (an honest peer that happened to share pieces
/// with a poisoner). No one is banned this way until some other peer has contributed to a piece that passed:
/// if every piece fails, the fault is likelier ours (disk, a wrong hash in the .torrent) than everyone's.
/// <para>Bounded to <c>maxPeers</c> addresses; past that the most trusted entry is dropped. Not thread-safe.</para>
/// </summary>
internal sealed class PeerReputation
{
    public const int MaxTrust = 8;
    public const int FailurePenalty = 2;
    public const int BanThreshold = -6;

    private readonly Dictionary<IPAddress, Entry> peers = [];
    private readonly int maxPeers;
    private IPAddress? firstHonest;
    private IPAddress? secondHonest;

    public PeerReputation(int maxPeers = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPeers);
        this.maxPeers = maxPeers;
    }

    public int TrackedCount => peers.Count;

    public int Trust(IPAddress address) => peers.TryGetValue(address, out var entry) ? entry.Trust : 0;

    public int Failures(IPAddress address) => peers.TryGetValue(address, out var entry) ? entry.Failures : 0;

    /// <summary>A piece passed; <paramref name="contributors"/> are the distinct addresses that sent its blocks.</summary>
    public void PiecePassed(IEnumerable<IPAddress> contributors)
    {
        foreach (var address in contributors)
        {
            var entry = GetOrAdd(address);
            entry.Trust = Math.Min(entry.Trust + 1, MaxTrust);
            NoteHonest(address);
        }
    }

    /// <summary>
    /// A piece failed; <paramref name="contributors"/> are the distinct addresses that sent its blocks. Those
    /// that reach the ban threshold while another peer has proven honest are added to <paramref name="toBan"/>.
    /// </summary>
    public void PieceFailed(IEnumerable<IPAddress> contributors, ICollection<IPAddress> toBan)
    {
        foreach (var address in contributors)
        {
            var entry = GetOrAdd(address);
            entry.Trust -= FailurePenalty;
            entry.Failures++;
            if (entry.Trust <= BanThreshold && SomeoneElseHonest(address) && !toBan.Contains(address))
                toBan.Add(address);
        }
    }

    public void Forget(IPAddress address) => peers.Remove(address);

    private bool SomeoneElseHonest(IPAddress address) =>
        (firstHonest is not null && !firstHonest.Equals(address)) || (secondHonest is not null && !secondHonest.Equals(address));

    // Two distinct honest addresses are enough to answer "is there an honest peer other than X".
    private void NoteHonest(IPAddress address)
    {
        if (firstHonest is null)
            firstHonest = address;
        else if (secondHonest is null && !firstHonest.Equals(address))
            secondHonest = address;
    }

    private Entry GetOrAdd(IPAddress address)
    {
        if (peers.TryGetValue(address, out var entry))
            return entry;
        if (peers.Count >= maxPeers)
        {
            // Drop the most trusted: forgetting a good peer costs nothing; forgetting a bad one would let it off.
            var drop = peers.MaxBy(p => p.Value.Trust).Key;
            peers.Remove(drop);
        }
        entry = new Entry();
        peers.Add(address, entry);
        return entry;
    }

    private sealed class Entry
    {
        public int Trust;
        public int Failures;
    }
}
