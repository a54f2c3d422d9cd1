using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rustorrent.Metainfo;

/// <summary>
/// A BitTorrent magnet link (BEP 9): the info hash (v1 <c>urn:btih:</c> and/or v2 <c>urn:btmh:</c>, BEP 52),
/// and the optional display name, trackers, web seeds, peers, exact length and file selection (BEP 53).
/// Immutable. Parsing is lenient on the case of keys and on parameters it does not know, strict on the
/// values it uses, and bounded: a hostile link cannot make it allocate more than a small multiple of its length.
/// </summary>
public sealed class MagnetLink
{
    /// <summary>Longest magnet link accepted; real ones are a few hundred bytes, long tracker lists a few KiB.</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>Most file indices a <c>so</c> parameter may expand to, so "0-2147483647" cannot make us allocate gigabytes.</summary>
    public const int MaxSelectedFiles = 100_000;

    private const string Scheme = "magnet:?";
    private const string BtihPrefix = "urn:btih:";
    private const string BtmhPrefix = "urn:btmh:";

    // Multihash header of a SHA-256 digest: function code 0x12, digest length 0x20 (the only btmh BEP 52 defines).
    private const string Sha256MultihashPrefix = "1220";

    private static readonly string[] KnownKeys = ["xt", "dn", "tr", "ws", "x.pe", "xl", "so"];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private MagnetLink(
        InfoHash? infoHashV1,
        InfoHash? infoHashV2,
        string? displayName,
        IReadOnlyList<string> trackers,
        IReadOnlyList<string> webSeeds,
        IReadOnlyList<string> peers,
        long? exactLength,
        IReadOnlyList<int> selectedFiles)
    {
        if (infoHashV1 is null && infoHashV2 is null)
            throw new ArgumentException("A magnet link needs a v1 or a v2 info hash.", nameof(infoHashV1));
        if (infoHashV1 is { } v1 && (v1.IsEmpty || v1.Version != InfoHashVersion.V1))
            throw new ArgumentException("The v1 info hash must be a 20-byte SHA-1 hash.", nameof(infoHashV1));
        if (infoHashV2 is { } v2 && (v2.IsEmpty || v2.Version != InfoHashVersion.V2))
            throw new ArgumentException("The v2 info hash must be a 32-byte SHA-256 hash.", nameof(infoHashV2));
        if (exactLength < 0)
            throw new ArgumentOutOfRangeException(nameof(exactLength), exactLength, "The exact length cannot be negative.");

        InfoHashV1 = infoHashV1;
        InfoHashV2 = infoHashV2;
        DisplayName = string.IsNullOrEmpty(displayName) ? null : displayName;
        Trackers = Distinct(trackers, nameof(trackers));
        WebSeeds = Distinct(webSeeds, nameof(webSeeds));
        Peers = Distinct(peers, nameof(peers));
        ExactLength = exactLength;
        SelectedFiles = selectedFiles;
    }

    /// <summary>Builds a link from known parts (e.g. a loaded .torrent file's hashes, name and trackers).</summary>
    internal MagnetLink(InfoHash? infoHashV1, InfoHash? infoHashV2, string? displayName, IReadOnlyList<string> trackers, IReadOnlyList<string> webSeeds)
        : this(infoHashV1, infoHashV2, displayName, trackers, webSeeds, [], null, [])
    {
    }

    /// <summary>The SHA-1 info hash (<c>xt=urn:btih:</c>), if the link has one.</summary>
    public InfoHash? InfoHashV1 { get; }

    /// <summary>The SHA-256 info hash (<c>xt=urn:btmh:1220…</c>, BEP 52), if the link has one.</summary>
    public InfoHash? InfoHashV2 { get; }

    /// <summary>The hash that names the torrent to peers and trackers: v1 if present (hybrid swarms use it), else v2.</summary>
    public InfoHash PrimaryInfoHash => InfoHashV1 ?? InfoHashV2!.Value;

    /// <summary>The suggested name (<c>dn</c>), or null.</summary>
    public string? DisplayName { get; }

    /// <summary>Tracker URLs (every <c>tr</c>), duplicates removed, in the order given.</summary>
    public IReadOnlyList<string> Trackers { get; }

    /// <summary>Web seed URLs (<c>ws</c>, BEP 19).</summary>
    public IReadOnlyList<string> WebSeeds { get; }

    /// <summary>Peers to try first (<c>x.pe</c>), each "host:port", IPv6 as "[address]:port".</summary>
    public IReadOnlyList<string> Peers { get; }

    /// <summary>The total size in bytes (<c>xl</c>), or null.</summary>
    public long? ExactLength { get; }

    /// <summary>File indices to download (<c>so</c>, BEP 53), ascending and distinct; empty means all files.</summary>
    public IReadOnlyList<int> SelectedFiles { get; }

    /// <summary>A link that carries only <paramref name="hash"/>.</summary>
    public static MagnetLink FromInfoHash(InfoHash hash)
    {
        if (hash.IsEmpty)
            throw new ArgumentException("The info hash is empty.", nameof(hash));
        return hash.Version == InfoHashVersion.V1
            ? new MagnetLink(hash, null, null, [], [])
            : new MagnetLink(null, hash, null, [], []);
    }

    /// <summary>Parses a magnet link; throws <see cref="FormatException"/> naming the input and what is wrong.</summary>
    public static MagnetLink Parse(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!TryParse(uri, out var link, out var error))
            throw new FormatException(error);
        return link;
    }

    /// <summary>Parses a magnet link; on failure <paramref name="error"/> names the input and what is wrong.</summary>
    public static bool TryParse(string? uri, [NotNullWhen(true)] out MagnetLink? link, [NotNullWhen(false)] out string? error)
    {
        var reason = TryParseCore(uri, out var parsed);
        if (parsed is not null)
        {
            link = parsed;
            error = null;
            return true;
        }
        error = $"'{Shorten(uri ?? "")}' is not a valid magnet link: {reason}";
        link = null;
        return false;
    }

    /// <summary>
    /// The canonical form: <c>magnet:?xt=urn:btih:&lt;hex&gt;[&amp;xt=urn:btmh:1220&lt;hex&gt;]&amp;dn=…&amp;xl=…&amp;tr=…&amp;ws=…&amp;x.pe=…&amp;so=…</c>,
    /// values percent-encoded (UTF-8) so that <see cref="Parse"/> gives back an equal link.
    /// </summary>
    public string ToUri()
    {
        var sb = new StringBuilder(Scheme, 128);
        var separator = "";
        if (InfoHashV1 is { } v1)
        {
            sb.Append("xt=").Append(BtihPrefix).Append(v1.ToHex());
            separator = "&";
        }
        if (InfoHashV2 is { } v2)
        {
            sb.Append(separator).Append("xt=").Append(BtmhPrefix).Append(Sha256MultihashPrefix).Append(v2.ToHex());
        }
        if (DisplayName is not null)
            AppendParameter(sb, "dn", DisplayName);
        if (ExactLength is { } length)
            sb.Append("&xl=").Append(length.ToString(CultureInfo.InvariantCulture));
        foreach (var tracker in Trackers)
            AppendParameter(sb, "tr", tracker);
        foreach (var seed in WebSeeds)
            AppendParameter(sb, "ws", seed);
        foreach (var peer in Peers)
            AppendParameter(sb, "x.pe", peer);
        if (SelectedFiles.Count > 0)
            AppendSelectedFiles(sb.Append("&so="), SelectedFiles);
        return sb.ToString();
    }

    public override string ToString() => ToUri();

    // ---- parsing ----

    /// <summary>Returns null on success, else the reason (without the input, which the caller adds).</summary>
    private static string? TryParseCore(string? uri, out MagnetLink? link)
    {
        link = null;
        if (uri is null)
            return "the input is null";
        if (uri.Length > MaxLength)
            return string.Create(CultureInfo.InvariantCulture, $"it is {uri.Length:N0} characters long; the limit is {MaxLength:N0}");
        var text = uri.AsSpan().Trim();
        if (!text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
            return "it does not start with \"magnet:?\"";

        InfoHash? v1 = null, v2 = null;
        string? displayName = null;
        long? exactLength = null;
        List<string> trackers = [], webSeeds = [], peers = [], foreignTopics = [];
        List<int>? selected = null;
        var selectedCount = 0L;

        var query = text[Scheme.Length..];
        // A fragment is not part of the query (RFC 3986); nothing in a magnet link uses one.
        var hash = query.IndexOf('#');
        if (hash >= 0)
            query = query[..hash];

        while (!query.IsEmpty)
        {
            var ampersand = query.IndexOf('&');
            var parameter = ampersand < 0 ? query : query[..ampersand];
            query = ampersand < 0 ? ReadOnlySpan<char>.Empty : query[(ampersand + 1)..];
            if (parameter.IsEmpty)
                continue;
            var equals = parameter.IndexOf('=');
            var rawKey = equals < 0 ? parameter : parameter[..equals];
            var rawValue = equals < 0 ? ReadOnlySpan<char>.Empty : parameter[(equals + 1)..];

            var error = TryDecode(rawKey, plusIsSpace: false, out var decodedKey);
            if (error is not null)
                return $"the parameter name '{Shorten(rawKey.ToString())}' {error}";
            var key = Canonicalise(decodedKey);
            if (key is null)
                continue; // Unknown parameters are ignored (BEP 9 lets clients add their own).

            // '+' is a space only in the display name, as in form encoding; a '+' in a URL is literal.
            error = TryDecode(rawValue, plusIsSpace: key == "dn", out var value);
            if (error is not null)
                return $"the value of '{decodedKey}' {error}";

            switch (key)
            {
                case "xt":
                    error = ParseTopic(value, ref v1, ref v2, foreignTopics);
                    break;
                case "dn":
                    if (displayName is null && value.Length > 0)
                        displayName = value;
                    break;
                case "tr":
                    if (value.Length > 0)
                        trackers.Add(value);
                    break;
                case "ws":
                    if (value.Length > 0)
                        webSeeds.Add(value);
                    break;
                case "x.pe":
                    error = ValidatePeer(value);
                    if (error is null)
                        peers.Add(value);
                    break;
                case "xl":
                    if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
                        error = $"xl (exact length) must be a non-negative whole number of bytes, not '{Shorten(value)}'";
                    else if (exactLength is { } previous && previous != length)
                        error = $"it gives two different exact lengths (xl={previous} and xl={length})";
                    else
                        exactLength = length;
                    break;
                case "so":
                    selected ??= [];
                    error = ParseSelectedFiles(value, selected, ref selectedCount);
                    break;
            }
            if (error is not null)
                return error;
        }

        if (v1 is null && v2 is null)
        {
            return foreignTopics.Count == 0
                ? "it has no exact topic (xt=urn:btih:<info hash> or xt=urn:btmh:<multihash>)"
                : $"its exact topic '{Shorten(foreignTopics[0])}' is not a BitTorrent one (urn:btih: or urn:btmh:)";
        }

        link = new MagnetLink(v1, v2, displayName, trackers, webSeeds, peers, exactLength, SortDistinct(selected));
        return null;
    }

    /// <summary>The parameter a key names, lower-cased and without a BEP 9 number suffix ("tr.1" -> "tr"), or null if unknown.</summary>
    private static string? Canonicalise(string key)
    {
        var k = key.AsSpan();
        var dot = k.LastIndexOf('.');
        if (dot > 0 && dot < k.Length - 1 && IsAllDigits(k[(dot + 1)..]))
            k = k[..dot];
        foreach (var known in KnownKeys)
        {
            if (k.Equals(known, StringComparison.OrdinalIgnoreCase))
                return known;
        }
        return null;
    }

    private static string? ParseTopic(string value, ref InfoHash? v1, ref InfoHash? v2, List<string> foreignTopics)
    {
        if (value.StartsWith(BtihPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var text = value[BtihPrefix.Length..];
            // Only 40 hex or 32 base32 here: a 64-hex v2 hash belongs in urn:btmh: (BEP 52), and InfoHash.TryParse trims.
            if (text.Length is not (40 or 32) || !InfoHash.TryParse(text, out var hash, out _))
            {
                return $"the v1 info hash '{Shorten(text)}' in xt=urn:btih: must be 40 hexadecimal or 32 base32 characters "
                    + $"(got {text.Length} characters{(text.Length is 40 or 32 ? " with invalid ones" : "")})";
            }
            if (v1 is { } existing && existing != hash)
                return $"it has two different v1 info hashes ({existing.ToHex()} and {hash.ToHex()})";
            v1 = hash;
            return null;
        }

        if (value.StartsWith(BtmhPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var multihash = value[BtmhPrefix.Length..];
            if (!multihash.StartsWith(Sha256MultihashPrefix, StringComparison.Ordinal))
                return $"the multihash '{Shorten(multihash)}' in xt=urn:btmh: is not SHA-256 (it must start with 1220, BEP 52)";
            var digest = multihash[Sha256MultihashPrefix.Length..];
            if (digest.Length != 64 || !IsAllHex(digest))
                return $"the SHA-256 digest '{Shorten(digest)}' in xt=urn:btmh: must be 64 hexadecimal characters (got {digest.Length} characters{(digest.Length == 64 ? " with invalid ones" : "")})";
            var hash = new InfoHash(Convert.FromHexString(digest));
            if (v2 is { } existing && existing != hash)
                return $"it has two different v2 info hashes ({existing.ToHex()} and {hash.ToHex()})";
            v2 = hash;
            return null;
        }

        // Multi-network links carry e.g. urn:sha1: or urn:ed2k: beside the btih; those are not ours to check.
        foreignTopics.Add(value);
        return null;
    }

    /// <summary>Checks "host:port": an IPv4 address or DNS name, or "[IPv6]", then a port 1-65535.</summary>
    private static string? ValidatePeer(string value)
    {
        var bad = $"the peer x.pe='{Shorten(value)}' is not host:port";
        ReadOnlySpan<char> host, port;
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']');
            if (close < 0 || close + 1 >= value.Length || value[close + 1] != ':')
                return $"{bad} (an IPv6 address is written [address]:port)";
            host = value.AsSpan(1, close - 1);
            port = value.AsSpan(close + 2);
            if (!IPAddress.TryParse(host, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
                return $"{bad} ('{host}' is not an IPv6 address)";
        }
        else
        {
            var colon = value.LastIndexOf(':');
            if (colon < 0)
                return $"{bad} (the port is missing)";
            host = value.AsSpan(0, colon);
            port = value.AsSpan(colon + 1);
            if (host.Contains(':'))
                return $"{bad} (an IPv6 address must be in brackets: [address]:port)";
            if (Uri.CheckHostName(host.ToString()) is not (UriHostNameType.Dns or UriHostNameType.IPv4))
                return $"{bad} ('{host}' is not a host name or IPv4 address)";
        }
        if (port.IsEmpty || !IsAllDigits(port) || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
            return $"{bad} (the port must be a number from 1 to 65535)";
        return null;
    }

    /// <summary>
    /// Parses a BEP 53 list such as "0,2,4-6" into <paramref name="into"/>. The total it would expand to is
    /// counted before anything is added, so a claimed range never drives an allocation past <see cref="MaxSelectedFiles"/>.
    /// </summary>
    private static string? ParseSelectedFiles(string value, List<int> into, ref long count)
    {
        var span = value.AsSpan();
        if (span.IsEmpty)
            return "so (select only, BEP 53) is empty";
        while (true)
        {
            var comma = span.IndexOf(',');
            var item = comma < 0 ? span : span[..comma];
            var dash = item.IndexOf('-');
            var firstText = dash < 0 ? item : item[..dash];
            var lastText = dash < 0 ? item : item[(dash + 1)..];
            if (!TryParseIndex(firstText, out var first) || !TryParseIndex(lastText, out var last))
                return $"so (select only, BEP 53) must be file indices and ranges like 0,2,4-6; '{Shorten(item.ToString())}' is not one";
            if (last < first)
                return $"so (select only, BEP 53) has the range {first}-{last}, which runs backwards";
            count += (long)last - first + 1;
            if (count > MaxSelectedFiles)
                return string.Create(CultureInfo.InvariantCulture, $"so (select only, BEP 53) selects more than {MaxSelectedFiles:N0} files");
            for (var i = first; ; i++)
            {
                into.Add(i);
                if (i == last)
                    break;
            }
            if (comma < 0)
                return null;
            span = span[(comma + 1)..];
        }
    }

    private static bool TryParseIndex(ReadOnlySpan<char> text, out int index)
    {
        index = 0;
        return !text.IsEmpty && IsAllDigits(text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }

    private static int[] SortDistinct(List<int>? values)
    {
        if (values is null || values.Count == 0)
            return [];
        values.Sort();
        var n = 1;
        for (var i = 1; i < values.Count; i++)
        {
            if (values[i] != values[n - 1])
                values[n++] = values[i];
        }
        return values.GetRange(0, n).ToArray();
    }

    /// <summary>Percent-decodes <paramref name="encoded"/> as UTF-8; returns null on success, else what is wrong.</summary>
    private static string? TryDecode(ReadOnlySpan<char> encoded, bool plusIsSpace, out string decoded)
    {
        decoded = "";
        if (encoded.IndexOfAny('%', '+') < 0)
        {
            decoded = encoded.ToString();
            return null;
        }

        // Each input char yields at most 3 UTF-8 bytes, and the input is bounded by MaxLength.
        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(encoded.Length)];
        var n = 0;
        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            if (c == '%')
            {
                if (i + 2 >= encoded.Length || !char.IsAsciiHexDigit(encoded[i + 1]) || !char.IsAsciiHexDigit(encoded[i + 2]))
                    return $"has a bad percent-encoding '{Shorten(encoded.Slice(i, Math.Min(3, encoded.Length - i)).ToString())}' at character {i} (expected % and two hexadecimal digits)";
                bytes[n++] = (byte)((HexValue(encoded[i + 1]) << 4) | HexValue(encoded[i + 2]));
                i += 2;
            }
            else if (c == '+' && plusIsSpace)
            {
                bytes[n++] = (byte)' ';
            }
            else if (c < 0x80)
            {
                bytes[n++] = (byte)c;
            }
            else
            {
                // Non-ASCII typed straight into the link (browsers show links this way): keep it as UTF-8.
                var end = i + 1;
                while (end < encoded.Length && encoded[end] >= 0x80)
                    end++;
                try
                {
                    n += StrictUtf8.GetBytes(encoded[i..end], bytes.AsSpan(n));
                }
                catch (EncoderFallbackException)
                {
                    return $"has an unpaired surrogate character at character {i}";
                }
                i = end - 1;
            }
        }
        try
        {
            decoded = StrictUtf8.GetString(bytes, 0, n);
        }
        catch (DecoderFallbackException)
        {
            return "is not valid UTF-8 once percent-decoded";
        }
        return null;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static bool IsAllDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
                return false;
        }
        return true;
    }

    private static bool IsAllHex(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiHexDigit(c))
                return false;
        }
        return true;
    }

    // ---- writing ----

    private static void AppendParameter(StringBuilder sb, string key, string value)
    {
        sb.Append('&').Append(key).Append('=');
        AppendEncoded(sb, value);
    }

    /// <summary>Percent-encodes UTF-8 bytes, leaving RFC 3986 unreserved characters and ':' '/' '@' (legal in a
    /// query and what makes tracker URLs readable) and '[' ']' (libtorrent 2.0 does not percent-decode x.pe, so
    /// "[::1]:6881" must stay literal); '&amp;', '=', '+', '#' and '%' are always encoded.</summary>
    private static void AppendEncoded(StringBuilder sb, string value)
    {
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or ':' or '/' or '@' or '[' or ']')
            {
                sb.Append(c);
                continue;
            }
            var length = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])
                ? Encoding.UTF8.GetBytes(value.AsSpan(i++, 2), utf8)
                : Encoding.UTF8.GetBytes(value.AsSpan(i, 1), utf8);
            foreach (var b in utf8[..length])
                sb.Append('%').Append("0123456789ABCDEF"[b >> 4]).Append("0123456789ABCDEF"[b & 15]);
        }
    }

    /// <summary>Writes ascending distinct indices compactly: consecutive runs become ranges ("0,2,4-6").</summary>
    private static void AppendSelectedFiles(StringBuilder sb, IReadOnlyList<int> files)
    {
        for (var i = 0; i < files.Count; i++)
        {
            var first = files[i];
            while (i + 1 < files.Count && files[i + 1] == files[i] + 1)
                i++;
            if (sb[^1] != '=')
                sb.Append(',');
            sb.Append(first.ToString(CultureInfo.InvariantCulture));
            if (files[i] != first)
                sb.Append('-').Append(files[i].ToString(CultureInfo.InvariantCulture));
        }
    }

    // ---- helpers ----

    private static IReadOnlyList<string> Distinct(IReadOnlyList<string> values, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.Count == 0)
            return [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>(values.Count);
        foreach (var value in values)
        {
            if (!string.IsNullOrEmpty(value) && seen.Add(value))
                result.Add(value);
        }
        return result.AsReadOnly();
    }

    /// <summary>Keeps error messages readable when the input is long.</summary>
    internal static string Shorten(string text) => text.Length <= 100 ? text : string.Concat(text.AsSpan(0, 97), "...");
}
