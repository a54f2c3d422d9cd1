using System.Buffers;
using System.Buffers.Text;

namespace Rustorrent.Bencode;

/// <summary>Writes canonical bencode: dictionary keys in raw byte order, integers and lengths in shortest form.</summary>
internal static class BencodeWriter
{
    /// <summary>Deepest nesting of lists and dictionaries the writer accepts: the reader's ceiling, so anything
    /// parsed can be written back; values we build are shallow, this only guards the stack.</summary>
    private const int MaxDepth = BencodeReaderOptions.DepthCeiling;

    public static byte[] Encode(BencodeValue value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(value, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(BencodeValue value, IBufferWriter<byte> output) => Write(value, output, 0);

    /// <param name="depth">Lists and dictionaries that enclose <paramref name="value"/>.</param>
    private static void Write(BencodeValue value, IBufferWriter<byte> output, int depth)
    {
        if (depth >= MaxDepth && value is BencodeList or BencodeDictionary)
            throw new InvalidOperationException($"Cannot encode lists and dictionaries nested more than {MaxDepth} deep.");
        switch (value)
        {
            case BencodeInteger integer:
                WriteInteger(integer.Value, output);
                break;
            case BencodeString text:
                WriteString(text.Span, output);
                break;
            case BencodeList list:
                WriteByte((byte)'l', output);
                foreach (var item in list)
                    Write(item, output, depth + 1);
                WriteByte((byte)'e', output);
                break;
            case BencodeDictionary dictionary:
                WriteByte((byte)'d', output);
                foreach (var (key, item) in dictionary)
                {
                    WriteString(key, output);
                    Write(item, output, depth + 1);
                }
                WriteByte((byte)'e', output);
                break;
            default:
                throw new ArgumentException($"Unknown bencode value type {value.GetType().Name}.", nameof(value));
        }
    }

    public static void WriteInteger(long value, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(22);
        span[0] = (byte)'i';
        Utf8Formatter.TryFormat(value, span[1..], out var written);
        span[1 + written] = (byte)'e';
        output.Advance(written + 2);
    }

    public static void WriteString(ReadOnlySpan<byte> bytes, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(bytes.Length + 12);
        Utf8Formatter.TryFormat(bytes.Length, span, out var written);
        span[written++] = (byte)':';
        bytes.CopyTo(span[written..]);
        output.Advance(written + bytes.Length);
    }

    private static void WriteByte(byte b, IBufferWriter<byte> output)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }
}
