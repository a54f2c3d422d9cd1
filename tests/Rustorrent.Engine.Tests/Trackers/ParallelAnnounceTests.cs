using System.Diagnostics;
using Rustorrent.Bencode;
using Rustorrent.Trackers;
using static Rustorrent.Engine.Tests.Trackers.TrackerTestData;

namespace Rustorrent.Engine.Tests.Trackers;

/// <summary>
/// Real clients against real loopback fixtures, several at once: hostile trackers give their own clear
/// errors and never keep the good ones' peers from arriving.
/// </summary>
public class ParallelAnnounceTests
{
    [Fact]
    public async Task Hostile_trackers_do_not_stop_the_others_peers()
    {
        var goodReply = Encode(new BencodeDictionary { ["interval"] = 600, ["peers"] = Compact("10.0.0.1:1001", "10.0.0.2:1002") });
        await using var goodHttp = RawHttpTracker.Answering(goodReply);
        await using var garbageHttp = RawHttpTracker.Answering(Ascii("<html>oops</html>"));
        await using var loopingHttp = new RawHttpTracker((request, stream, token) =>
            RawHttpTracker.WriteResponseAsync(stream, "302 Found", [], token, request.Target.StartsWith("/x", StringComparison.Ordinal) ? "Location: /y" : "Location: /x"));
        await using var slowHttp = new RawHttpTracker((_, _, token) => Task.Delay(Timeout.Infinite, token));
        await using var goodUdp = new UdpTrackerFixture(UdpTrackerFixture.Standard([Peer("10.0.0.3:1003")]));
        await using var silentUdp = new UdpTrackerFixture(_ => []);
        await using var wrongIdUdp = new UdpTrackerFixture(packet => [UdpTrackerFixture.ConnectReply(packet.TransactionId ^ 1, 1)]);

        using var factory = new TrackerClientFactory(TestOptions with { Timeout = TimeSpan.FromSeconds(3) });
        string[][] announceList =
        [
            [garbageHttp.AnnounceUri.ToString(), slowHttp.AnnounceUri.ToString(), goodHttp.AnnounceUri.ToString()],
            [silentUdp.AnnounceUri.ToString(), wrongIdUdp.AnnounceUri.ToString(), loopingHttp.AnnounceUri.ToString()],
            [goodUdp.AnnounceUri.ToString(), "wss://webtorrent.example/announce"],
        ];
        var set = TrackerTierSet.FromAnnounceList(announceList, factory, new Random(5));
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();

        var results = new List<(TrackerAnnounceResult Result, TimeSpan At)>();
        await foreach (var result in set.AnnounceAllAsync(Request(), bound.Token))
            results.Add((result, clock.Elapsed));

        Assert.Equal(8, results.Count);
        var byUri = results.ToDictionary(r => r.Result.Tracker.ToString(), r => r);

        var http = byUri[goodHttp.AnnounceUri.ToString()];
        Assert.True(http.Result.Succeeded);
        Assert.Equal([Peer("10.0.0.1:1001"), Peer("10.0.0.2:1002")], http.Result.Response!.Peers);
        Assert.Equal(0, http.Result.Tier);
        var udp = byUri[goodUdp.AnnounceUri.ToString()];
        Assert.Equal([Peer("10.0.0.3:1003")], udp.Result.Response!.Peers);
        Assert.Equal(2, udp.Result.Tier);

        // The good ones did not wait for the slow ones (which take the full 3 s to time out).
        var slowest = results.Max(r => r.At);
        Assert.True(slowest >= TimeSpan.FromSeconds(2.9), $"the last result came at {slowest}");
        Assert.True(http.At < TimeSpan.FromSeconds(2.5), $"the good HTTP tracker's result came at {http.At}");
        Assert.True(udp.At < TimeSpan.FromSeconds(2.5), $"the good UDP tracker's result came at {udp.At}");
        Assert.True(results.IndexOf(http) < 5 && results.IndexOf(udp) < 5, "the good trackers should come before the three that time out");

        Assert.Equal(TrackerErrorKind.InvalidResponse, byUri[garbageHttp.AnnounceUri.ToString()].Result.Error!.Kind);
        Assert.Equal(TrackerErrorKind.Timeout, byUri[slowHttp.AnnounceUri.ToString()].Result.Error!.Kind);
        Assert.Equal(TrackerErrorKind.Redirect, byUri[loopingHttp.AnnounceUri.ToString()].Result.Error!.Kind);
        Assert.Equal(TrackerErrorKind.Timeout, byUri[silentUdp.AnnounceUri.ToString()].Result.Error!.Kind);
        var wrongId = byUri[wrongIdUdp.AnnounceUri.ToString()].Result.Error!;
        Assert.Equal(TrackerErrorKind.Timeout, wrongId.Kind);
        Assert.Contains("instead of", wrongId.Reason);
        Assert.Equal(TrackerErrorKind.Unsupported, byUri["wss://webtorrent.example/announce"].Result.Error!.Kind);
        Assert.All(results, r => Assert.True(r.Result.Succeeded || r.Result.Error!.Tracker == r.Result.Tracker));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");

        // Answering trackers moved to the front of their tiers.
        Assert.Equal(goodHttp.AnnounceUri, set.Tiers[0][0].Uri);
        Assert.Equal(goodUdp.AnnounceUri, set.Tiers[2][0].Uri);
    }

    [Fact]
    public async Task Tracker_peer_source_yields_each_answering_trackers_peers_and_reports_every_result()
    {
        await using var goodHttp = RawHttpTracker.Answering(Encode(new BencodeDictionary { ["peers"] = Compact("10.0.0.1:1001") }));
        await using var emptyHttp = RawHttpTracker.Answering(Encode(new BencodeDictionary { ["peers"] = Array.Empty<byte>() }));
        await using var goodUdp = new UdpTrackerFixture(UdpTrackerFixture.Standard([Peer("10.0.0.3:1003"), Peer("10.0.0.4:1004")]));
        await using var refusing = new UdpTrackerFixture(packet => [UdpTrackerFixture.ErrorReply(packet.TransactionId, "go away")]);
        using var factory = new TrackerClientFactory(TestOptions);
        var set = TrackerTierSet.FromAnnounceList(
            [[goodHttp.AnnounceUri.ToString(), emptyHttp.AnnounceUri.ToString()], [goodUdp.AnnounceUri.ToString(), refusing.AnnounceUri.ToString()]],
            factory);
        var reported = new List<TrackerAnnounceResult>();
        IPeerSource source = new TrackerPeerSource(set, announceToAllTrackers: true, onResult: reported.Add);
        var query = new PeerQuery { InfoHash = TestInfoHash, PeerId = TestPeerId, Port = 6881, Left = 100, Event = AnnounceEvent.Started };

        var found = new List<PeerDiscovery>();
        await foreach (var discovery in source.DiscoverAsync(query, CancellationToken.None))
            found.Add(discovery);

        Assert.Equal(PeerSourceKind.Tracker, source.Kind);
        Assert.Equal(4, reported.Count);
        Assert.Equal("the tracker refused: go away", reported.Single(r => !r.Succeeded).Error!.Reason);
        Assert.Equal(2, found.Count);
        Assert.All(found, d => Assert.Equal(PeerSourceKind.Tracker, d.Source));
        Assert.Equal([Peer("10.0.0.1:1001")], found.Single(d => d.Origin == goodHttp.AnnounceUri.ToString()).Peers);
        Assert.Equal([Peer("10.0.0.3:1003"), Peer("10.0.0.4:1004")], found.Single(d => d.Origin == goodUdp.AnnounceUri.ToString()).Peers);
        Assert.Contains("left=100&", goodHttp.Requests.Single().Target);
    }

    [Fact]
    public async Task Tracker_peer_source_in_bep_12_mode_stops_at_the_first_answer()
    {
        var down = FakeTrackerClient.Failing("http://down/announce");
        var up = FakeTrackerClient.Answering("http://up/announce", "4.4.4.4:4");
        var spare = FakeTrackerClient.Answering("http://spare/announce", "5.5.5.5:5");
        var reported = new List<TrackerAnnounceResult>();
        var source = new TrackerPeerSource(new TrackerTierSet([[down], [up], [spare]]), announceToAllTrackers: false, onResult: reported.Add);
        var query = new PeerQuery { InfoHash = TestInfoHash, PeerId = TestPeerId, Port = 6881 };

        var found = new List<PeerDiscovery>();
        await foreach (var discovery in source.DiscoverAsync(query, CancellationToken.None))
            found.Add(discovery);

        var only = Assert.Single(found);
        Assert.Equal("http://up/announce", only.Origin);
        Assert.Equal([Peer("4.4.4.4:4")], only.Peers);
        Assert.Equal(["down", "up"], reported.Select(r => r.Tracker.Host));
        Assert.Equal(0, spare.Announces);
    }
}
