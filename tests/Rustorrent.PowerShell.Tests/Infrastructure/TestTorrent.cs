using System.Security.Cryptography;
using System.Text;

namespace Rustorrent.PowerShell.Tests.Infrastructure;

/// <summary>
/// Writes small v1 .torrent files for PowerShell tests with a bencoder of its own, independent of the
/// engine's (so the two check each other), and reports the info hash it computed.
/// </summary>
internal static class TestTorrent
{
    public sealed record Written(string Path, string InfoHash, long TotalSize, int PieceCount);

    /// <summary>A torrent over synthetic content: files as (path components, length); data is deterministic.</summary>
    public static Written Write(string torrentPath, string name, IReadOnlyList<(string[] Path, long Length)> files, int pieceLength = 16384,
        string[]? trackers = null, bool singleFile = false, string? comment = null)
    {
        var total = files.Sum(f => f.Length);
        var data = new byte[total];
        new Random(total.GetHashCode()).NextBytes(data);
        var pieces = new MemoryStream();
        for (long offset = 0; offset < total; offset += pieceLength)
            pieces.Write(SHA1.HashData(data.AsSpan((int)offset, (int)Math.Min(pieceLength, total - offset))));

        var info = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["name"] = name,
            ["piece length"] = (long)pieceLength,
            ["pieces"] = pieces.ToArray(),
        };
        if (singleFile)
            info["length"] = files[0].Length;
        else
            info["files"] = files.Select(f => (object)new SortedDictionary<string, object>(StringComparer.Ordinal) { ["length"] = f.Length, ["path"] = f.Path.Cast<object>().ToList() }).ToList();

        var infoBytes = Encode(info);
        var root = new MemoryStream();
        root.Write("d"u8);
        if (trackers is { Length: > 0 })
        {
            WriteString(root, "announce");
            WriteString(root, trackers[0]);
            WriteString(root, "announce-list");
            root.Write(Encode(trackers.Select(t => (object)new List<object> { t }).ToList()));
        }
        if (comment is not null)
        {
            WriteString(root, "comment");
            WriteString(root, comment);
        }
        WriteString(root, "info");
        root.Write(infoBytes);
        root.Write("e"u8);
        File.WriteAllBytes(torrentPath, root.ToArray());
        return new Written(torrentPath, Convert.ToHexString(SHA1.HashData(infoBytes)).ToLowerInvariant(), total, (int)((total + pieceLength - 1) / pieceLength));
    }

    public static byte[] Encode(object value)
    {
        var stream = new MemoryStream();
        Write(stream, value);
        return stream.ToArray();
    }

    private static void Write(Stream stream, object value)
    {
        switch (value)
        {
            case long n:
                stream.Write(Encoding.ASCII.GetBytes($"i{n}e"));
                break;
            case string s:
                WriteString(stream, s);
                break;
            case byte[] b:
                stream.Write(Encoding.ASCII.GetBytes($"{b.Length}:"));
                stream.Write(b);
                break;
            case IEnumerable<KeyValuePair<string, object>> dictionary:
                stream.WriteByte((byte)'d');
                foreach (var (key, item) in dictionary)
                {
                    WriteString(stream, key);
                    Write(stream, item);
                }
                stream.WriteByte((byte)'e');
                break;
            case System.Collections.IEnumerable list:
                stream.WriteByte((byte)'l');
                foreach (var item in list)
                    Write(stream, item!);
                stream.WriteByte((byte)'e');
                break;
            default:
                throw new ArgumentException($"Cannot bencode {value.GetType()}");
        }
    }

    private static void WriteString(Stream stream, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        stream.Write(Encoding.ASCII.GetBytes($"{bytes.Length}:"));
        stream.Write(bytes);
    }
}
