using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Rustorrent.Metainfo;

/// <summary>
/// The identity of a torrent: SHA-1 (20 bytes, v1) or SHA-256 (32 bytes, v2, BEP 52) of its info dictionary.
/// Immutable; compares by value.
/// </summary>
public readonly struct InfoHash : IEquatable<InfoHash>
{
    public const int V1Length = 20;
    public const int V2Length = 32;
    private const string Base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private readonly byte[]? bytes;

    public InfoHash(ReadOnlySpan<byte> hash)
    {
        if (hash.Length is not (V1Length or V2Length))
            throw new ArgumentException($"An info hash is {V1Length} bytes (SHA-1) or {V2Length} bytes (SHA-256), not {hash.Length}.", nameof(hash));
        bytes = hash.ToArray();
    }

    public InfoHashVersion Version => bytes?.Length == V2Length ? InfoHashVersion.V2 : InfoHashVersion.V1;

    public bool IsEmpty => bytes is null;

    public ReadOnlySpan<byte> Span => bytes;

    /// <summary>The 20 bytes that name the torrent on the wire, to trackers and in the DHT: the v1 hash,
    /// or a v2 hash truncated to 20 bytes (BEP 52).</summary>
    public ReadOnlySpan<byte> Truncated => bytes.AsSpan(0, Math.Min(V1Length, bytes?.Length ?? 0));

    public string ToHex() => bytes is null ? "" : Convert.ToHexString(bytes).ToLowerInvariant();

    /// <summary>RFC 4648 base32, the other form magnet links use for v1 hashes.</summary>
    public string ToBase32()
    {
        if (bytes is null)
            return "";
        var chars = new char[(bytes.Length * 8 + 4) / 5];
        int buffer = 0, bits = 0, n = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                chars[n++] = Base32Alphabet[(buffer >> bits) & 31];
            }
        }
        if (bits > 0)
            chars[n++] = Base32Alphabet[(buffer << (5 - bits)) & 31];
        return new string(chars, 0, n);
    }

    public override string ToString() => ToHex();

    public bool Equals(InfoHash other) => Span.SequenceEqual(other.Span);

    public override bool Equals(object? obj) => obj is InfoHash other && Equals(other);

    public override int GetHashCode() => bytes is null ? 0 : BitConverter.ToInt32(bytes, 0);

    public static bool operator ==(InfoHash left, InfoHash right) => left.Equals(right);

    public static bool operator !=(InfoHash left, InfoHash right) => !left.Equals(right);

    /// <summary>Parses a bare info hash: 40 hex digits or 32 base32 characters (v1), 64 hex digits (v2).</summary>
    public static InfoHash Parse(string text)
    {
        if (!TryParse(text, out var hash, out var error))
            throw new FormatException(error);
        return hash;
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out InfoHash hash) => TryParse(text, out hash, out _);

    public static bool TryParse(string? text, out InfoHash hash, [NotNullWhen(false)] out string? error)
    {
        hash = default;
        var s = text?.Trim() ?? "";
        switch (s.Length)
        {
            case 40:
            case 64:
                if (!IsHex(s))
                {
                    error = $"'{Shorten(text)}' is {s.Length} characters long but is not hexadecimal.";
                    return false;
                }
                hash = new InfoHash(Convert.FromHexString(s));
                error = null;
                return true;
            case 32:
                if (!TryDecodeBase32(s, out var decoded))
                {
                    error = $"'{Shorten(text)}' is 32 characters long but is not base32 (A-Z, 2-7).";
                    return false;
                }
                hash = new InfoHash(decoded);
                error = null;
                return true;
            default:
                // The input is echoed shortened: a hostile or mistaken megabyte argument must not become a megabyte message.
                error = string.Create(CultureInfo.InvariantCulture,
                    $"'{Shorten(text)}' is not an info hash: expected 40 hexadecimal or 32 base32 characters (v1), or 64 hexadecimal characters (v2), not {s.Length:N0} characters.");
                return false;
        }
    }

    /// <summary>True when <paramref name="text"/> has the form of a bare info hash.</summary>
    public static bool LooksLikeInfoHash(string? text) => TryParse(text, out _, out _);

    private static string Shorten(string? text) =>
        text is null ? "" : text.Length <= 100 ? text : string.Concat(text.AsSpan(0, 97), "...");

    private static bool IsHex(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiHexDigit(c))
                return false;
        }
        return true;
    }

    private static bool TryDecodeBase32(string s, out byte[] result)
    {
        result = new byte[s.Length * 5 / 8];
        int buffer = 0, bits = 0, n = 0;
        foreach (var c in s)
        {
            var value = Base32Alphabet.IndexOf(char.ToUpperInvariant(c));
            if (value < 0)
                return false;
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                result[n++] = (byte)(buffer >> bits);
            }
        }
        return n == result.Length;
    }
}
