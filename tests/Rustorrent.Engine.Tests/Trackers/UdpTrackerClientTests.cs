using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using Rustorrent.Peers;
using Rustorrent.Trackers;
using static Rustorrent.Engine.Tests.Trackers.TrackerTestData;

namespace Rustorrent.Engine.Tests.Trackers;

/// <summary>The UDP tracker client (BEP 15) against <see cref="UdpTrackerFixture"/>, well-behaved and hostile.</summary>
public class UdpTrackerClientTests
{
    private static readonly PeerEndpoint[] SwarmPeers = [Peer("10.0.0.1:6881"), Peer("172.16.5.4:51413")];

    [Fact]
    public async Task Connect_then_announce_send_the_bep_15_bytes_and_the_reply_is_read()
    {
        await using var tracker = new UdpTrackerFixture(UdpTrackerFixture.Standard(SwarmPeers, interval: 1234, leechers: 3, seeders: 7));
        var client = new UdpTrackerClient(tracker.AnnounceUri, new UdpConnectionIdCache(), TestOptions);

        var response = await client.AnnounceAsync(Request(), CancellationToken.None);

        Assert.Equal(SwarmPeers, response.Peers);
        Assert.Equal(TimeSpan.FromSeconds(1234), response.Interval);
        Assert.Equal(3, response.Leechers);
        Assert.Equal(7, response.Seeders);
        Assert.Null(response.MinInterval);

        var packets = tracker.Received;
        Assert.Equal(2, packets.Count);
        var connect = packets[0].Data;
        Assert.Equal(16, connect.Length);
        Assert.Equal(0x41727101980, BinaryPrimitives.ReadInt64BigEndian(connect));
        Assert.Equal(0, BinaryPrimitives.ReadInt32BigEndian(connect.AsSpan(8)));

        var announce = packets[1].Data;
        Assert.Equal(98, announce.Length);
        Assert.Equal(UdpTrackerFixture.ConnectionIdGiven, BinaryPrimitives.ReadInt64BigEndian(announce));
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(announce.AsSpan(8)));
        Assert.NotEqual(packets[0].TransactionId, packets[1].TransactionId);
        Assert.Equal(InfoHashBytes, announce[16..36]);
        Assert.Equal(TestPeerId.Span.ToArray(), announce[36..56]);
        Assert.Equal(2, BinaryPrimitives.ReadInt64BigEndian(announce.AsSpan(56))); // downloaded
        Assert.Equal(3, BinaryPrimitives.ReadInt64BigEndian(announce.AsSpan(64))); // left
        Assert.Equal(1, BinaryPrimitives.ReadInt64BigEndian(announce.AsSpan(72))); // uploaded
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(announce.AsSpan(80))); // event: started
        Assert.Equal(0, BinaryPrimitives.ReadInt32BigEndian(announce.AsSpan(84))); // IP: the sender's
        Assert.Equal(0xBEEFu, BinaryPrimitives.ReadUInt32BigEndian(announce.AsSpan(88))); // key
        Assert.Equal(50, BinaryPrimitives.ReadInt32BigEndian(announce.AsSpan(92))); // num_want
        Assert.Equal(6881, BinaryPrimitives.ReadUInt16BigEndian(announce.AsSpan(96))); // port
    }

    [Theory]
    [InlineData(AnnounceEvent.None, 0, -1)]
    [InlineData(AnnounceEvent.Completed, 1, 0)]
    [InlineData(AnnounceEvent.Stopped, 3, 200)]
    public async Task Event_and_num_want_use_the_bep_15_numbers(AnnounceEvent announceEvent, int code, int numWant)
    {
        await using var tracker = new UdpTrackerFixture(UdpTrackerFixture.Standard(SwarmPeers));
        var client = new UdpTrackerClient(tracker.AnnounceUri, new UdpConnectionIdCache(), TestOptions);

        await client.AnnounceAsync(Request(announceEvent) with { NumWant = numWant == -1 ? -5 : numWant }, CancellationToken.None);

        var announce = tracker.Received[1].Data;
        Assert.Equal(code, BinaryPrimitives.ReadInt32BigEndian(announce.AsSpan(80)));
        Assert.Equal(numWant, BinaryPrimitives.ReadInt32BigEndian(announce.AsSpan(92)));
    }

    [Fact]
    public async Task Scrape_reads_seeders_completed_leechers_in_bep_15_order()
    {
        await using var tracker = new UdpTrackerFixture(UdpTrackerFixture.Standard(SwarmPeers, scrape: (Seeders: 11, Completed: 22, Leechers: 33)));
        var client = new UdpTrackerClient(tracker.AnnounceUri, new UdpConnectionIdCache(), TestOptions);

        var scrape = await client.ScrapeAsync(TestInfoHash, CancellationToken.None);

        Assert.Equal(new ScrapeResponse { Seeders = 11, Completed = 22, Leechers = 33 }, scrape);
        var request = tracker.Received[1].Data;
        Assert.Equal(36, request.Length);
        Assert.Equal(UdpTrackerFixture.ConnectionIdGiven, BinaryPrimitives.ReadInt64BigEndian(request));
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(request.AsSpan(8)));
        Assert.Equal(InfoHashBytes, request[16..36]);
    }

    [Fact]
    public async Task Connection_id_is_reused_for_its_minute_then_renewed()
    {
        await using var tracker = new UdpTrackerFixture(UdpTrackerFixture.Standard(SwarmPeers));
        var time = new ManualTimeProvider();
        var connections = new UdpConnectionIdCache(time);
        var client = new UdpTrackerClient(tracker.AnnounceUri, connections, TestOptions);
        // A second client of the same tracker (another torrent) shares the engine's cache.
        var other = new UdpTrackerClient(tracker.AnnounceUri, connections, TestOptions);

        await client.AnnounceAsync(Request(), CancellationToken.None);
        await other.AnnounceAsync(Request(AnnounceEvent.None), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(59));
        await client.ScrapeAsync(TestInfoHash, CancellationToken.None);
        Assert.Equal(1, tracker.Connects);

        time.Advance(TimeSpan.FromSeconds(2));
        await client.AnnounceAsync(Request(AnnounceEvent.None), CancellationToken.None);

        Assert.Equal(2, tracker.Connects);
        Assert.Equal(3, tracker.Announces);
        Assert.Equal(1, tracker.Scrapes);
    }

    [Fact]
    public async Task Replies_with_another_transaction_id_are_ignored_until_the_right_one()
    {
        var decoy = new[] { Peer("6.6.6.6:666") };
        await using var tracker = new UdpTrackerFixture(packet => packet.Action switch
        {
            0 => [UdpTrackerFixture.ConnectReply(packet.TransactionId + 1, 99), [1, 2, 3], UdpTrackerFixture.ConnectReply(packet.TransactionId, UdpTrackerFixture.ConnectionIdGiven)],
            1 =>
            [
                UdpTrackerFixture.AnnounceReply(packet.TransactionId ^ 0x5a5a, 60, 0, 0, decoy),
                UdpTrackerFixture.ErrorReply(packet.TransactionId - 1, "not for you"),
                UdpTrackerFixture.AnnounceReply(packet.TransactionId, 60, 1, 2, SwarmPeers),
            ],
            _ => [],
        });
        var client = new UdpTrackerClient(tracker.AnnounceUri, new UdpConnectionIdCache(), TestOptions);

        var response = await client.AnnounceAsync(Request(), CancellationToken.None);

        Assert.Equal(SwarmPeers, response.Peers);
        Assert.Equal(UdpTrackerFixture.ConnectionIdGiven, tracker.Received[1].ConnectionId);
        Assert.Equal(1, tracker.Connects);
        Assert.Equal(1, tracker.Announces);
    }

    [Fact]
    public async Task A_reply_to_the_retransmission_is_accepted()
    {
        var announces = 0;
        await using var tracker = new UdpTrackerFixture(packet => packet.Action switch
        {
            0 => [UdpTrackerFixture.ConnectReply(packet.TransactionId, UdpTrackerFixture.ConnectionIdGiven)],
            1 when Interlocked.Increment(ref announces) == 1 => [],
            1 => [UdpTrackerFixture.AnnounceReply(packet.TransactionId, 60, 1, 2, SwarmPeers)],
            _ => [],
        });
        var client = new UdpTrackerClient(tracker.AnnounceUri, new UdpConnectionIdCache(), Retransmitting(200));

        var response = await client.AnnounceAsync(Request(), CancellationToken.None);

        Assert.Equal(SwarmPeers, response.Peers);
        var sent = tracker.Received.Where(p => p.Action == 1).ToArray();
        Assert.True(sent.Length >= 2, $"{sent.Length} announce requests");
        Assert.All(sent, p => Assert.Equal(sent[0].Data, p.Data)); // the same request, same transaction id
    }

    [Fact]
    public async Task Error_action_is_a_tracker_failure_with_the_message_and_drops_the_connection_id()
    {
        await using var tracker = new UdpTrackerFixture(packet => packet.Action switch
        {
            0 => [UdpTrackerFixture.ConnectReply(packet.TransactionId, UdpTrackerFixture.ConnectionIdGiven)],
            _ => [UdpTrackerFixture.ErrorReply(packet.TransactionId, "info hash not\nauthorized")],
        });
        var connections = new UdpConnectionIdCache();
        var client = new UdpTrackerClient(tracker.AnnounceUri, connections, TestOptions);

        var error = await Assert.ThrowsAsync<TrackerException>(() => client.AnnounceAsync(Request(), CancellationToken.None));
        await Assert.ThrowsAsync<TrackerException>(() => client.ScrapeAsync(TestInfoHash, CancellationToken.None));

        Assert.Equal(TrackerErrorKind.TrackerFailure, error.Kind);
        Assert.Equal("the tracker refused: info hash not authorized", error.Reason);
        Assert.Equal(tracker.AnnounceUri, error.Tracker);
        Assert.Equal(2, tracker.Connects);
    }

    [Fact]
    public async Task Error_action_without_a_message_still_says_what_was_refused()
    {
        await using var tracker = new UdpTrackerFixture(packet => [UdpTrackerFixture.ErrorReply(packet.TransactionId, "")]);
        var client = new UdpTrackerClient(tracker.AnnounceUri, new UdpConnectionIdCache(), TestOptions);

        var error = await Assert.ThrowsAsync<TrackerException>(() => client.AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.TrackerFailure, error.Kind);
        Assert.Equal("the tracker refused the connect without a message", error.Reason);
    }

    [Theory]
    [InlineData("wrong action", "the reply to the announce request has action 2 (scrape)")]
    [InlineData("short", "the announce reply is 12 bytes, shorter than the 20 bytes it must have")]
    [InlineData("ragged peers", "the announce reply has 7 bytes of peers, not a whole number of 6-byte entries")]
    [InlineData("negative interval", "the announce reply has a negative interval (-1), leecher count (0) or seeder count (0)")]
    public async Task A_malformed_reply_with_our_transaction_id_is_an_invalid_response(string kind, string reason)
    {
        await using var tracker = new UdpTrackerFixture(packet =>
        {
            if (packet.Action == 0)
                return [UdpTrackerFixture.ConnectReply(packet.TransactionId, UdpTrackerFixture.ConnectionIdGiven)];
            var good = UdpTrackerFixture.AnnounceReply(packet.TransactionId, 60, 0, 0, []);
            return kind switch
            {
                "wrong action" => [UdpTrackerFixture.ScrapeReply(packet.TransactionId, 1, 2, 3)],
                "short" => [good[..12]],
                "ragged peers" => [[.. good, 1, 2, 3, 4, 5, 6, 7]],
                _ => [UdpTrackerFixture.AnnounceReply(packet.TransactionId, -1, 0, 0, [])],
            };
        });
        var client = new UdpTrackerClient(tracker.AnnounceUri, new UdpConnectionIdCache(), TestOptions);

        var error = await Assert.ThrowsAsync<TrackerException>(() => client.AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.InvalidResponse, error.Kind);
        Assert.Equal(reason, error.Reason);
    }

    [Fact]
    public async Task Silence_retransmits_with_doubling_waits_then_times_out_within_the_limit()
    {
        await using var tracker = new UdpTrackerFixture(_ => []);
        var client = new UdpTrackerClient(tracker.AnnounceUri, new UdpConnectionIdCache(), Retransmitting(200, timeoutSeconds: 2.5));
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TrackerException>(() => client.AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.Timeout, error.Kind);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2.4), TimeSpan.FromSeconds(8));
        // Sent at about 0, 200, 600 and 1400 ms: each wait twice the one before. Only lower bounds are
        // asserted (a loaded machine makes waits longer, never shorter); a constant wait would fail them.
        var sent = tracker.Received;
        Assert.InRange(sent.Count, 3, 5);
        Assert.All(sent, p => Assert.Equal(0, p.Action));
        Assert.All(sent, p => Assert.Equal(sent[0].TransactionId, p.TransactionId));
        Assert.True(sent[1].ReceivedAt - sent[0].ReceivedAt >= TimeSpan.FromMilliseconds(150), $"first wait {sent[1].ReceivedAt - sent[0].ReceivedAt}");
        Assert.True(sent[2].ReceivedAt - sent[1].ReceivedAt >= TimeSpan.FromMilliseconds(300), $"second wait {sent[2].ReceivedAt - sent[1].ReceivedAt}");
        if (sent.Count > 3)
            Assert.True(sent[3].ReceivedAt - sent[2].ReceivedAt >= TimeSpan.FromMilliseconds(600), $"third wait {sent[3].ReceivedAt - sent[2].ReceivedAt}");
        Assert.StartsWith("no reply to the connect within 2.5 s (", error.Reason);
        Assert.Matches(@"\(\d requests sent\)$", error.Reason);
    }

    [Fact]
    public async Task A_timeout_names_the_step_that_went_unanswered()
    {
        await using var tracker = new UdpTrackerFixture(packet => packet.Action == 0
            ? [UdpTrackerFixture.ConnectReply(packet.TransactionId, UdpTrackerFixture.ConnectionIdGiven)]
            : []);
        var client = new UdpTrackerClient(tracker.AnnounceUri, new UdpConnectionIdCache(), Retransmitting(200, timeoutSeconds: 2));

        var error = await Assert.ThrowsAsync<TrackerException>(() => client.ScrapeAsync(TestInfoHash, CancellationToken.None));

        Assert.Equal(TrackerErrorKind.Timeout, error.Kind);
        Assert.StartsWith("no reply to the scrape within 2 s (", error.Reason);
        Assert.Equal(1, tracker.Connects);
        Assert.True(tracker.Scrapes >= 2, $"{tracker.Scrapes} scrape requests: expected retransmissions");
    }

    [Fact]
    public async Task A_connection_id_that_expires_while_retransmitting_is_renewed_before_the_next_try()
    {
        var time = new ManualTimeProvider();
        var announces = 0;
        await using var tracker = new UdpTrackerFixture(packet =>
        {
            switch (packet.Action)
            {
                case 0:
                    return [UdpTrackerFixture.ConnectReply(packet.TransactionId, UdpTrackerFixture.ConnectionIdGiven)];
                case 1 when Interlocked.Increment(ref announces) == 1:
                    time.Advance(TimeSpan.FromSeconds(61)); // the minute passes while this one goes unanswered
                    return [];
                default:
                    return [UdpTrackerFixture.AnnounceReply(packet.TransactionId, 60, 0, 1, SwarmPeers)];
            }
        });
        var client = new UdpTrackerClient(tracker.AnnounceUri, new UdpConnectionIdCache(time), Retransmitting(200));

        var response = await client.AnnounceAsync(Request(), CancellationToken.None);

        Assert.Equal(SwarmPeers, response.Peers);
        // Retransmissions (same action and transaction id) aside: connect, announce, connect again, announce.
        var steps = tracker.Received.Select(p => (p.Action, p.TransactionId)).Distinct().ToArray();
        Assert.Equal([0, 1, 0, 1], steps.Select(s => s.Action));
    }

    [Fact]
    public async Task Retransmissions_stop_at_the_bep_15_cap()
    {
        await using var tracker = new UdpTrackerFixture(_ => []);
        var options = Retransmitting(50) with { UdpMaxRetransmits = 2 };
        var client = new UdpTrackerClient(tracker.AnnounceUri, new UdpConnectionIdCache(), options);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TrackerException>(() => client.ScrapeAsync(TestInfoHash, CancellationToken.None));

        Assert.Equal(TrackerErrorKind.Timeout, error.Kind);
        Assert.Equal("no reply to the connect after 3 requests", error.Reason);
        Assert.InRange(tracker.Connects, 1, 3);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Ignored_datagrams_are_mentioned_when_the_wait_ends()
    {
        await using var tracker = new UdpTrackerFixture(packet => [UdpTrackerFixture.ConnectReply(packet.TransactionId + 1, 5)]);
        var options = TestOptions with { Timeout = TimeSpan.FromSeconds(2) };
        var client = new UdpTrackerClient(tracker.AnnounceUri, new UdpConnectionIdCache(), options);

        var error = await Assert.ThrowsAsync<TrackerException>(() => client.AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.Timeout, error.Kind);
        Assert.Matches(@"; ignored \d+ datagrams?, the last a reply with transaction id -?\d+ instead of -?\d+\)$", error.Reason);
    }

    [Fact]
    public async Task Nothing_listening_is_unreachable_without_waiting_for_the_timeout()
    {
        var uri = new Uri($"udp://127.0.0.1:{Rustorrent.TestKit.FreePort.Next()}/announce");
        var client = new UdpTrackerClient(uri, new UdpConnectionIdCache(), TestOptions with { Timeout = TimeSpan.FromSeconds(20) });
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TrackerException>(() => client.AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.Unreachable, error.Kind);
        Assert.StartsWith($"nothing listens on udp 127.0.0.1:{uri.Port}", error.Reason);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Caller_cancellation_is_an_operation_canceled()
    {
        await using var tracker = new UdpTrackerFixture(_ => []);
        var client = new UdpTrackerClient(tracker.AnnounceUri, new UdpConnectionIdCache(), TestOptions);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.AnnounceAsync(Request(), cancel.Token));

        Assert.IsNotType<TrackerException>(error);
    }

    [SkippableFact]
    public async Task Over_ipv6_the_peers_are_18_byte_entries()
    {
        Skip.IfNot(IPv6LoopbackAvailable(), "IPv6 loopback (::1) is not available here.");
        PeerEndpoint[] peers = [Peer("[2001:db8::1]:6881"), Peer("[::1]:51413")];
        await using var tracker = new UdpTrackerFixture(UdpTrackerFixture.Standard(peers), IPAddress.IPv6Loopback);
        var client = new UdpTrackerClient(tracker.AnnounceUri, new UdpConnectionIdCache(), TestOptions);

        var response = await client.AnnounceAsync(Request(), CancellationToken.None);
        var scrape = await client.ScrapeAsync(TestInfoHash, CancellationToken.None);

        Assert.StartsWith("udp://[::1]:", tracker.AnnounceUri.ToString());
        Assert.Equal(peers, response.Peers);
        Assert.Equal(new ScrapeResponse { Seeders = 1, Completed = 2, Leechers = 3 }, scrape);
        Assert.Equal(1, tracker.Connects);
    }

    [Theory]
    [InlineData("udp://tracker.example/announce", "has no port")]
    [InlineData("http://tracker.example:80/announce", "is not a udp:// tracker URL")]
    public void Urls_it_cannot_use_are_refused_at_construction(string url, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => new UdpTrackerClient(new Uri(url)));

        Assert.Contains(message, error.Message);
    }
}
