namespace Rustorrent.Peers;

/// <summary>
/// Who we upload to (BEP 3's choking algorithm, as libtorrent's rate-based choker): every round the interested
/// peers that gave us the most (while downloading; while seeding, those we sent the most to, so the fastest
/// downloaders finish first) get the regular slots, and one more interested peer, rotated every
/// <see cref="OptimisticRounds"/> rounds, gets the optimistic slot so newcomers can prove themselves.
/// One owner calls it; it keeps only which peer is the optimistic one.
/// </summary>
internal sealed class Choker<TPeer>(int regularSlots, Random random) where TPeer : class
{
    /// <summary>Rounds are 10 s apart (BEP 3); the optimistic unchoke moves every 30 s.</summary>
    public const int OptimisticRounds = 3;

    private readonly List<ChokeCandidate<TPeer>> ranked = [];
    private TPeer? optimistic;
    private int round;

    public int RegularSlots { get; } = regularSlots >= 0 ? regularSlots : throw new ArgumentOutOfRangeException(nameof(regularSlots));

    /// <summary>Regular slots plus the optimistic one.</summary>
    public int TotalSlots => RegularSlots + 1;

    /// <summary>One round: fills <paramref name="unchoke"/> with the peers to unchoke; every other peer is choked.</summary>
    public void Decide(IReadOnlyList<ChokeCandidate<TPeer>> peers, ISet<TPeer> unchoke)
    {
        unchoke.Clear();
        ranked.Clear();
        foreach (var peer in peers)
        {
            if (peer.Interested)
                ranked.Add(peer);
        }
        // Highest rate first; ties in random order so equal peers share the slots over time.
        Shuffle(ranked);
        ranked.Sort(static (a, b) => b.Rate.CompareTo(a.Rate));
        for (var i = 0; i < ranked.Count && unchoke.Count < RegularSlots; i++)
            unchoke.Add(ranked[i].Peer);

        var keepOptimistic = optimistic is not null && round % OptimisticRounds != 0 &&
            ranked.Exists(c => ReferenceEquals(c.Peer, optimistic)) && !unchoke.Contains(optimistic);
        round++;
        if (!keepOptimistic)
        {
            optimistic = null;
            var left = ranked.FindAll(c => !unchoke.Contains(c.Peer));
            if (left.Count > 0)
                optimistic = left[random.Next(left.Count)].Peer;
        }
        if (optimistic is not null)
            unchoke.Add(optimistic);
    }

    private void Shuffle(List<ChokeCandidate<TPeer>> list)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}

/// <summary>A connected peer as the choker sees it: whether it wants our data, and its rate (bytes/s).</summary>
internal readonly record struct ChokeCandidate<TPeer>(TPeer Peer, bool Interested, double Rate);
