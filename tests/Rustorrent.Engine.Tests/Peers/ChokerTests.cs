using Rustorrent.Peers;

namespace Rustorrent.Engine.Tests.Peers;

public sealed class ChokerTests
{
    private sealed record Peer(string Name);

    [Fact]
    public void The_fastest_interested_peers_get_the_regular_slots_and_one_more_is_unchoked_optimistically()
    {
        var peers = Enumerable.Range(0, 8).Select(i => new Peer($"p{i}")).ToList();
        var candidates = peers.Select((p, i) => new ChokeCandidate<Peer>(p, Interested: i != 7, Rate: i * 1000)).ToList();
        var choker = new Choker<Peer>(regularSlots: 3, new Random(1));
        var unchoke = new HashSet<Peer>();

        choker.Decide(candidates, unchoke);

        Assert.Equal(4, unchoke.Count);
        Assert.Contains(peers[6], unchoke);
        Assert.Contains(peers[5], unchoke);
        Assert.Contains(peers[4], unchoke);
        Assert.DoesNotContain(peers[7], unchoke); // the fastest, but not interested
        Assert.Single(unchoke, p => p.Name is "p0" or "p1" or "p2" or "p3");
    }

    [Fact]
    public void The_optimistic_unchoke_stays_for_three_rounds_then_moves_and_reaches_every_peer()
    {
        var peers = Enumerable.Range(0, 6).Select(i => new Peer($"p{i}")).ToList();
        // Two fast peers hold the regular slots; four slow ones share the optimistic slot.
        var candidates = peers.Select((p, i) => new ChokeCandidate<Peer>(p, true, i < 2 ? 1e6 : 0)).ToList();
        var choker = new Choker<Peer>(regularSlots: 2, new Random(3));
        var unchoke = new HashSet<Peer>();
        var optimisticByRound = new List<Peer>();

        for (var round = 0; round < 60; round++)
        {
            choker.Decide(candidates, unchoke);
            Assert.Contains(peers[0], unchoke);
            Assert.Contains(peers[1], unchoke);
            optimisticByRound.Add(Assert.Single(unchoke, p => p != peers[0] && p != peers[1]));
        }

        for (var round = 0; round < 60; round += Choker<Peer>.OptimisticRounds)
        {
            Assert.Equal(optimisticByRound[round], optimisticByRound[round + 1]);
            Assert.Equal(optimisticByRound[round], optimisticByRound[round + 2]);
        }
        Assert.Equal(4, optimisticByRound.Distinct().Count());
    }

    [Fact]
    public void Nobody_interested_means_nobody_unchoked()
    {
        var choker = new Choker<Peer>(4, new Random(1));
        var unchoke = new HashSet<Peer> { new("stale") };
        choker.Decide([new ChokeCandidate<Peer>(new Peer("a"), false, 5)], unchoke);
        Assert.Empty(unchoke);
    }
}
