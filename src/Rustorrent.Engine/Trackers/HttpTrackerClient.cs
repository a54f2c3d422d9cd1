using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Rustorrent.Metainfo;

namespace Rustorrent.Trackers;

/// <summary>
/// An HTTP(S) tracker (BEP 3, BEP 48). Redirects are followed here, not by the handler, so that they are
/// bounded, loops are named, and only http and https are followed. The body is read through a buffer
/// capped at <see cref="TrackerOptions.MaxResponseBytes"/> whatever Content-Length claims.
/// </summary>
internal sealed class HttpTrackerClient : ITrackerClient
{
    private const int InitialBufferSize = 16 * 1024;

    private readonly HttpClient http;
    private readonly TrackerOptions options;

    // The "tracker id" this tracker gave last (BEP 3), sent back when a request carries none.
    private volatile string? lastTrackerId;

    /// <param name="http">A client made by <see cref="CreateHttpClient"/> (or one that also leaves redirects
    /// to us); it is shared, not owned.</param>
    public HttpTrackerClient(Uri uri, HttpClient http, TrackerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(http);
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"'{uri}' is not an http or https tracker URL.", nameof(uri));
        Uri = uri;
        this.http = http;
        this.options = options ?? TrackerOptions.Default;
        this.options.Validate();
    }

    public Uri Uri { get; }

    /// <summary>An HttpClient for trackers: gzip/deflate, no automatic redirects, no cookies, bounded headers;
    /// time limits come from each request's token, not from HttpClient.Timeout.</summary>
    public static HttpClient CreateHttpClient(TrackerOptions? options = null)
    {
        options ??= TrackerOptions.Default;
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = options.Timeout,
            MaxResponseHeadersLength = 64, // KiB
            // Trackers behind round-robin DNS move; do not pin one address for the life of the engine.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        var client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
        return client;
    }

    public async Task<AnnounceResponse> AnnounceAsync(AnnounceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var uri = HttpTrackerUrl.BuildAnnounce(Uri, request, request.TrackerId ?? lastTrackerId);
        var body = await GetAsync(uri, cancellationToken).ConfigureAwait(false);
        try
        {
            var response = HttpTrackerResponseReader.ReadAnnounce(Uri, body.Memory, options.MaxPeersPerResponse);
            if (response.TrackerId is not null)
                lastTrackerId = response.TrackerId;
            return response;
        }
        finally
        {
            body.Dispose();
        }
    }

    public async Task<ScrapeResponse> ScrapeAsync(InfoHash infoHash, CancellationToken cancellationToken)
    {
        if (infoHash.IsEmpty)
            throw new ArgumentException("The scrape has no info hash.", nameof(infoHash));
        if (!HttpTrackerUrl.TryBuildScrape(Uri, infoHash, out var uri, out var error))
            throw new TrackerException(Uri, TrackerErrorKind.Unsupported, error);
        var body = await GetAsync(uri, cancellationToken).ConfigureAwait(false);
        try
        {
            return HttpTrackerResponseReader.ReadScrape(Uri, body.Memory, infoHash.Truncated);
        }
        finally
        {
            body.Dispose();
        }
    }

    /// <summary>GETs <paramref name="uri"/>, following redirects, and returns the body of the final 2xx reply.</summary>
    private async Task<PooledBody> GetAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var token = timeout.Token;
        var visited = new List<Uri> { uri };
        var current = uri;
        try
        {
            while (true)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                if (IsRedirect(response.StatusCode))
                {
                    current = NextRedirect(current, response, visited);
                    continue;
                }

                var body = await ReadBodyAsync(response.Content, token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                    return body;
                using (body)
                    throw StatusError(response, body.Memory.Span);
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TrackerException(Uri, TrackerErrorKind.Timeout,
                $"no complete reply within {options.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s", e);
        }
        catch (HttpRequestException e)
        {
            var kind = e.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError
                ? TrackerErrorKind.Unreachable
                : TrackerErrorKind.InvalidResponse;
            throw new TrackerException(Uri, kind, DescribeHttpError(e, current), e);
        }
        catch (IOException e)
        {
            // The stream of the body broke: the connection closed before Content-Length bytes, or a chunk
            // was malformed.
            throw new TrackerException(Uri, TrackerErrorKind.InvalidResponse, $"the reply ended early or was malformed: {e.Message}", e);
        }
        catch (InvalidDataException e)
        {
            throw new TrackerException(Uri, TrackerErrorKind.InvalidResponse, $"the compressed reply is corrupt: {e.Message}", e);
        }
    }

    private Uri NextRedirect(Uri current, HttpResponseMessage response, List<Uri> visited)
    {
        var status = (int)response.StatusCode;
        var location = response.Headers.Location
            ?? throw new TrackerException(Uri, TrackerErrorKind.Redirect, $"HTTP {status} redirect from {current} has no Location header");
        var next = location.IsAbsoluteUri ? location : new Uri(current, location);
        if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
            throw new TrackerException(Uri, TrackerErrorKind.Redirect, $"redirected to {next}, which is not http or https");
        if (visited.Exists(seen => Uri.Compare(seen, next, UriComponents.HttpRequestUrl, UriFormat.UriEscaped, StringComparison.Ordinal) == 0))
            throw new TrackerException(Uri, TrackerErrorKind.Redirect, $"redirect loop: {string.Join(" -> ", visited)} -> {next}");
        if (visited.Count > options.MaxRedirects)
            throw new TrackerException(Uri, TrackerErrorKind.Redirect, $"more than {options.MaxRedirects} redirects (the last to {next})");
        visited.Add(next);
        return next;
    }

    /// <summary>
    /// Reads the whole body into a pooled buffer that grows by doubling up to the cap. Content-Length is not
    /// trusted to size anything: a tracker can claim anything, and the decompressed size is unknown anyway.
    /// </summary>
    private async Task<PooledBody> ReadBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var cap = options.MaxResponseBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferSize, cap + 1));
        var length = 0;
        try
        {
            var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, cap + 1L));
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    // Read at most one byte past the cap: enough to know the body is too large.
                    var room = (int)Math.Min(buffer.Length, cap + 1L) - length;
                    var read = await stream.ReadAsync(buffer.AsMemory(length, room), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                        break;
                    length += read;
                    if (length > cap)
                        throw new TrackerException(Uri, TrackerErrorKind.ResponseTooLarge, $"the reply is larger than the limit of {cap:N0} bytes");
                }
            }
            return new PooledBody(buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private TrackerException StatusError(HttpResponseMessage response, ReadOnlySpan<byte> body)
    {
        var status = $"HTTP {(int)response.StatusCode}";
        if (!string.IsNullOrEmpty(response.ReasonPhrase))
            status += $" ({TrackerText.Clean(response.ReasonPhrase)})";
        // Some trackers refuse with a 4xx status and a bencoded failure reason; show it rather than the code alone.
        var failure = HttpTrackerResponseReader.TryReadFailureReason(body.ToArray());
        var detail = failure is not null ? $": {failure}"
            : body.IsEmpty ? " with an empty body"
            : $": \"{TrackerText.Preview(body)}\"";
        return new TrackerException(Uri, TrackerErrorKind.HttpStatus, status + detail);
    }

    private static string DescribeHttpError(HttpRequestException e, Uri requestUri)
    {
        var what = e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => $"cannot resolve the host name '{requestUri.Host}'",
            HttpRequestError.ConnectionError => $"cannot connect to {requestUri.Authority}",
            HttpRequestError.SecureConnectionError => $"the TLS handshake with {requestUri.Authority} failed",
            HttpRequestError.ResponseEnded => "the connection closed before the reply was complete",
            HttpRequestError.InvalidResponse => "the reply is not valid HTTP",
            HttpRequestError.ConfigurationLimitExceeded => "the reply headers are larger than the limit",
            _ => "the HTTP request failed",
        };
        var inner = e.InnerException?.Message ?? e.Message;
        return $"{what}: {inner}";
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>A body in a rented buffer; Dispose returns the buffer.</summary>
    private readonly struct PooledBody(byte[] buffer, int length) : IDisposable
    {
        public ReadOnlyMemory<byte> Memory => buffer.AsMemory(0, length);

        public void Dispose() => ArrayPool<byte>.Shared.Return(buffer);
    }
}
