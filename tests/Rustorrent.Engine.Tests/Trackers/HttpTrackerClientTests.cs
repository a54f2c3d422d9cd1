using System.Diagnostics;
using System.Text;
using Rustorrent.Bencode;
using Rustorrent.Trackers;
using static Rustorrent.Engine.Tests.Trackers.TrackerTestData;

namespace Rustorrent.Engine.Tests.Trackers;

/// <summary>The HTTP tracker client against <see cref="RawHttpTracker"/>, well-behaved and hostile.</summary>
public sealed class HttpTrackerClientTests : IDisposable
{
    private const string ExpectedInfoHash = "%00Az0-._~%25%26%3D%2B%20%2F%3F%23%7F%80%C3%FF";
    private const string ExpectedPeerId = "-RT0100-%00%01a~%FE%FF%20%25%2F%3AAz";

    private static readonly byte[] OkReply = Encode(new BencodeDictionary
    {
        ["interval"] = 900,
        ["peers"] = Compact("10.0.0.1:6881"),
    });

    private static readonly byte[] MappedIPv6Compact = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 9, 9, 9, 0x1b, 0x58];

    private readonly HttpClient http = HttpTrackerClient.CreateHttpClient(TestOptions);

    public void Dispose() => http.Dispose();

    // ---- what we send ----

    [Fact]
    public async Task Announce_sends_info_hash_and_peer_id_as_percent_encoded_raw_bytes()
    {
        await using var tracker = RawHttpTracker.Answering(OkReply);
        await HttpClientFor(tracker.AnnounceUri, http).AnnounceAsync(Request(), CancellationToken.None);

        var request = Assert.Single(tracker.Requests);
        Assert.Equal(
            $"GET /announce?info_hash={ExpectedInfoHash}&peer_id={ExpectedPeerId}&port=6881&uploaded=1&downloaded=2&left=3&compact=1&event=started&numwant=50&key=0000BEEF HTTP/1.1",
            request.RequestLine);
        Assert.StartsWith("Rustorrent/", request.Headers["User-Agent"]);
        Assert.Contains("gzip", request.Headers["Accept-Encoding"]);
    }

    [Fact]
    public async Task Announce_keeps_the_trackers_own_query_and_drops_the_fragment()
    {
        await using var tracker = RawHttpTracker.Answering(OkReply);
        var uri = tracker.Url("/a/announce.php?passkey=s3cr%2Ft#frag");
        await HttpClientFor(uri, http).AnnounceAsync(Request(AnnounceEvent.None) with { NumWant = -1 }, CancellationToken.None);

        var request = Assert.Single(tracker.Requests);
        Assert.Equal(
            $"/a/announce.php?passkey=s3cr%2Ft&info_hash={ExpectedInfoHash}&peer_id={ExpectedPeerId}&port=6881&uploaded=1&downloaded=2&left=3&compact=1&key=0000BEEF",
            request.Target);
    }

    [Fact]
    public async Task Announce_sends_the_tracker_id_it_was_given_back_byte_for_byte()
    {
        var reply = Encode(new BencodeDictionary
        {
            ["interval"] = 900,
            ["tracker id"] = new byte[] { (byte)'T', 0x01, 0xff, (byte)'&' },
            ["peers"] = Array.Empty<byte>(),
        });
        await using var tracker = RawHttpTracker.Answering(reply);
        var client = HttpClientFor(tracker.AnnounceUri, http);

        var first = await client.AnnounceAsync(Request(), CancellationToken.None);
        await client.AnnounceAsync(Request(AnnounceEvent.None), CancellationToken.None);
        await client.AnnounceAsync(Request(AnnounceEvent.Completed) with { TrackerId = "given" }, CancellationToken.None);

        Assert.Equal("T\u0001\u00ff&", first.TrackerId);
        var requests = tracker.Requests;
        Assert.Equal(3, requests.Count);
        Assert.DoesNotContain("trackerid=", requests[0].Target);
        Assert.EndsWith("&key=0000BEEF&trackerid=T%01%FF%26", requests[1].Target);
        Assert.DoesNotContain("event=", requests[1].Target);
        Assert.EndsWith("&event=completed&numwant=50&key=0000BEEF&trackerid=given", requests[2].Target);
    }

    // ---- what we read ----

    [Fact]
    public async Task Reads_compact_peers_intervals_counts_tracker_id_and_warning()
    {
        var reply = Encode(new BencodeDictionary
        {
            ["complete"] = 12,
            ["incomplete"] = 34,
            ["interval"] = 1800,
            ["min interval"] = 60,
            ["peers"] = Compact("10.0.0.1:6881", "192.168.1.20:51413", "10.0.0.1:6881"),
            ["tracker id"] = "abc",
            ["warning message"] = "slow down",
        });
        await using var tracker = RawHttpTracker.Answering(reply, "200 OK", "Content-Type: text/plain");

        var response = await HttpClientFor(tracker.AnnounceUri, http).AnnounceAsync(Request(), CancellationToken.None);

        Assert.Equal([Peer("10.0.0.1:6881"), Peer("192.168.1.20:51413")], response.Peers);
        Assert.Equal(TimeSpan.FromSeconds(1800), response.Interval);
        Assert.Equal(TimeSpan.FromSeconds(60), response.MinInterval);
        Assert.Equal(12, response.Seeders);
        Assert.Equal(34, response.Leechers);
        Assert.Equal("abc", response.TrackerId);
        Assert.Equal("slow down", response.WarningMessage);
    }

    [Fact]
    public async Task Reads_dictionary_peers_and_peers6()
    {
        var peerList = new BencodeList
        {
            new BencodeDictionary { ["ip"] = "10.1.2.3", ["peer id"] = new byte[20], ["port"] = 1000 },
            new BencodeDictionary { ["ip"] = "2001:db8::7", ["port"] = 2000 },
        };
        var reply = Encode(new BencodeDictionary
        {
            ["interval"] = 100,
            ["peers"] = peerList,
            // The second entry is IPv4-mapped (::ffff:10.9.9.9): one peer, one identity, so it reads as IPv4.
            ["peers6"] = Compact("[2001:db8::1]:6881").Concat(MappedIPv6Compact).ToArray(),
        });
        await using var tracker = RawHttpTracker.Answering(reply);

        var response = await HttpClientFor(tracker.AnnounceUri, http).AnnounceAsync(Request(), CancellationToken.None);

        Assert.Equal(
            [Peer("10.1.2.3:1000"), Peer("[2001:db8::7]:2000"), Peer("[2001:db8::1]:6881"), Peer("10.9.9.9:7000")],
            response.Peers);
        Assert.Null(response.MinInterval);
        Assert.Null(response.Seeders);
    }

    [Fact]
    public async Task Failure_reason_is_a_tracker_failure_with_the_trackers_words()
    {
        await using var tracker = RawHttpTracker.Answering(Ascii("d14:failure reason22:torrent not registerede"));

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(tracker.AnnounceUri, http).AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.TrackerFailure, error.Kind);
        Assert.Equal(tracker.AnnounceUri, error.Tracker);
        Assert.Equal("the tracker refused: torrent not registered", error.Reason);
        Assert.Contains(tracker.AnnounceUri.ToString(), error.Message);
    }

    [Fact]
    public async Task Gzip_body_is_decompressed()
    {
        var reply = Encode(new BencodeDictionary { ["interval"] = 77, ["peers"] = Compact("10.0.0.5:5555") });
        await using var tracker = RawHttpTracker.Answering(Gzip(reply), "200 OK", "Content-Encoding: gzip");

        var response = await HttpClientFor(tracker.AnnounceUri, http).AnnounceAsync(Request(), CancellationToken.None);

        Assert.Equal([Peer("10.0.0.5:5555")], response.Peers);
        Assert.Equal(TimeSpan.FromSeconds(77), response.Interval);
    }

    [Fact]
    public async Task Corrupt_gzip_body_is_an_invalid_response()
    {
        var gzip = Gzip(OkReply);
        gzip[12] ^= 0xff;
        gzip[^6] ^= 0xff;
        await using var tracker = RawHttpTracker.Answering(gzip, "200 OK", "Content-Encoding: gzip");

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(tracker.AnnounceUri, http).AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.InvalidResponse, error.Kind);
    }

    // ---- redirects ----

    [Fact]
    public async Task Relative_redirect_is_followed_with_the_query_the_tracker_gives()
    {
        await using var tracker = new RawHttpTracker((request, stream, token) => request.Target.StartsWith("/announce", StringComparison.Ordinal)
            ? RawHttpTracker.WriteResponseAsync(stream, "302 Found", [], token, "Location: /moved/announce?x=1")
            : RawHttpTracker.WriteResponseAsync(stream, "200 OK", OkReply, token));

        var response = await HttpClientFor(tracker.AnnounceUri, http).AnnounceAsync(Request(), CancellationToken.None);

        Assert.Equal([Peer("10.0.0.1:6881")], response.Peers);
        var requests = tracker.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Equal("/moved/announce?x=1", requests[1].Target);
    }

    [Fact]
    public async Task Redirect_loop_is_an_error_naming_the_loop()
    {
        await using var tracker = new RawHttpTracker((request, stream, token) =>
            RawHttpTracker.WriteResponseAsync(stream, "301 Moved Permanently", [], token,
                request.Target.StartsWith("/b", StringComparison.Ordinal) ? "Location: /a" : "Location: /b"));

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(tracker.Url("/a"), http).AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.Redirect, error.Kind);
        // The announce URL carries our query, so the loop closes at the second visit to "/a".
        Assert.StartsWith($"redirect loop: http://127.0.0.1:{tracker.Port}/a?info_hash=", error.Reason);
        Assert.EndsWith($" -> http://127.0.0.1:{tracker.Port}/b -> http://127.0.0.1:{tracker.Port}/a -> http://127.0.0.1:{tracker.Port}/b", error.Reason);
        Assert.Equal(3, tracker.Requests.Count);
    }

    [Fact]
    public async Task More_than_five_redirects_is_an_error()
    {
        await using var tracker = new RawHttpTracker((request, stream, token) =>
        {
            var n = int.Parse(request.Target.Split('?')[0].AsSpan(2), System.Globalization.CultureInfo.InvariantCulture);
            return RawHttpTracker.WriteResponseAsync(stream, "307 Temporary Redirect", [], token, $"Location: /r{n + 1}");
        });

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(tracker.Url("/r0"), http).AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.Redirect, error.Kind);
        Assert.StartsWith("more than 5 redirects", error.Reason);
        Assert.Equal(["/r0", "/r1", "/r2", "/r3", "/r4", "/r5"], tracker.Requests.Select(r => r.Target.Split('?')[0]));
    }

    [Fact]
    public async Task Redirect_to_a_scheme_other_than_http_is_refused()
    {
        await using var tracker = RawHttpTracker.Answering([], "302 Found", "Location: file:///etc/passwd");

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(tracker.AnnounceUri, http).AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.Redirect, error.Kind);
        Assert.Equal("redirected to file:///etc/passwd, which is not http or https", error.Reason);
    }

    [Fact]
    public async Task Redirect_without_location_is_an_error()
    {
        await using var tracker = RawHttpTracker.Answering([], "302 Found");

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(tracker.AnnounceUri, http).AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.Redirect, error.Kind);
        Assert.Contains("has no Location header", error.Reason);
    }

    // ---- size limits ----

    [Fact]
    public async Task Body_over_the_cap_is_refused_without_a_content_length()
    {
        var options = TestOptions with { MaxResponseBytes = 64 * 1024 };
        await using var tracker = new RawHttpTracker(async (_, stream, token) =>
        {
            await RawHttpTracker.WriteHeadAsync(stream, "200 OK", token, "Connection: close");
            var chunk = new byte[16 * 1024];
            chunk.AsSpan().Fill((byte)'x');
            for (var i = 0; i < 64; i++) // 1 MiB, delimited by closing the connection
                await stream.WriteAsync(chunk, token);
        });

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(tracker.AnnounceUri, http, options).AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.ResponseTooLarge, error.Kind);
        Assert.Equal("the reply is larger than the limit of 65,536 bytes", error.Reason);
    }

    [Theory]
    [InlineData(4096, true)]
    [InlineData(4095, false)]
    public async Task Body_of_exactly_the_cap_is_read_and_one_byte_more_is_not(int cap, bool accepted)
    {
        // A valid 4096-byte reply: an unknown key padded to size.
        const int size = 4096;
        var padding = size - "d8:intervali5e7:padding".Length - "4067:".Length - "e".Length;
        var body = Ascii($"d8:intervali5e7:padding{padding}:{new string('p', padding)}e");
        Assert.Equal(size, body.Length);
        await using var tracker = RawHttpTracker.Answering(body);
        var client = HttpClientFor(tracker.AnnounceUri, http, TestOptions with { MaxResponseBytes = cap });

        if (accepted)
        {
            var response = await client.AnnounceAsync(Request(), CancellationToken.None);
            Assert.Equal(TimeSpan.FromSeconds(5), response.Interval);
            Assert.Empty(response.Peers);
        }
        else
        {
            var error = await Assert.ThrowsAsync<TrackerException>(() => client.AnnounceAsync(Request(), CancellationToken.None));
            Assert.Equal(TrackerErrorKind.ResponseTooLarge, error.Kind);
        }
    }

    [Fact]
    public async Task Gzip_bomb_is_refused_by_its_decompressed_size()
    {
        var bomb = Gzip(new byte[8 * 1024 * 1024]);
        Assert.True(bomb.Length < 64 * 1024);
        await using var tracker = RawHttpTracker.Answering(bomb, "200 OK", "Content-Encoding: gzip");

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(tracker.AnnounceUri, http, TestOptions with { MaxResponseBytes = 1024 * 1024 })
            .AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.ResponseTooLarge, error.Kind);
    }

    [Fact]
    public async Task A_huge_claimed_content_length_is_not_trusted()
    {
        await using var tracker = new RawHttpTracker(async (_, stream, token) =>
        {
            await RawHttpTracker.WriteHeadAsync(stream, "200 OK", token, "Content-Length: 2000000000", "Connection: close");
            await stream.WriteAsync(OkReply, token);
        });

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(tracker.AnnounceUri, http).AnnounceAsync(Request(), CancellationToken.None));

        // Nothing was sized from the claim: the body simply ended early.
        Assert.Equal(TrackerErrorKind.InvalidResponse, error.Kind);
    }

    // ---- garbage ----

    [Fact]
    public async Task Truncated_bencode_is_an_invalid_response_with_the_offset()
    {
        await using var tracker = RawHttpTracker.Answering(OkReply[..^3]);

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(tracker.AnnounceUri, http).AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.InvalidResponse, error.Kind);
        Assert.StartsWith("the reply is not valid bencode (Invalid bencode at byte ", error.Reason);
        Assert.IsType<BencodeException>(error.InnerException);
    }

    [Fact]
    public async Task Html_instead_of_bencode_is_an_invalid_response_that_shows_the_start()
    {
        await using var tracker = RawHttpTracker.Answering(Ascii("<html><body>\nWelcome to my tracker</body></html>"), "200 OK", "Content-Type: text/html");

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(tracker.AnnounceUri, http).AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.InvalidResponse, error.Kind);
        Assert.Contains("byte 0", error.Reason);
        Assert.EndsWith("it starts with \"<html><body>.Welcome to my tracker</body></html>\"", error.Reason);
    }

    [Fact]
    public async Task Empty_body_is_an_invalid_response()
    {
        await using var tracker = RawHttpTracker.Answering([]);

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(tracker.AnnounceUri, http).AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.InvalidResponse, error.Kind);
        Assert.Equal("the reply body is empty", error.Reason);
    }

    [Fact]
    public async Task A_reply_that_is_not_http_is_an_invalid_response()
    {
        await using var tracker = new RawHttpTracker((_, stream, token) => stream.WriteAsync(Ascii("SSH-2.0-OpenSSH_9.2\r\n\r\n"), token).AsTask());

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(tracker.AnnounceUri, http).AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.InvalidResponse, error.Kind);
    }

    // ---- status codes ----

    [Fact]
    public async Task Status_500_without_a_body_names_the_status()
    {
        await using var tracker = RawHttpTracker.Answering([], "500 Internal Server Error");

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(tracker.AnnounceUri, http).AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.HttpStatus, error.Kind);
        Assert.Equal("HTTP 500 (Internal Server Error) with an empty body", error.Reason);
    }

    [Fact]
    public async Task Status_500_with_a_body_shows_its_start()
    {
        await using var tracker = RawHttpTracker.Answering(Ascii("database is down\r\n"), "500 Internal Server Error");

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(tracker.AnnounceUri, http).AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.HttpStatus, error.Kind);
        Assert.Equal("HTTP 500 (Internal Server Error): \"database is down..\"", error.Reason);
    }

    [Fact]
    public async Task Error_status_with_a_bencoded_failure_reason_shows_the_reason()
    {
        await using var tracker = RawHttpTracker.Answering(Ascii("d14:failure reason15:unknown passkeye"), "403 Forbidden");

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(tracker.AnnounceUri, http).AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.HttpStatus, error.Kind);
        Assert.Equal("HTTP 403 (Forbidden): unknown passkey", error.Reason);
    }

    // ---- time ----

    [Fact]
    public async Task Slow_body_times_out_within_the_limit()
    {
        await using var tracker = new RawHttpTracker(async (_, stream, token) =>
        {
            await RawHttpTracker.WriteHeadAsync(stream, "200 OK", token, "Content-Length: 100");
            await stream.WriteAsync(Ascii("d8:interval"), token);
            await Task.Delay(Timeout.Infinite, token);
        });
        var options = TestOptions with { Timeout = TimeSpan.FromMilliseconds(500) };
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(tracker.AnnounceUri, http, options).AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.Timeout, error.Kind);
        Assert.Equal("no complete reply within 0.5 s", error.Reason);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task Tracker_that_accepts_but_never_answers_times_out()
    {
        await using var tracker = new RawHttpTracker((_, _, token) => Task.Delay(Timeout.Infinite, token));
        var options = TestOptions with { Timeout = TimeSpan.FromMilliseconds(300) };
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(tracker.AnnounceUri, http, options).AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.Timeout, error.Kind);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task Caller_cancellation_is_an_operation_canceled_not_a_tracker_error()
    {
        await using var tracker = new RawHttpTracker((_, _, token) => Task.Delay(Timeout.Infinite, token));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => HttpClientFor(tracker.AnnounceUri, http).AnnounceAsync(Request(), cancel.Token));

        Assert.True(cancel.IsCancellationRequested);
        Assert.IsNotType<TrackerException>(error);
    }

    [Fact]
    public async Task Nothing_listening_is_unreachable()
    {
        var uri = new Uri($"http://127.0.0.1:{Rustorrent.TestKit.FreePort.Next()}/announce");

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(uri, http).AnnounceAsync(Request(), CancellationToken.None));

        Assert.Equal(TrackerErrorKind.Unreachable, error.Kind);
        Assert.StartsWith($"cannot connect to 127.0.0.1:{uri.Port}", error.Reason);
    }

    // ---- scrape (BEP 48) ----

    [Fact]
    public async Task Scrape_asks_the_scrape_url_and_reads_this_torrents_counts()
    {
        var files = new BencodeDictionary
        {
            [new byte[20]] = new BencodeDictionary { ["complete"] = 99, ["downloaded"] = 99, ["incomplete"] = 99 },
            [InfoHashBytes] = new BencodeDictionary { ["complete"] = 5, ["downloaded"] = 50, ["incomplete"] = 10 },
        };
        await using var tracker = RawHttpTracker.Answering(Encode(new BencodeDictionary { ["files"] = files }));

        var scrape = await HttpClientFor(tracker.Url("/x/announce.php?pk=1"), http).ScrapeAsync(TestInfoHash, CancellationToken.None);

        Assert.Equal(new ScrapeResponse { Seeders = 5, Leechers = 10, Completed = 50 }, scrape);
        Assert.Equal($"/x/scrape.php?pk=1&info_hash={ExpectedInfoHash}", Assert.Single(tracker.Requests).Target);
    }

    [Fact]
    public async Task Scrape_reply_without_this_torrent_is_a_tracker_failure()
    {
        await using var tracker = RawHttpTracker.Answering(Ascii("d5:filesdee"));

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(tracker.AnnounceUri, http).ScrapeAsync(TestInfoHash, CancellationToken.None));

        Assert.Equal(TrackerErrorKind.TrackerFailure, error.Kind);
        Assert.Equal($"the scrape reply does not list the torrent {Convert.ToHexString(InfoHashBytes).ToLowerInvariant()}", error.Reason);
    }

    [Fact]
    public async Task Scrape_is_unsupported_without_announce_in_the_last_path_segment()
    {
        await using var tracker = RawHttpTracker.Answering(OkReply);

        var error = await Assert.ThrowsAsync<TrackerException>(() => HttpClientFor(tracker.Url("/announce/tracker"), http).ScrapeAsync(TestInfoHash, CancellationToken.None));

        Assert.Equal(TrackerErrorKind.Unsupported, error.Kind);
        Assert.Equal("the tracker has no scrape URL: the last path segment 'tracker' does not start with 'announce' (BEP 48)", error.Reason);
        Assert.Empty(tracker.Requests);
    }
}
