using System.Buffers;
using System.Net;
using Rustorrent.Engine.Tests.Pieces;
using Rustorrent.Peers;
using Rustorrent.Peers.Extensions;

namespace Rustorrent.Engine.Tests.Extensions;

/// <summary>The BEP 11 limits on what we send (<see cref="PexOutbox"/>) and take (<see cref="PexInbox"/>).</summary>
public sealed class PexExchangeTests
{
    private static readonly PeerEndpoint Recipient = new(IPAddress.Parse("10.9.9.9"), 9999);

    [Fact]
    public void The_first_message_goes_at_once_then_one_a_minute_with_only_what_changed()
    {
        var clock = new TestClock();
        var outbox = new PexOutbox(clock);
        var a = Peer(1);
        var b = Peer(2);
        var c = Peer(3);

        var first = outbox.TryBuild([a, b], Recipient);
        Assert.Equal([a, b], first!.Added);
        Assert.Empty(first.Dropped);

        // Changes within the minute wait.
        Assert.Null(outbox.TryBuild([b, c], Recipient));
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.False(outbox.IsDue);
        Assert.Null(outbox.TryBuild([b, c], Recipient));

        clock.Advance(TimeSpan.FromSeconds(1));
        var second = outbox.TryBuild([b, c], Recipient);
        Assert.Equal([c], second!.Added);
        Assert.Equal([a.EndPoint], second.Dropped);

        // Nothing changed: nothing to send, and the next change may go at once.
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(outbox.TryBuild([b, c], Recipient));
        Assert.Equal([a], outbox.TryBuild([a, b, c], Recipient)!.Added);
    }

    [Fact]
    public void At_most_50_added_and_50_dropped_per_message_the_rest_next_minute()
    {
        var clock = new TestClock();
        var outbox = new PexOutbox(clock);
        var many = Enumerable.Range(1, 120).Select(Peer).ToArray();

        var sent = new List<PexMessage>();
        for (var minute = 0; minute < 3; minute++, clock.Advance(PexOutbox.Interval))
            sent.Add(outbox.TryBuild(many, Recipient)!);

        Assert.Equal([50, 50, 20], sent.Select(m => m.Added.Count));
        Assert.Equal(many, sent.SelectMany(m => m.Added));
        Assert.All(sent, m => Assert.True(m.Encode().Length > 0));

        // All 120 gone: 50, 50, 20 dropped.
        var dropped = new List<int>();
        for (var minute = 0; minute < 3; minute++, clock.Advance(PexOutbox.Interval))
            dropped.Add(outbox.TryBuild([], Recipient)!.Dropped.Count);
        Assert.Equal([50, 50, 20], dropped);
        Assert.Equal(0, outbox.KnownCount);
    }

    [Fact]
    public void The_recipient_is_never_told_of_itself()
    {
        var outbox = new PexOutbox(new TestClock());
        var message = outbox.TryBuild([new PexPeer(Recipient, PexFlags.None), Peer(1)], Recipient);
        Assert.Equal([Peer(1)], message!.Added);
    }

    [Fact]
    public void Messages_sooner_than_BEP_11_allows_are_ignored()
    {
        var clock = new TestClock();
        var inbox = new PexInbox(clock);
        var payload = new ReadOnlySequence<byte>(new PexMessage([Peer(1)], []).Encode());

        Assert.Equal([Peer(1)], inbox.Receive(payload, out _, out var refused));
        Assert.Null(refused);
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(inbox.Receive(payload, out _, out refused));
        Assert.NotNull(refused);
        Assert.Equal(1, inbox.TooSoon);
        clock.Advance(PexInbox.MinInterval);
        Assert.Equal([Peer(1)], inbox.Receive(payload, out _, out _));
    }

    [Fact]
    public void One_connection_gives_at_most_500_peers_in_all()
    {
        var clock = new TestClock();
        var inbox = new PexInbox(clock);
        var taken = 0;
        for (var message = 0; message < 10; message++, clock.Advance(PexOutbox.Interval))
        {
            var peers = Enumerable.Range(message * 100 + 1, 100).Select(Peer).ToArray();
            // Written by hand: more than 50 per message is what a hostile peer sends.
            var compact = peers.SelectMany(p => p.EndPoint.ToCompact()).ToArray();
            byte[] payload = [.. System.Text.Encoding.ASCII.GetBytes($"d5:added{compact.Length}:"), .. compact, (byte)'e'];
            taken += inbox.Receive(new ReadOnlySequence<byte>(payload), out _, out _).Count;
        }
        Assert.Equal(PexInbox.MaxPeersPerConnection, taken);
        Assert.Equal(500, inbox.PeersIgnored);
    }

    [Fact]
    public void Malformed_messages_are_counted_and_give_nothing()
    {
        var inbox = new PexInbox(new TestClock());
        Assert.Empty(inbox.Receive(new ReadOnlySequence<byte>("d5:added5:xxxxxe"u8.ToArray()), out _, out var refused));
        Assert.Contains("not a multiple of 6", refused);
        Assert.Equal(1, inbox.Malformed);
        // A malformed message does not start the minute: a good one right after still counts.
        Assert.Single(inbox.Receive(new ReadOnlySequence<byte>(new PexMessage([Peer(1)], []).Encode()), out _, out _));
    }

    private static PexPeer Peer(int i) => new(new PeerEndpoint(IPAddress.Parse("10.0.0.1"), 1000 + i), PexFlags.Reachable);
}
