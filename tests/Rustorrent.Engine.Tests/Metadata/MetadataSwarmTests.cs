using System.Net;
using Rustorrent.Metadata;
using Rustorrent.Peers;
using Rustorrent.Peers.Extensions;

namespace Rustorrent.Engine.Tests.Metadata;

public sealed class MetadataSwarmTests
{
    private static readonly PeerEndpoint LiarAt = new(IPAddress.Parse("10.0.0.66"), 6666);
    private static readonly PeerEndpoint HonestAt = new(IPAddress.Parse("10.0.0.1"), 1111);
    private readonly byte[] info = MetadataTestData.InfoDictionary();
    private readonly byte[] lies;

    public MetadataSwarmTests()
    {
        lies = (byte[])info.Clone();
        new Random(5).NextBytes(lies.AsSpan(10));
    }

    [Fact]
    public async Task Pieces_are_spread_over_peers_and_the_verified_whole_completes_the_fetch()
    {
        var swarm = new MetadataSwarm(MetadataTestData.V1Hash(info));
        var a = swarm.Join(HonestAt, info.Length)!;
        var b = swarm.Join(new PeerEndpoint(IPAddress.Parse("10.0.0.2"), 2222), info.Length)!;

        Assert.True(swarm.TryAssign(a, out var p0));
        Assert.True(swarm.TryAssign(b, out var p1));
        Assert.True(swarm.TryAssign(a, out var p2));
        Assert.False(swarm.TryAssign(b, out _));
        Assert.Equal([0, 1, 2], new[] { p0, p1, p2 });

        Deliver(swarm, a, 0, info);
        Deliver(swarm, b, 1, info);
        Assert.False(swarm.Completion.IsCompleted);
        Assert.Equal(MetadataPieceOutcome.Complete, Deliver(swarm, a, 2, info));

        Assert.True(swarm.Completion.IsCompletedSuccessfully);
        Assert.Equal(info, await swarm.Completion.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(2, swarm.Sources.Count);
        Assert.Empty(swarm.Liars);
    }

    [Fact]
    public async Task A_lone_liar_is_banned_and_an_honest_peer_fetches_it_all_again()
    {
        var swarm = new MetadataSwarm(MetadataTestData.V1Hash(info));
        var liar = swarm.Join(LiarAt, info.Length)!;
        var honest = swarm.Join(HonestAt, info.Length)!;

        for (var piece = 0; piece < 3; piece++)
        {
            Assert.True(swarm.TryAssign(liar, out var assigned));
            Deliver(swarm, liar, assigned, lies);
        }

        Assert.True(swarm.IsBanned(liar));
        Assert.Equal([LiarAt], swarm.Liars);
        Assert.Equal(1, swarm.FailedAttempts);
        Assert.False(swarm.TryAssign(liar, out _));
        FetchAll(swarm, honest, info);
        Assert.Equal(info, await swarm.Completion.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal([HonestAt], swarm.Sources);
        Assert.Null(swarm.Join(LiarAt, info.Length));
    }

    [Fact]
    public async Task After_a_mixed_failure_one_peer_at_a_time_fetches_and_the_liar_is_found_by_its_pieces()
    {
        var swarm = new MetadataSwarm(MetadataTestData.V1Hash(info));
        var liar = swarm.Join(LiarAt, info.Length)!;
        var honest = swarm.Join(HonestAt, info.Length)!;
        Assert.True(swarm.TryAssign(liar, out var liarsPiece));
        Assert.True(swarm.TryAssign(honest, out var p1));
        Assert.True(swarm.TryAssign(honest, out var p2));
        Deliver(swarm, liar, liarsPiece, lies);
        Deliver(swarm, honest, p1, info);
        Deliver(swarm, honest, p2, info);

        // Two contributors: nobody can be blamed yet.
        Assert.Equal(1, swarm.FailedAttempts);
        Assert.Empty(swarm.Liars);
        Assert.True(swarm.TryAssign(honest, out _));
        Assert.False(swarm.TryAssign(liar, out _)); // the honest peer owns this attempt
        swarm.Release(honest, 0);
        FetchAll(swarm, honest, info);

        Assert.Equal(info, await swarm.Completion.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal([LiarAt], swarm.Liars);
        Assert.True(swarm.IsBanned(liar));
    }

    [Fact]
    public async Task After_a_mixed_failure_a_liar_that_goes_first_is_caught_alone()
    {
        var swarm = new MetadataSwarm(MetadataTestData.V1Hash(info));
        var liar = swarm.Join(LiarAt, info.Length)!;
        var honest = swarm.Join(HonestAt, info.Length)!;
        Assert.True(swarm.TryAssign(honest, out var p0));
        Assert.True(swarm.TryAssign(liar, out var p1));
        Assert.True(swarm.TryAssign(liar, out var p2));
        Deliver(swarm, honest, p0, info);
        Deliver(swarm, liar, p1, lies);
        Deliver(swarm, liar, p2, lies);
        Assert.Empty(swarm.Liars);

        FetchAll(swarm, liar, lies);
        Assert.Equal([LiarAt], swarm.Liars);
        Assert.False(swarm.Completion.IsCompleted);
        FetchAll(swarm, honest, info);
        Assert.Equal(info, await swarm.Completion.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(2, swarm.FailedAttempts);
    }

    [Fact]
    public async Task A_peer_that_claims_another_size_waits_until_no_peer_of_the_attempts_size_is_left()
    {
        var swarm = new MetadataSwarm(MetadataTestData.V1Hash(info));
        var liar = swarm.Join(LiarAt, info.Length + 1)!;
        var honest = swarm.Join(HonestAt, info.Length)!;
        Assert.False(swarm.TryAssign(honest, out _));

        var longLies = new byte[info.Length + 1];
        FetchAll(swarm, liar, longLies);
        Assert.Equal([LiarAt], swarm.Liars);

        FetchAll(swarm, honest, info);
        Assert.Equal(info, await swarm.Completion.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void A_piece_of_the_wrong_length_bans_its_sender_at_once()
    {
        var swarm = new MetadataSwarm(MetadataTestData.V1Hash(info));
        var liar = swarm.Join(LiarAt, info.Length)!;
        Assert.True(swarm.TryAssign(liar, out var piece));
        Assert.Equal(MetadataPieceOutcome.Invalid, swarm.Deliver(liar, piece, new byte[100]));
        Assert.True(swarm.IsBanned(liar));
    }

    [Fact]
    public async Task A_peer_that_leaves_frees_its_pieces()
    {
        var swarm = new MetadataSwarm(MetadataTestData.V1Hash(info));
        var a = swarm.Join(LiarAt, info.Length)!;
        var b = swarm.Join(HonestAt, info.Length)!;
        Assert.True(swarm.TryAssign(a, out _));
        Assert.True(swarm.TryAssign(a, out _));
        Assert.True(swarm.TryAssign(a, out _));
        Assert.False(swarm.TryAssign(b, out _));

        swarm.Leave(a);

        FetchAll(swarm, b, info);
        Assert.Equal(info, await swarm.Completion.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Theory]
    [InlineData(2_147_483_648L)]
    [InlineData(0L)]
    [InlineData(-1L)]
    public void A_peer_claiming_an_impossible_size_is_not_let_in(long size)
    {
        var swarm = new MetadataSwarm(MetadataTestData.V1Hash(info));
        Assert.Null(swarm.Join(LiarAt, size));
    }

    private static MetadataPieceOutcome Deliver(MetadataSwarm swarm, MetadataSwarm.Member member, int piece, byte[] source)
    {
        var start = piece * MetadataMessage.PieceSize;
        return swarm.Deliver(member, piece, source.AsSpan(start, Math.Min(MetadataMessage.PieceSize, source.Length - start)));
    }

    private static void FetchAll(MetadataSwarm swarm, MetadataSwarm.Member member, byte[] source)
    {
        while (swarm.TryAssign(member, out var piece))
            Deliver(swarm, member, piece, source);
    }
}
