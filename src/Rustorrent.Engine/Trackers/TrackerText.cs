using System.Text;

namespace Rustorrent.Trackers;

/// <summary>Turns bytes a tracker sent into text that is safe to show people.</summary>
internal static class TrackerText
{
    /// <summary>Longest text we keep from a tracker (failure reason, warning, error message, tracker id).</summary>
    public const int MaxLength = 1024;

    /// <summary>UTF-8 text, bounded in length, with control characters replaced so that a message cannot
    /// rewrite a terminal line.</summary>
    public static string Clean(ReadOnlySpan<byte> bytes) => Clean(Encoding.UTF8.GetString(bytes[..Math.Min(bytes.Length, MaxLength)]));

    /// <summary>The same for text that is already decoded, such as an HTTP reason phrase.</summary>
    public static string Clean(string text)
    {
        if (text.Length > MaxLength)
            text = text[..MaxLength];
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
        });
    }

    /// <summary>The first bytes as printable ASCII ('.' for the others), for errors about what a tracker sent.</summary>
    public static string Preview(ReadOnlySpan<byte> bytes, int maxChars = 80)
    {
        var text = new StringBuilder(Math.Min(bytes.Length, maxChars) + 3);
        foreach (var b in bytes[..Math.Min(bytes.Length, maxChars)])
            text.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
        if (bytes.Length > maxChars)
            text.Append("...");
        return text.ToString();
    }
}
