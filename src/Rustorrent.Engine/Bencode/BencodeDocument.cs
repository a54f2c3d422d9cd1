using System.Globalization;

namespace Rustorrent.Bencode;

/// <summary>
/// A parsed bencoded value over its source bytes. Parsing is iterative (no recursion, so deep input
/// cannot overflow the stack), bounded by <see cref="BencodeReaderOptions"/>, and never allocates from a
/// length that the input claims. Every value keeps its exact raw byte range, so an info dictionary can be
/// hashed as it appears in the file rather than re-encoded.
/// </summary>
internal sealed class BencodeDocument
{
    /// <summary>Most tokens the first table holds. Larger inputs get their table sized from what the first
    /// tokens show (see <see cref="GrowTokens"/>): the byte count alone says little, as a big .torrent may be a
    /// few values around one long "pieces" string.</summary>
    private const int InitialTokenLimit = 4096;

    private readonly BencodeToken[] tokens;

    private BencodeDocument(ReadOnlyMemory<byte> source, BencodeToken[] tokens, int tokenCount)
    {
        Source = source;
        this.tokens = tokens;
        TokenCount = tokenCount;
    }

    /// <summary>The bytes the document was parsed from (not copied).</summary>
    public ReadOnlyMemory<byte> Source { get; }

    public int TokenCount { get; }

    public BencodeNode Root => new(this, 0);

    internal ref readonly BencodeToken this[int index] => ref tokens[index];

    /// <summary>Parses exactly one value that spans all of <paramref name="data"/>.</summary>
    public static BencodeDocument Parse(ReadOnlyMemory<byte> data, BencodeReaderOptions? options = null)
    {
        var document = ParsePrefix(data, out var consumed, options);
        if (consumed != data.Length)
            throw new BencodeException(consumed, $"{data.Length - consumed} bytes of trailing data after the end of the value");
        return document;
    }

    /// <summary>
    /// Parses one value at the start of <paramref name="data"/> and reports how many bytes it took; what
    /// follows is left alone (a ut_metadata message carries raw data after its dictionary, BEP 9).
    /// </summary>
    public static BencodeDocument ParsePrefix(ReadOnlyMemory<byte> data, out int consumed, BencodeReaderOptions? options = null)
    {
        options ??= BencodeReaderOptions.Default;
        var span = data.Span;
        if (span.IsEmpty)
            throw new BencodeException(0, "the input is empty");

        // A non-positive limit admits no value at all (the first one fails the check below).
        var maxTokens = Math.Max(options.MaxTokens, 0);
        // A value takes at least 2 bytes ("0:"), so len/2 + 1 bounds the tokens the input can hold; a .torrent
        // averages about 9 bytes a token, so len/8 usually holds a small input whole.
        var initial = Math.Min(span.Length / 8 + 16, span.Length / 2 + 1);
        var tokens = new BencodeToken[Math.Min(initial, Math.Min(InitialTokenLimit, Math.Max(maxTokens, 1)))];
        var count = 0;
        // Open containers, innermost last. Depth is capped by the ceiling, so this can be sized once.
        var maxDepth = Math.Clamp(options.MaxDepth, 0, BencodeReaderOptions.DepthCeiling);
        var stack = new int[Math.Min(maxDepth, span.Length) + 1];
        var depth = 0;
        var pos = 0;

        do
        {
            if (pos >= span.Length)
            {
                if (depth == 0)
                    throw new BencodeException(pos, "unexpected end of data");
                ref readonly var open = ref tokens[stack[depth - 1]];
                throw new BencodeException(pos, $"unexpected end of data inside the {Describe(open.Kind)} that starts at byte {open.Start}");
            }

            var b = span[pos];
            if (depth > 0)
            {
                ref var parent = ref tokens[stack[depth - 1]];
                if (b == (byte)'e')
                {
                    if (parent.Kind == BencodeKind.Dictionary && (parent.Extra & 1) == 1)
                        throw new BencodeException(pos, $"the dictionary that starts at byte {parent.Start} ends after a key with no value");
                    pos++;
                    parent.End = pos;
                    parent.Next = count;
                    depth--;
                    continue;
                }

                if (parent.Kind == BencodeKind.Dictionary && (parent.Extra & 1) == 0 && !IsDigit(b))
                    throw new BencodeException(pos, $"a dictionary key must be a byte string, found {DescribeByte(b)}");
                parent.Extra++;
            }

            if (count >= maxTokens)
                throw new BencodeException(pos, string.Create(CultureInfo.InvariantCulture, $"more than {maxTokens:N0} values in one document"));
            if (count == tokens.Length)
                Array.Resize(ref tokens, GrowTokens(count, pos, span.Length, maxTokens));
            var index = count++;
            ref var token = ref tokens[index];
            token.Start = pos;

            switch (b)
            {
                case (byte)'i':
                    token.Kind = BencodeKind.Integer;
                    pos = ReadInteger(span, pos, out _);
                    token.End = pos;
                    token.Next = index + 1;
                    break;

                case (byte)'l':
                case (byte)'d':
                    if (depth >= maxDepth)
                        throw new BencodeException(pos, $"lists and dictionaries are nested more than {maxDepth} deep");
                    token.Kind = b == (byte)'l' ? BencodeKind.List : BencodeKind.Dictionary;
                    token.Extra = 0;
                    stack[depth++] = index;
                    pos++;
                    break;

                default:
                    if (!IsDigit(b))
                        throw new BencodeException(pos, $"expected a value (i, l, d or a string length) but found {DescribeByte(b)}");
                    token.Kind = BencodeKind.String;
                    token.Extra = ReadStringHeader(span, pos, out var length);
                    token.End = token.Extra + length;
                    token.Next = index + 1;
                    pos = token.End;
                    break;
            }
        }
        while (depth > 0);

        consumed = pos;
        return new BencodeDocument(data, tokens, count);
    }

    /// <summary>
    /// Size for a full token table of <paramref name="count"/> tokens when the next value starts at
    /// <paramref name="pos"/>: the density of the tokens so far, carried over the bytes still to read, plus an
    /// eighth, so that a document of even shape (a 20,000-file list) needs this one resize. At least half as many
    /// again, so a denser tail costs few more resizes (total work stays linear); never more than the tokens that
    /// the remaining bytes can hold, two bytes each, nor <paramref name="maxTokens"/>, so a flood of "0:" gets one
    /// table of exactly its size.
    /// </summary>
    private static int GrowTokens(int count, int pos, int length, int maxTokens)
    {
        long remaining = length - pos;
        var canHold = count + 1 + remaining / 2;
        var estimate = count + remaining * count / Math.Max(pos, 1);
        estimate += estimate / 8 + 16;
        var size = Math.Max(estimate, count + count / 2L);
        return (int)Math.Min(size, Math.Min(canHold, maxTokens));
    }

    /// <summary>Reads an integer value "i...e" at <paramref name="pos"/>; returns the offset after it.</summary>
    internal static int ReadInteger(ReadOnlySpan<byte> span, int pos, out long value)
    {
        var start = pos;
        var p = pos + 1;
        var negative = p < span.Length && span[p] == (byte)'-';
        if (negative)
            p++;
        var digitsStart = p;
        value = 0;
        while (p < span.Length && IsDigit(span[p]))
        {
            var digit = span[p] - '0';
            // Accumulate towards the sign so that long.MinValue itself is representable.
            if (negative)
            {
                if (value < (long.MinValue + digit) / 10)
                    throw new BencodeException(start, "the integer does not fit in 64 bits");
                value = value * 10 - digit;
            }
            else
            {
                if (value > (long.MaxValue - digit) / 10)
                    throw new BencodeException(start, "the integer does not fit in 64 bits");
                value = value * 10 + digit;
            }
            p++;
        }

        if (p == digitsStart)
        {
            if (p >= span.Length)
                throw new BencodeException(p, $"unexpected end of data in the integer that starts at byte {start}");
            throw new BencodeException(p, $"the integer that starts at byte {start} has no digits");
        }
        if (span[digitsStart] == (byte)'0' && p - digitsStart > 1)
            throw new BencodeException(digitsStart, "an integer must not have a leading zero");
        if (negative && value == 0)
            throw new BencodeException(start, "negative zero (i-0e) is not a valid integer");
        if (p >= span.Length)
            throw new BencodeException(p, $"unexpected end of data in the integer that starts at byte {start}");
        if (span[p] != (byte)'e')
            throw new BencodeException(p, $"expected 'e' to end the integer that starts at byte {start} but found {DescribeByte(span[p])}");
        return p + 1;
    }

    /// <summary>Reads "length:" at <paramref name="pos"/>; returns the content offset. The length is checked
    /// against the bytes that remain before anything trusts it.</summary>
    private static int ReadStringHeader(ReadOnlySpan<byte> span, int pos, out int length)
    {
        var p = pos;
        long value = 0;
        while (p < span.Length && IsDigit(span[p]))
        {
            if (p - pos >= 18)
                throw new BencodeException(pos, "a byte string length has too many digits");
            value = value * 10 + (span[p] - '0');
            p++;
        }
        if (span[pos] == (byte)'0' && p - pos > 1)
            throw new BencodeException(pos, "a byte string length must not have a leading zero");
        if (p >= span.Length)
            throw new BencodeException(p, $"unexpected end of data in the byte string length that starts at byte {pos}");
        if (span[p] != (byte)':')
            throw new BencodeException(p, $"expected ':' after the byte string length but found {DescribeByte(span[p])}");
        p++;
        var remaining = span.Length - p;
        if (value > remaining)
            throw new BencodeException(pos, string.Create(CultureInfo.InvariantCulture, $"a byte string claims {value:N0} bytes but only {remaining:N0} remain"));
        length = (int)value;
        return p;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    internal static string Describe(BencodeKind kind) => kind switch
    {
        BencodeKind.Integer => "integer",
        BencodeKind.String => "byte string",
        BencodeKind.List => "list",
        _ => "dictionary",
    };

    private static string DescribeByte(byte b) =>
        b is >= 0x20 and < 0x7f ? $"'{(char)b}'" : $"byte 0x{b:x2}";
}
