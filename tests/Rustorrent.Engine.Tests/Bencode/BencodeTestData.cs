using System.Text;
using Rustorrent.Bencode;

namespace Rustorrent.Engine.Tests.Bencode;

/// <summary>Helpers shared by the bencode tests: text is written one char per byte (Latin-1) so "\u00ff" is byte 0xFF.</summary>
internal static class BencodeTestData
{
    public static byte[] Bytes(string latin1) => Encoding.Latin1.GetBytes(latin1);

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    public static BencodeDocument Parse(string latin1, BencodeReaderOptions? options = null) =>
        BencodeDocument.Parse(Bytes(latin1), options);

    public static BencodeException ParseFails(string latin1, BencodeReaderOptions? options = null) =>
        ParseFails(Bytes(latin1), options);

    public static BencodeException ParseFails(byte[] data, BencodeReaderOptions? options = null)
    {
        var error = Assert.Throws<BencodeException>(() => BencodeDocument.Parse(data, options));
        Assert.Equal($"Invalid bencode at byte {error.Offset}: {error.Reason}", error.Message);
        Assert.False(string.IsNullOrWhiteSpace(error.Reason));
        return error;
    }

    /// <summary>
    /// True when every dictionary's keys are strictly ascending as raw bytes: with the reader already refusing
    /// non-shortest integers and lengths, that is exactly what makes an encoding canonical. Walks with an explicit
    /// stack so it does not depend on the depth the reader allows.
    /// </summary>
    public static bool IsCanonical(BencodeNode root)
    {
        var pending = new Stack<BencodeNode>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (node.IsList)
            {
                foreach (var item in node.Items)
                    pending.Push(item);
            }
            else if (node.IsDictionary)
            {
                byte[]? previous = null;
                foreach (var (key, value) in node.Entries)
                {
                    if (previous is not null && key.StringSpan.SequenceCompareTo(previous) <= 0)
                        return false;
                    previous = key.StringSpan.ToArray();
                    pending.Push(value);
                }
            }
        }
        return true;
    }
}
