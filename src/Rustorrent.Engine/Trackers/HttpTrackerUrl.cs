using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Rustorrent.Metainfo;

namespace Rustorrent.Trackers;

/// <summary>Builds the URLs of HTTP tracker requests: announce (BEP 3) and scrape (BEP 48).</summary>
internal static class HttpTrackerUrl
{
    private const string HexDigits = "0123456789ABCDEF";

    /// <summary>
    /// The announce URL with our parameters appended to whatever query the tracker's URL already has (private
    /// trackers put a passkey there). info_hash and peer_id are raw bytes, percent-encoded byte by byte.
    /// </summary>
    public static Uri BuildAnnounce(Uri announce, AnnounceRequest request, string? trackerId)
    {
        var url = StartQuery(announce.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped), announce);
        AppendBytes(url, "info_hash", request.InfoHash.Truncated);
        AppendBytes(url.Append('&'), "peer_id", request.PeerId.Span);
        url.Append("&port=").Append(request.Port.ToString(CultureInfo.InvariantCulture));
        url.Append("&uploaded=").Append(request.Uploaded.ToString(CultureInfo.InvariantCulture));
        url.Append("&downloaded=").Append(request.Downloaded.ToString(CultureInfo.InvariantCulture));
        url.Append("&left=").Append(request.Left.ToString(CultureInfo.InvariantCulture));
        // BEP 23: ask for the compact form; trackers may still answer with dictionaries, which we read too.
        url.Append("&compact=1");
        var eventName = request.Event switch
        {
            AnnounceEvent.Started => "started",
            AnnounceEvent.Completed => "completed",
            AnnounceEvent.Stopped => "stopped",
            _ => null,
        };
        if (eventName is not null)
            url.Append("&event=").Append(eventName);
        if (request.NumWant >= 0)
            url.Append("&numwant=").Append(request.NumWant.ToString(CultureInfo.InvariantCulture));
        url.Append("&key=").Append(request.Key.ToString("X8", CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(trackerId))
            AppendBytes(url.Append('&'), "trackerid", Encoding.Latin1.GetBytes(trackerId));
        return new Uri(url.ToString());
    }

    /// <summary>The scrape URL for one torrent, or a reason why the tracker has none.</summary>
    public static bool TryBuildScrape(Uri announce, InfoHash infoHash, [NotNullWhen(true)] out Uri? scrape, [NotNullWhen(false)] out string? error)
    {
        // BEP 48: the scrape URL exists only when the last path segment starts with "announce"; that
        // word becomes "scrape" and the rest of the URL stays as it is.
        var path = announce.AbsolutePath;
        var lastSlash = path.LastIndexOf('/');
        var lastSegment = path[(lastSlash + 1)..];
        if (!lastSegment.StartsWith("announce", StringComparison.Ordinal))
        {
            scrape = null;
            error = $"the tracker has no scrape URL: the last path segment '{lastSegment}' does not start with 'announce' (BEP 48)";
            return false;
        }

        var scrapePath = string.Concat(path.AsSpan(0, lastSlash + 1), "scrape", lastSegment.AsSpan("announce".Length));
        var url = StartQuery(announce.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped) + scrapePath, announce);
        AppendBytes(url, "info_hash", infoHash.Truncated);
        scrape = new Uri(url.ToString());
        error = null;
        return true;
    }

    /// <summary>Percent-encodes every byte except RFC 3986 unreserved characters.</summary>
    public static void AppendPercentEncoded(StringBuilder destination, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9'
                or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~')
            {
                destination.Append((char)b);
            }
            else
            {
                destination.Append('%').Append(HexDigits[b >> 4]).Append(HexDigits[b & 15]);
            }
        }
    }

    /// <summary>scheme://authority/path, the original query if any, then '?' or '&amp;', ready for the next
    /// parameter. The fragment is dropped: it never goes to a server.</summary>
    private static StringBuilder StartQuery(string schemeServerAndPath, Uri original)
    {
        var url = new StringBuilder(schemeServerAndPath.Length + 256);
        url.Append(schemeServerAndPath);
        var query = original.GetComponents(UriComponents.Query, UriFormat.UriEscaped);
        url.Append('?');
        if (query.Length > 0)
        {
            url.Append(query);
            if (query[^1] != '&')
                url.Append('&');
        }
        return url;
    }

    private static void AppendBytes(StringBuilder url, string name, ReadOnlySpan<byte> value)
    {
        url.Append(name).Append('=');
        AppendPercentEncoded(url, value);
    }
}
