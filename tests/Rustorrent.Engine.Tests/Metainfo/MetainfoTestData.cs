using System.Security.Cryptography;
using System.Text;
using Rustorrent.Bencode;

namespace Rustorrent.Engine.Tests.Metainfo;

/// <summary>A file of a test torrent: its path inside the torrent and its content.</summary>
internal sealed record TestFile(string[] Path, byte[] Data)
{
    public TestFile(string path, int length, int seed)
        : this(path.Split('/'), MetainfoTestData.Content(length, seed))
    {
    }
}

/// <summary>
/// Builds .torrent files for tests with the bencode model, computing every hash from real content here in the
/// test (SHA-1 pieces; BEP 52 merkle trees from 16 KiB leaves, independently of the engine's code).
/// </summary>
internal static class MetainfoTestData
{
    public const int BlockSize = 16 * 1024;

    /// <summary>Deterministic pseudo-random bytes.</summary>
    public static byte[] Content(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static BencodeList List(params BencodeValue[] items)
    {
        var list = new BencodeList();
        foreach (var item in items)
            list.Add(item);
        return list;
    }

    public static BencodeList Path(params string[] components) => List([.. components.Select(c => (BencodeValue)c)]);

    /// <summary>Concatenated SHA-1 hashes of the pieces of <paramref name="payload"/>.</summary>
    public static byte[] Sha1Pieces(byte[] payload, int pieceLength)
    {
        var pieces = new List<byte>();
        for (var offset = 0; offset < payload.Length; offset += pieceLength)
            pieces.AddRange(SHA1.HashData(payload.AsSpan(offset, Math.Min(pieceLength, payload.Length - offset))));
        return [.. pieces];
    }

    /// <summary>A v1 single-file info dictionary.</summary>
    public static BencodeDictionary SingleFileInfo(string name, byte[] data, int pieceLength) => new()
    {
        ["name"] = name,
        ["length"] = data.Length,
        ["piece length"] = pieceLength,
        ["pieces"] = Sha1Pieces(data, pieceLength),
    };

    /// <summary>A v1 multi-file info dictionary, files laid end to end with no padding.</summary>
    public static BencodeDictionary MultiFileInfo(string name, int pieceLength, params TestFile[] files)
    {
        var list = new BencodeList();
        foreach (var file in files)
            list.Add(new BencodeDictionary { ["length"] = file.Data.Length, ["path"] = Path(file.Path) });
        return new BencodeDictionary
        {
            ["name"] = name,
            ["files"] = list,
            ["piece length"] = pieceLength,
            ["pieces"] = Sha1Pieces([.. files.SelectMany(f => f.Data)], pieceLength),
        };
    }

    /// <summary>A whole .torrent around <paramref name="info"/>.</summary>
    public static byte[] Torrent(BencodeDictionary info, BencodeDictionary? extra = null)
    {
        var root = new BencodeDictionary { ["info"] = info };
        if (extra is not null)
        {
            foreach (var (key, value) in extra)
                root[key] = value;
        }
        return root.Encode();
    }

    /// <summary>Where the info dictionary's bytes start in a torrent: found by hand, after the "4:info" key.</summary>
    public static int InfoStart(byte[] torrent)
    {
        var at = torrent.AsSpan().IndexOf("4:infod"u8);
        Assert.True(at > 0, "no info key");
        return at + "4:info".Length;
    }

    /// <summary>Offset of the first occurrence of <paramref name="text"/> in <paramref name="bytes"/>.</summary>
    public static int OffsetOf(byte[] bytes, string text)
    {
        var at = bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text));
        Assert.True(at >= 0, $"'{text}' not found");
        return at;
    }

    // ---- BEP 52 ----

    /// <summary>Every level of a file's merkle tree, leaves first: 16 KiB blocks hashed, padded with zero
    /// hashes to a power of two (BEP 52).</summary>
    public static List<byte[][]> MerkleLevels(byte[] data)
    {
        var leaves = new List<byte[]>();
        for (var offset = 0; offset < data.Length; offset += BlockSize)
            leaves.Add(SHA256.HashData(data.AsSpan(offset, Math.Min(BlockSize, data.Length - offset))));
        var width = 1;
        while (width < leaves.Count)
            width *= 2;
        while (leaves.Count < width)
            leaves.Add(new byte[32]);
        var levels = new List<byte[][]> { leaves.ToArray() };
        while (levels[^1].Length > 1)
        {
            var below = levels[^1];
            var above = new byte[below.Length / 2][];
            for (var i = 0; i < above.Length; i++)
                above[i] = SHA256.HashData([.. below[2 * i], .. below[2 * i + 1]]);
            levels.Add(above);
        }
        return levels;
    }

    public static byte[] PiecesRoot(byte[] data) => MerkleLevels(data)[^1][0];

    /// <summary>The piece layer of a file larger than one piece: the tree level whose nodes cover one piece each.</summary>
    public static byte[] PieceLayer(byte[] data, int pieceLength)
    {
        var level = MerkleLevels(data)[System.Numerics.BitOperations.Log2((uint)(pieceLength / BlockSize))];
        var pieces = (data.Length + pieceLength - 1) / pieceLength;
        return [.. level.Take(pieces).SelectMany(h => h)];
    }

    /// <summary>A BEP 52 "file tree" and the matching "piece layers" for <paramref name="files"/>.</summary>
    public static (BencodeDictionary FileTree, BencodeDictionary PieceLayers) FileTree(int pieceLength, params TestFile[] files)
    {
        var tree = new BencodeDictionary();
        var layers = new BencodeDictionary();
        foreach (var file in files)
        {
            var directory = tree;
            foreach (var component in file.Path[..^1])
            {
                if (!directory.TryGetValue(component, out var next))
                {
                    next = new BencodeDictionary();
                    directory[component] = next;
                }
                directory = (BencodeDictionary)next;
            }
            var leaf = new BencodeDictionary { ["length"] = file.Data.Length };
            if (file.Data.Length > 0)
            {
                var root = PiecesRoot(file.Data);
                leaf["pieces root"] = root;
                if (file.Data.Length > pieceLength)
                    layers[root] = PieceLayer(file.Data, pieceLength);
            }
            directory[file.Path[^1]] = new BencodeDictionary { [""] = leaf };
        }
        return (tree, layers);
    }

    /// <summary>A v2-only info dictionary.</summary>
    public static BencodeDictionary V2Info(string name, int pieceLength, BencodeDictionary fileTree) => new()
    {
        ["name"] = name,
        ["meta version"] = 2,
        ["file tree"] = fileTree,
        ["piece length"] = pieceLength,
    };

    /// <summary>
    /// A hybrid info dictionary as libtorrent writes one: the v2 file tree plus a v1 "files" list with a BEP 47
    /// padding file after every file that does not end on a piece boundary. Returns the v1 payload too.
    /// </summary>
    public static (BencodeDictionary Info, BencodeDictionary PieceLayers, byte[] Payload) HybridInfo(string name, int pieceLength, params TestFile[] files)
    {
        var (tree, layers) = FileTree(pieceLength, files);
        var list = new BencodeList();
        var payload = new List<byte>();
        foreach (var file in files)
        {
            list.Add(new BencodeDictionary { ["length"] = file.Data.Length, ["path"] = Path(file.Path) });
            payload.AddRange(file.Data);
            var gap = payload.Count % pieceLength;
            if (gap != 0)
            {
                var pad = pieceLength - gap;
                list.Add(new BencodeDictionary { ["attr"] = "p", ["length"] = pad, ["path"] = Path(".pad", pad.ToString(System.Globalization.CultureInfo.InvariantCulture)) });
                payload.AddRange(new byte[pad]);
            }
        }
        var bytes = payload.ToArray();
        var info = V2Info(name, pieceLength, tree);
        info["files"] = list;
        info["pieces"] = Sha1Pieces(bytes, pieceLength);
        return (info, layers, bytes);
    }
}
