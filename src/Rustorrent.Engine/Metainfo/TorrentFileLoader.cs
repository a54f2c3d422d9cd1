using System.Globalization;
using System.Net;

namespace Rustorrent.Metainfo;

/// <summary>Reads .torrent files from disk or over HTTP(S) with a size cap, so that a huge or endless
/// source cannot make us allocate without bound.</summary>
internal static class TorrentFileLoader
{
    /// <summary>Largest .torrent we read. A 100,000-file torrent is a few MiB; libtorrent's own default is 10 MB.</summary>
    public const int MaxTorrentFileSize = 64 * 1024 * 1024;

    private const int MaxRedirects = 5;

    private static readonly Lazy<HttpClient> Http = new(() => new HttpClient(new SocketsHttpHandler
    {
        AutomaticDecompression = DecompressionMethods.All,
        AllowAutoRedirect = true,
        MaxAutomaticRedirections = MaxRedirects,
        ConnectTimeout = TimeSpan.FromSeconds(15),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan, // the caller's token bounds each request
        DefaultRequestHeaders = { { "User-Agent", "Rustorrent/" + typeof(TorrentFileLoader).Assembly.GetName().Version?.ToString(3) } },
    });

    /// <summary>Reads a local .torrent file whole, refusing one over the cap before reading it.</summary>
    public static async Task<byte[]> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        if (stream.Length > MaxTorrentFileSize)
            throw new MetainfoException(string.Create(CultureInfo.InvariantCulture, $"the file is {stream.Length:N0} bytes, more than the {MaxTorrentFileSize:N0} bytes a .torrent may have"));
        var bytes = new byte[stream.Length];
        await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    /// <summary>Downloads a .torrent over HTTP(S). The body is read through a bounded buffer: a
    /// Content-Length header is never trusted for the allocation.</summary>
    public static async Task<byte[]> DownloadAsync(Uri uri, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException($"Only http and https URLs can be downloaded, not '{uri.Scheme}'.", nameof(uri));
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            using var response = await Http.Value.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException($"the server answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
            if (response.Content.Headers.ContentLength > MaxTorrentFileSize)
                throw new MetainfoException(string.Create(CultureInfo.InvariantCulture, $"the server announces {response.Content.Headers.ContentLength:N0} bytes, more than the {MaxTorrentFileSize:N0} bytes a .torrent may have"));
            await using var body = await response.Content.ReadAsStreamAsync(timeoutSource.Token).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(chunk, timeoutSource.Token).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxTorrentFileSize)
                    throw new MetainfoException(string.Create(CultureInfo.InvariantCulture, $"the download is larger than the {MaxTorrentFileSize:N0} bytes a .torrent may have"));
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"no complete answer within {timeout.TotalSeconds:0.#} seconds"));
        }
    }
}
