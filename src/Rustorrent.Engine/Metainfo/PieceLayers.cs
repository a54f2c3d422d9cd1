using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using Rustorrent.Bencode;

namespace Rustorrent.Metainfo;

/// <summary>
/// The BEP 52 "piece layers" of a torrent: for each file larger than one piece, the SHA-256 hashes of its
/// pieces (the layer of the file's merkle tree where one node covers one piece), keyed by the file's
/// "pieces root". Every layer is checked against its root when read, so a layer we hand out is trustworthy.
/// </summary>
internal sealed class PieceLayers
{
    /// <summary>The leaf size of BEP 52 merkle trees.</summary>
    public const int BlockSize = 16 * 1024;

    public const int HashSize = 32;

    public static readonly PieceLayers None = new(new Dictionary<RootKey, ReadOnlyMemory<byte>>());

    private readonly Dictionary<RootKey, ReadOnlyMemory<byte>> layers;

    private PieceLayers(Dictionary<RootKey, ReadOnlyMemory<byte>> layers) => this.layers = layers;

    public int Count => layers.Count;

    /// <summary>The piece layer of the file with this pieces root; empty when the file fits in one piece
    /// (its root is then the hash of its only piece) or the root is unknown.</summary>
    public ReadOnlyMemory<byte> Get(ReadOnlySpan<byte> piecesRoot) =>
        piecesRoot.Length == HashSize && layers.TryGetValue(RootKey.From(piecesRoot), out var layer) ? layer : default;

    /// <summary>
    /// Reads the "piece layers" dictionary of a .torrent and checks it against the files: every file larger
    /// than one piece needs a layer of exactly 32 bytes per piece that hashes up to its pieces root.
    /// Entries no file needs are ignored (libtorrent does the same).
    /// </summary>
    public static PieceLayers Read(BencodeNode node, IReadOnlyList<TorrentFile> files, int pieceLength)
    {
        if (!node.IsDictionary)
            throw MetainfoParser.Error($"'piece layers' is {MetainfoParser.Article(node.Kind)}, not a dictionary", node.Offset);

        // Index the entries once: a linear TryGetValue per file would be quadratic in the number of files.
        var entries = new Dictionary<RootKey, BencodeNode>();
        foreach (var (key, value) in node.Entries)
        {
            if (key.Count == HashSize)
                entries.TryAdd(RootKey.From(key.StringSpan), value);
        }

        var layers = new Dictionary<RootKey, ReadOnlyMemory<byte>>();
        Span<byte> computed = stackalloc byte[HashSize];
        foreach (var file in files)
        {
            if (file.IsPadding || file.Length <= pieceLength)
                continue;
            var root = RootKey.From(file.PiecesRoot.Span);
            if (layers.ContainsKey(root))
                continue; // another file with the same content, already checked
            if (!entries.TryGetValue(root, out var layer))
                throw MetainfoParser.Error($"'piece layers' has no layer for '{file.Path}', which is larger than one piece", node.Offset);
            if (!layer.IsString)
                throw MetainfoParser.Error($"the piece layer for '{file.Path}' is {MetainfoParser.Article(layer.Kind)}, not a byte string", layer.Offset);
            var pieces = (file.Length + pieceLength - 1) / pieceLength;
            if (layer.Count != pieces * HashSize)
                throw MetainfoParser.Error($"the piece layer for '{file.Path}' is {layer.Count:N0} bytes; its {pieces:N0} pieces need {pieces * HashSize:N0}", layer.Offset);
            ComputeRoot(layer.StringSpan, pieceLength, computed);
            if (!computed.SequenceEqual(file.PiecesRoot.Span))
                throw MetainfoParser.Error($"the piece layer for '{file.Path}' does not hash to the file's pieces root", layer.Offset);
            layers.Add(root, layer.StringSpan.ToArray());
        }
        return new PieceLayers(layers);
    }

    /// <summary>
    /// The merkle root over a piece layer (BEP 52): the layer is padded to a power of two with the hash of a
    /// piece of zero leaves (leaves past the end of a file are 32 zero bytes), then hashed pairwise up.
    /// </summary>
    public static void ComputeRoot(ReadOnlySpan<byte> layer, int pieceLength, Span<byte> root)
    {
        if (layer.Length == 0 || layer.Length % HashSize != 0)
            throw new ArgumentException("A piece layer is a non-empty sequence of 32-byte hashes.", nameof(layer));

        // The hash a piece-sized subtree has when all its leaves are padding.
        Span<byte> pad = stackalloc byte[HashSize];
        pad.Clear();
        Span<byte> pair = stackalloc byte[2 * HashSize];
        for (var size = BlockSize; size < pieceLength; size *= 2)
        {
            pad.CopyTo(pair);
            pad.CopyTo(pair[HashSize..]);
            SHA256.HashData(pair, pad);
        }

        var count = layer.Length / HashSize;
        var width = (int)BitOperations.RoundUpToPowerOf2((uint)count);
        var buffer = ArrayPool<byte>.Shared.Rent(layer.Length);
        try
        {
            layer.CopyTo(buffer);
            while (width > 1)
            {
                var next = (count + 1) / 2;
                for (var i = 0; i < next; i++)
                {
                    var left = buffer.AsSpan(2 * i * HashSize, HashSize);
                    left.CopyTo(pair);
                    if (2 * i + 1 < count)
                        buffer.AsSpan((2 * i + 1) * HashSize, HashSize).CopyTo(pair[HashSize..]);
                    else
                        pad.CopyTo(pair[HashSize..]);
                    SHA256.HashData(pair, buffer.AsSpan(i * HashSize, HashSize));
                }
                pad.CopyTo(pair);
                pad.CopyTo(pair[HashSize..]);
                SHA256.HashData(pair, pad);
                count = next;
                width /= 2;
            }
            buffer.AsSpan(0, HashSize).CopyTo(root);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A SHA-256 hash as four words: a cheap dictionary key with no allocation per lookup.</summary>
    private readonly record struct RootKey(ulong A, ulong B, ulong C, ulong D)
    {
        public static RootKey From(ReadOnlySpan<byte> hash)
        {
            hash = hash[..HashSize];
            return new RootKey(
                BinaryPrimitives.ReadUInt64LittleEndian(hash),
                BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]),
                BinaryPrimitives.ReadUInt64LittleEndian(hash[16..]),
                BinaryPrimitives.ReadUInt64LittleEndian(hash[24..]));
        }
    }
}
