using Rustorrent.Trackers;
using static Rustorrent.Engine.Tests.Trackers.TrackerTestData;

namespace Rustorrent.Engine.Tests.Trackers;

/// <summary>BEP 12 tiers over in-memory trackers, and the announce-to-all stream.</summary>
public class TrackerTierSetTests
{
    private static string[] Order(TrackerTierSet set, int tier) => [.. set.Tiers[tier].Select(t => t.Uri.Host)];

    private static FakeTrackerClient[] Answering(params string[] hosts) => [.. hosts.Select(h => FakeTrackerClient.Answering($"http://{h}/announce"))];

    [Fact]
    public void Each_tier_is_shuffled_within_itself_by_the_given_random()
    {
        var tiers = new[] { Answering("a", "b", "c", "d", "e", "f"), Answering("g", "h", "i") };

        var set = new TrackerTierSet(tiers, new Random(42));
        var again = new TrackerTierSet(tiers, new Random(42));
        var other = new TrackerTierSet(tiers, new Random(7));

        Assert.Equal(2, set.TierCount);
        Assert.Equal(9, set.TrackerCount);
        // Fisher-Yates driven by Random(42) (seeded Random is stable across .NET versions).
        Assert.Equal(["c", "d", "b", "f", "a", "e"], Order(set, 0));
        Assert.Equal(["i", "h", "g"], Order(set, 1));
        Assert.Equal(Order(set, 0), Order(again, 0));
        Assert.NotEqual(Order(set, 0), Order(other, 0));
        Assert.Equal(["a", "b", "c", "d", "e", "f"], Order(other, 0).Order());
        Assert.Equal(["g", "h", "i"], Order(other, 1).Order());
    }

    [Fact]
    public async Task A_failing_tracker_falls_through_to_the_next_then_to_the_next_tier()
    {
        var down1 = FakeTrackerClient.Failing("http://down1/announce");
        var down2 = FakeTrackerClient.Failing("udp://down2:80/announce", TrackerErrorKind.Timeout);
        var up = FakeTrackerClient.Answering("http://up/announce", "1.2.3.4:5");
        var later = FakeTrackerClient.Answering("http://later/announce", "9.9.9.9:9");
        var set = new TrackerTierSet([[down1, down2], [up], [later]], new Random(1));

        var attempts = await set.AnnounceAsync(Request(), CancellationToken.None);

        Assert.Equal(3, attempts.Count);
        Assert.All(attempts.Take(2), a => Assert.False(a.Succeeded));
        Assert.All(attempts.Take(2), a => Assert.Equal(0, a.Tier));
        Assert.Equal([TrackerErrorKind.Unreachable, TrackerErrorKind.Timeout], attempts.Take(2).Select(a => a.Error!.Kind).Order());
        Assert.True(attempts[2].Succeeded);
        Assert.Equal(1, attempts[2].Tier);
        Assert.Equal(up.Uri, attempts[2].Tracker);
        Assert.Equal([Peer("1.2.3.4:5")], attempts[2].Response!.Peers);
        Assert.Equal(0, later.Announces);
    }

    [Fact]
    public async Task The_tracker_that_answers_moves_to_the_front_of_its_tier()
    {
        var a = FakeTrackerClient.Failing("http://a/announce");
        var b = FakeTrackerClient.Failing("http://b/announce");
        var c = FakeTrackerClient.Answering("http://c/announce", "1.1.1.1:1");
        var d = FakeTrackerClient.Answering("http://d/announce", "2.2.2.2:2");
        var set = new TrackerTierSet([[a, b, c, d]], new Random(42));
        var before = Order(set, 0);
        Assert.NotEqual("c", before[0]);

        var first = await set.AnnounceAsync(Request(), CancellationToken.None);
        var winner = first[^1].Tracker.Host;

        // Failed trackers tried before it, then the winner; the winner is now first, the others keep their order.
        Assert.Equal([winner, .. before.Where(h => h != winner)], Order(set, 0));
        var second = await set.AnnounceAsync(Request(AnnounceEvent.None), CancellationToken.None);
        Assert.Single(second);
        Assert.Equal(winner, second[0].Tracker.Host);
    }

    [Fact]
    public async Task All_failing_gives_every_failure_and_no_trackers_gives_none()
    {
        var set = new TrackerTierSet([[FakeTrackerClient.Failing("http://x/announce")], [FakeTrackerClient.Failing("http://y/announce")]]);

        var attempts = await set.AnnounceAsync(Request(), CancellationToken.None);
        var empty = await new TrackerTierSet([[], []]).AnnounceAsync(Request(), CancellationToken.None);

        Assert.Equal(["x", "y"], attempts.Select(a => a.Tracker.Host));
        Assert.All(attempts, a => Assert.Equal("fake failure", a.Error!.Reason));
        Assert.Empty(empty);
    }

    [Fact]
    public async Task A_client_that_throws_something_unexpected_becomes_that_trackers_failure()
    {
        var broken = new FakeTrackerClient("http://broken/announce", _ => throw new InvalidOperationException("bug"));
        var good = FakeTrackerClient.Answering("http://good/announce", "3.3.3.3:3");
        var set = new TrackerTierSet([[broken], [good]]);

        var attempts = await set.AnnounceAsync(Request(), CancellationToken.None);

        Assert.Equal("unexpected InvalidOperationException: bug", attempts[0].Error!.Reason);
        Assert.True(attempts[1].Succeeded);
    }

    [Fact]
    public void From_announce_list_skips_bad_and_repeated_urls_and_keeps_unsupported_ones_as_failures()
    {
        using var factory = new TrackerClientFactory(TestOptions);
        string[][] announceList =
        [
            ["http://a.example/announce", "not a url", "udp://b.example:6969/announce"],
            ["http://a.example/announce", "wss://c.example/announce", "udp://d.example/announce"],
            [],
        ];

        var set = TrackerTierSet.FromAnnounceList(announceList, factory, new Random(3));

        Assert.Equal(2, set.TierCount);
        Assert.Equal(["a.example", "b.example"], Order(set, 0).Order());
        var second = set.Tiers[1].OrderBy(t => t.Uri.Host).ToArray();
        Assert.Equal(["c.example", "d.example"], second.Select(t => t.Uri.Host));
        Assert.All(second, t => Assert.IsType<UnsupportedTrackerClient>(t));
        Assert.IsType<HttpTrackerClient>(set.Tiers[0].Single(t => t.Uri.Host == "a.example"));
        Assert.IsType<UdpTrackerClient>(set.Tiers[0].Single(t => t.Uri.Host == "b.example"));
    }

    [Fact]
    public async Task Unsupported_trackers_fail_with_the_reason()
    {
        using var factory = new TrackerClientFactory(TestOptions);
        var client = factory.Create(new Uri("wss://c.example/announce"));

        var error = await Assert.ThrowsAsync<TrackerException>(() => client.AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.Unsupported, error.Kind);
        Assert.Equal("the 'wss' scheme is not supported (only http, https and udp are)", error.Reason);
    }

    [Fact]
    public async Task Announce_to_all_streams_results_as_they_arrive_and_moves_answering_trackers_to_front()
    {
        var release = new TaskCompletionSource();
        var slow = new FakeTrackerClient("http://slow/announce", async token =>
        {
            await release.Task.WaitAsync(token);
            return new AnnounceResponse { Peers = [Peer("7.7.7.7:7")] };
        });
        var down = FakeTrackerClient.Failing("http://down/announce");
        var fast = FakeTrackerClient.Answering("http://fast/announce", "1.1.1.1:1");
        var set = new TrackerTierSet([[slow, down, fast]], new Random(42));
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var seen = new List<string>();
        await foreach (var result in set.AnnounceAllAsync(Request(), bound.Token))
        {
            seen.Add(result.Tracker.Host);
            if (seen.Count == 2)
            {
                // The slow tracker is still out; the other two are already here.
                Assert.Equal(["down", "fast"], seen.Order());
                release.SetResult();
            }
        }

        Assert.Equal("slow", seen[^1]);
        Assert.Equal(3, seen.Count);
        // fast answered, then slow: each went to the front in turn; down stays behind them.
        Assert.Equal(["slow", "fast", "down"], Order(set, 0));
    }

    [Fact]
    public async Task Leaving_the_stream_early_cancels_the_announces_still_running()
    {
        var cancelled = new TaskCompletionSource();
        var hanging = new FakeTrackerClient("http://hanging/announce", async token =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            finally
            {
                cancelled.TrySetResult();
            }
            throw new InvalidOperationException("unreachable");
        });
        var fast = FakeTrackerClient.Answering("http://fast/announce", "1.1.1.1:1");
        var set = new TrackerTierSet([[hanging], [fast]]);

        await foreach (var result in set.AnnounceAllAsync(Request(), CancellationToken.None))
        {
            Assert.Equal("fast", result.Tracker.Host);
            break;
        }

        // The enumerator's DisposeAsync waited for the hanging announce to observe its cancellation.
        Assert.True(cancelled.Task.IsCompleted);
    }

    [Fact]
    public async Task Cancelling_the_stream_ends_it_with_operation_canceled()
    {
        var hanging = new FakeTrackerClient("http://hanging/announce", async token =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return new AnnounceResponse { Peers = [] };
        });
        var set = new TrackerTierSet([[hanging]]);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in set.AnnounceAllAsync(Request(), cancel.Token))
            {
            }
        });
    }
}
