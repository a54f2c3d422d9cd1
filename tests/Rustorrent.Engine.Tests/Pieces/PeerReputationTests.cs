using System.Net;
using Rustorrent.Pieces;

namespace Rustorrent.Engine.Tests.Pieces;

public sealed class PeerReputationTests
{
    private static readonly IPAddress Honest = IPAddress.Parse("127.0.0.1");
    private static readonly IPAddress Bad = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Other = IPAddress.Parse("127.0.0.3");

    [Fact]
    public void Three_failures_ban_a_peer_once_someone_else_is_honest()
    {
        var reputation = new PeerReputation();
        var toBan = new List<IPAddress>();
        reputation.PiecePassed([Honest]);

        reputation.PieceFailed([Bad], toBan);
        reputation.PieceFailed([Bad], toBan);
        Assert.Empty(toBan);
        reputation.PieceFailed([Bad], toBan);

        Assert.Equal([Bad], toBan);
        Assert.Equal(-6, reputation.Trust(Bad));
        Assert.Equal(3, reputation.Failures(Bad));
    }

    [Fact]
    public void Nobody_is_banned_while_no_other_peer_has_proven_honest()
    {
        var reputation = new PeerReputation();
        var toBan = new List<IPAddress>();
        // Every piece fails: more likely our disk or a wrong hash than every peer lying.
        for (var i = 0; i < 6; i++)
            reputation.PieceFailed([Bad, Other], toBan);

        Assert.Empty(toBan);

        reputation.PiecePassed([Honest]);
        reputation.PieceFailed([Bad], toBan);
        Assert.Equal([Bad], toBan.Distinct());
    }

    [Fact]
    public void A_peer_with_good_pieces_behind_it_survives_shared_failures_longer()
    {
        var reputation = new PeerReputation();
        var toBan = new List<IPAddress>();
        for (var i = 0; i < 20; i++)
            reputation.PiecePassed([Honest]);
        Assert.Equal(PeerReputation.MaxTrust, reputation.Trust(Honest));
        reputation.PiecePassed([Other]);

        for (var i = 0; i < 3; i++)
            reputation.PieceFailed([Honest, Bad], toBan);

        Assert.Equal([Bad], toBan);
        Assert.Equal(2, reputation.Trust(Honest));
    }

    [Fact]
    public void Tracking_is_bounded_and_drops_the_most_trusted_first()
    {
        var reputation = new PeerReputation(maxPeers: 2);
        var toBan = new List<IPAddress>();
        reputation.PiecePassed([Honest]);
        reputation.PieceFailed([Bad], toBan);
        reputation.PieceFailed([Other], toBan);

        Assert.Equal(2, reputation.TrackedCount);
        Assert.Equal(0, reputation.Trust(Honest)); // forgotten
        Assert.Equal(-2, reputation.Trust(Bad));
    }
}
