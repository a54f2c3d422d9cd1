using System.Security.Cryptography;
using System.Text;
using Rustorrent.Bencode;
using Rustorrent.Metainfo;
using static Rustorrent.Engine.Tests.Metainfo.MetainfoTestData;

namespace Rustorrent.Engine.Tests.Metainfo;

/// <summary>BEP 52: v2-only and hybrid torrents.</summary>
public class V2MetainfoTests
{
    private const int PieceLength = 16 * 1024;
    private static readonly char Sep = System.IO.Path.DirectorySeparatorChar;

    private static readonly TestFile[] SampleFiles =
    [
        new("a.bin", 40_000, 1),
        new("empty", 0, 2),
        new("sub/b.txt", 100, 3),
        new("sub/c", 20_000, 4),
    ];

    [Fact]
    public void V2_torrent_aligns_every_file_on_a_piece_boundary_and_checks_its_layers()
    {
        var (tree, layers) = FileTree(PieceLength, SampleFiles);
        var info = V2Info("data", PieceLength, tree);
        var torrent = Torrent(info, new BencodeDictionary { ["piece layers"] = layers });

        var meta = TorrentMetainfo.Parse(torrent);

        Assert.Equal(TorrentVersion.V2, meta.Version);
        Assert.True(meta.IsMultiFile);
        Assert.Equal("data", meta.Name);
        Assert.Null(meta.InfoHashV1);
        var infoBytes = info.Encode();
        Assert.Equal(infoBytes, torrent.AsSpan(InfoStart(torrent), infoBytes.Length).ToArray());
        Assert.Equal(SHA256.HashData(infoBytes), meta.InfoHashV2!.Value.Span.ToArray());
        Assert.Equal(meta.InfoHashV2.Value, meta.PrimaryInfoHash);
        Assert.Equal(60_100, meta.TotalSize);

        // Every file starts on a piece boundary; "empty" where the padding after a.bin ends.
        Assert.Equal(["a.bin", "empty", $"sub{Sep}b.txt", $"sub{Sep}c"], meta.Files.Select(f => f.Path));
        Assert.Equal([0L, 49_152, 49_152, 65_536], meta.Files.Select(f => f.Offset));
        Assert.Equal([0, -1, 3, 4], meta.Files.Select(f => f.FirstPiece));
        Assert.Equal([2, -1, 3, 5], meta.Files.Select(f => f.LastPiece));
        Assert.Equal(6, meta.PieceCount); // 3 + 0 + 1 + 2 pieces, as BEP 52 counts them per file
        Assert.Equal(6 * PieceLength, meta.PayloadSize);

        // AllFiles tiles the piece space: padding straight after every file that does not end on a piece
        // boundary, the last one included, as libtorrent lays out a v2 torrent (its indices are BEP 53's).
        Assert.Equal([0L, 40_000, 49_152, 49_152, 49_252, 65_536, 85_536], meta.AllFiles.Select(f => f.Offset));
        Assert.Equal([40_000L, 9_152, 0, 100, 16_284, 20_000, 12_768], meta.AllFiles.Select(f => f.Length));
        Assert.Equal([false, true, false, false, true, false, true], meta.AllFiles.Select(f => f.IsPadding));
        Assert.Equal($".pad{Sep}9152", meta.AllFiles[1].Path);
        Assert.Equal($".pad{Sep}12768", meta.AllFiles[6].Path);
        Assert.All(meta.AllFiles.Where(f => f.IsPadding), f => Assert.Equal("p", f.Attributes));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], meta.AllFiles.Select(f => f.Index));
        Assert.Equal([0, 2, 3, 5], meta.Files.Select(f => f.Index));
        for (var i = 1; i < meta.AllFiles.Count; i++)
            Assert.Equal(meta.AllFiles[i - 1].Offset + meta.AllFiles[i - 1].Length, meta.AllFiles[i].Offset);

        // Pieces roots are the merkle roots of the content, computed here from 16 KiB leaves.
        Assert.Equal(PiecesRoot(SampleFiles[0].Data), meta.Files[0].PiecesRoot.ToArray());
        Assert.True(meta.Files[1].PiecesRoot.IsEmpty);
        Assert.Equal(PiecesRoot(SampleFiles[2].Data), meta.Files[2].PiecesRoot.ToArray());
        Assert.Equal(PiecesRoot(SampleFiles[3].Data), meta.Files[3].PiecesRoot.ToArray());

        Assert.True(meta.HasPieceLayers);
        Assert.Equal(PieceLayer(SampleFiles[0].Data, PieceLength), meta.GetPieceLayer(meta.Files[0].PiecesRoot.Span).ToArray());
        Assert.Equal(96, meta.GetPieceLayer(meta.Files[0].PiecesRoot.Span).Length);
        Assert.Equal(PieceLayer(SampleFiles[3].Data, PieceLength), meta.GetPieceLayer(meta.Files[3].PiecesRoot.Span).ToArray());
        // A file of one piece has no layer: its root is the hash of that piece.
        Assert.True(meta.GetPieceLayer(meta.Files[2].PiecesRoot.Span).IsEmpty);
        Assert.Throws<InvalidOperationException>(() => meta.GetPieceHash(0).ToArray());
    }

    [Fact]
    public void V2_single_file_torrent_is_the_one_file_at_the_top_of_the_tree()
    {
        var file = new TestFile("movie.mkv", 50_000, 7);
        var (tree, layers) = FileTree(PieceLength, file);

        var meta = TorrentMetainfo.Parse(Torrent(V2Info("movie.mkv", PieceLength, tree), new BencodeDictionary { ["piece layers"] = layers }));

        Assert.False(meta.IsMultiFile);
        var only = Assert.Single(meta.Files);
        Assert.Equal("movie.mkv", only.Path);
        Assert.Equal(4, meta.PieceCount);
        Assert.Equal((0, 3), (only.FirstPiece, only.LastPiece));
        // libtorrent pads a v2 file's tail even when it is the only one, so the piece space is whole pieces.
        Assert.Equal([(50_000L, false), (15_536L, true)], meta.AllFiles.Select(f => (f.Length, f.IsPadding)));
        Assert.Equal(4 * PieceLength, meta.PayloadSize);
    }

    [Fact]
    public void V2_layout_pads_after_each_file_as_libtorrent_does()
    {
        // The layout libtorrent 2.0.8 gives these files (lt_tool.py dump): padding only after a file that does not
        // end on a piece boundary, never before a file; an empty file takes no padding of its own.
        var files = new[]
        {
            new TestFile("a-empty", 0, 1),
            new TestFile("b-whole", PieceLength, 2),
            new TestFile("c-empty", 0, 3),
            new TestFile("d-odd", 3, 4),
            new TestFile("e-empty", 0, 5),
        };
        var (tree, layers) = FileTree(PieceLength, files);

        var meta = TorrentMetainfo.Parse(Torrent(V2Info("data", PieceLength, tree), new BencodeDictionary { ["piece layers"] = layers }));

        Assert.Equal(
            [("a-empty", 0L, 0L), ("b-whole", PieceLength, 0), ("c-empty", 0, PieceLength), ("d-odd", 3, PieceLength),
             ($".pad{Sep}16381", PieceLength - 3, PieceLength + 3), ("e-empty", 0, 2 * PieceLength)],
            meta.AllFiles.Select(f => (f.Path, f.Length, f.Offset)));
        Assert.Equal([0, 1, 2, 3, 5], meta.Files.Select(f => f.Index));
        Assert.Equal(2 * PieceLength, meta.PayloadSize);
        Assert.Equal(2, meta.PieceCount);
    }

    [Fact]
    public void V2_layout_is_the_one_a_hybrid_v1_list_spells_out()
    {
        // BEP 52's hybrid v1 list pads the end of every file; a v2-only torrent of the same files must put every
        // file, padding included, at the same index and offset, or so= indices would mean different files.
        var (tree, layers) = FileTree(PieceLength, SampleFiles);
        var (hybridInfo, _, payload) = HybridInfo("data", PieceLength, SampleFiles);

        var v2 = TorrentMetainfo.Parse(Torrent(V2Info("data", PieceLength, tree), new BencodeDictionary { ["piece layers"] = layers }));
        var hybrid = TorrentMetainfo.Parse(Torrent(hybridInfo, new BencodeDictionary { ["piece layers"] = layers }));

        Assert.Equal(
            hybrid.AllFiles.Select(f => (f.Path, f.Length, f.Offset, f.IsPadding, f.Index)),
            v2.AllFiles.Select(f => (f.Path, f.Length, f.Offset, f.IsPadding, f.Index)));
        Assert.Equal(payload.Length, v2.PayloadSize);
        Assert.Equal(hybrid.PayloadSize, v2.PayloadSize);
    }

    [Fact]
    public void A_v2_torrent_with_one_file_in_a_folder_is_multi_file()
    {
        var (tree, layers) = FileTree(PieceLength, new TestFile("folder/x.bin", 100, 1));

        var meta = TorrentMetainfo.Parse(Torrent(V2Info("folder", PieceLength, tree), new BencodeDictionary { ["piece layers"] = layers }));

        Assert.True(meta.IsMultiFile);
        Assert.Equal($"folder{Sep}x.bin", meta.Files[0].Path);
    }

    [Fact]
    public void Hybrid_torrent_has_both_hashes_and_the_v1_padding_layout()
    {
        var (info, layers, payload) = HybridInfo("data", PieceLength, SampleFiles);
        var torrent = Torrent(info, new BencodeDictionary { ["piece layers"] = layers });

        var meta = TorrentMetainfo.Parse(torrent);

        Assert.Equal(TorrentVersion.Hybrid, meta.Version);
        var infoBytes = info.Encode();
        Assert.Equal(SHA1.HashData(infoBytes), meta.InfoHashV1!.Value.Span.ToArray());
        Assert.Equal(SHA256.HashData(infoBytes), meta.InfoHashV2!.Value.Span.ToArray());
        Assert.Equal(meta.InfoHashV1.Value, meta.PrimaryInfoHash);
        Assert.True(meta.IsMultiFile);
        Assert.Equal(60_100, meta.TotalSize);
        Assert.Equal(payload.Length, meta.PayloadSize);
        Assert.Equal(6, meta.PieceCount);

        Assert.Equal(["a.bin", "empty", $"sub{Sep}b.txt", $"sub{Sep}c"], meta.Files.Select(f => f.Path));
        Assert.Equal([0L, 49_152, 49_152, 65_536], meta.Files.Select(f => f.Offset));
        Assert.Equal(7, meta.AllFiles.Count); // three padding files from the v1 list
        Assert.Equal([false, true, false, false, true, false, true], meta.AllFiles.Select(f => f.IsPadding));
        // The v2 pieces roots are attached to the v1 files.
        for (var i = 0; i < SampleFiles.Length; i++)
        {
            if (SampleFiles[i].Data.Length > 0)
                Assert.Equal(PiecesRoot(SampleFiles[i].Data), meta.Files[i].PiecesRoot.ToArray());
        }
        Assert.True(meta.HasPieceLayers);
        Assert.Equal(PieceLayer(SampleFiles[0].Data, PieceLength), meta.GetPieceLayer(meta.Files[0].PiecesRoot.Span).ToArray());
        for (var piece = 0; piece < meta.PieceCount; piece++)
            Assert.Equal(SHA1.HashData(payload.AsSpan(piece * PieceLength, PieceLength)), meta.GetPieceHash(piece).ToArray());
    }

    [Fact]
    public void Hybrid_single_file_torrent()
    {
        var file = new TestFile("x.iso", 40_000, 9);
        var (tree, layers) = FileTree(PieceLength, file);
        var info = V2Info("x.iso", PieceLength, tree);
        info["length"] = file.Data.Length;
        info["pieces"] = Sha1Pieces(file.Data, PieceLength);

        var meta = TorrentMetainfo.Parse(Torrent(info, new BencodeDictionary { ["piece layers"] = layers }));

        Assert.Equal(TorrentVersion.Hybrid, meta.Version);
        Assert.False(meta.IsMultiFile);
        Assert.Equal("x.iso", meta.Files[0].Path);
        Assert.Equal(PiecesRoot(file.Data), meta.Files[0].PiecesRoot.ToArray());
    }

    [Fact]
    public void Hybrid_without_piece_layers_is_usable_through_its_v1_hashes()
    {
        var (info, _, _) = HybridInfo("data", PieceLength, SampleFiles);

        var meta = TorrentMetainfo.Parse(Torrent(info));

        Assert.Equal(TorrentVersion.Hybrid, meta.Version);
        Assert.False(meta.HasPieceLayers);
        Assert.True(meta.GetPieceLayer(meta.Files[0].PiecesRoot.Span).IsEmpty);
    }

    [Fact]
    public void Hybrid_whose_v1_path_differs_from_the_file_tree_is_rejected()
    {
        var (info, layers, _) = HybridInfo("data", PieceLength, SampleFiles);
        var list = (BencodeList)info["files"];
        ((BencodeDictionary)list[3])["path"] = Path("sub", "B.txt");

        var e = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(info, new BencodeDictionary { ["piece layers"] = layers })));

        Assert.Contains("differ at file 2", e.Reason);
        Assert.Contains("'sub/B.txt'", e.Reason);
        Assert.Contains("'sub/b.txt'", e.Reason);
    }

    [Fact]
    public void Hybrid_whose_v1_length_differs_from_the_file_tree_is_rejected()
    {
        var (info, _, _) = HybridInfo("data", PieceLength, SampleFiles);
        var list = (BencodeList)info["files"];
        ((BencodeDictionary)list[0])["length"] = 39_999;
        ((BencodeDictionary)list[1])["length"] = 9_153;

        var e = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(info)));

        Assert.Contains("differ at file 0", e.Reason);
        Assert.Contains("39,999", e.Reason);
    }

    [Fact]
    public void Hybrid_with_wrong_padding_is_rejected()
    {
        var (info, _, _) = HybridInfo("data", PieceLength, SampleFiles);
        var list = (BencodeList)info["files"];
        // Shrink the first padding file: b.txt would no longer start where v2 puts it.
        ((BencodeDictionary)list[1])["length"] = 9_000;
        ((BencodeDictionary)list[6])["length"] = 12_768 + 152;

        var e = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(info)));

        Assert.Contains("starts at byte 49,000", e.Reason);
        Assert.Contains("not at 49,152", e.Reason);
    }

    [Fact]
    public void Hybrid_with_a_file_missing_from_either_list_is_rejected()
    {
        var (info, _, _) = HybridInfo("data", PieceLength, SampleFiles[..3]);
        var (longerTree, _) = FileTree(PieceLength, SampleFiles);
        var v2HasMore = (BencodeDictionary)info;
        v2HasMore["file tree"] = longerTree;
        var e1 = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(v2HasMore)));
        Assert.Contains("the v2 'file tree' has 4 files but the v1 'files' list only 3", e1.Reason);

        var (info2, _, _) = HybridInfo("data", PieceLength, SampleFiles);
        var (shorterTree, _) = FileTree(PieceLength, SampleFiles[..3]);
        info2["file tree"] = shorterTree;
        var e2 = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(info2)));
        Assert.Contains("more files than the v2 'file tree'", e2.Reason);
    }

    [Fact]
    public void Hybrid_with_padding_beyond_the_v2_layout_is_rejected()
    {
        var (info, _, payload) = HybridInfo("data", PieceLength, SampleFiles);
        var list = (BencodeList)info["files"];
        list.Add(new BencodeDictionary { ["attr"] = "p", ["length"] = PieceLength, ["path"] = Path(".pad", "16384") });
        info["pieces"] = Sha1Pieces([.. payload, .. new byte[PieceLength]], PieceLength);

        var e = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(info)));

        Assert.Contains("padding beyond the last piece", e.Reason);
    }

    [Fact]
    public void V2_without_piece_layers_is_rejected_when_a_file_needs_one()
    {
        var (tree, _) = FileTree(PieceLength, SampleFiles);

        var e = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(V2Info("data", PieceLength, tree))));

        Assert.Contains("no 'piece layers'", e.Reason);
    }

    [Fact]
    public void V2_of_small_files_needs_no_piece_layers()
    {
        var (tree, layers) = FileTree(PieceLength, new TestFile("a", 100, 1), new TestFile("b", PieceLength, 2));
        Assert.Equal(0, layers.Count);

        var meta = TorrentMetainfo.Parse(Torrent(V2Info("data", PieceLength, tree)));

        Assert.True(meta.HasPieceLayers);
        Assert.Equal(2, meta.PieceCount);
    }

    [Fact]
    public void A_piece_layer_of_the_wrong_length_is_rejected_at_its_offset()
    {
        var (tree, layers) = FileTree(PieceLength, SampleFiles);
        var root = PiecesRoot(SampleFiles[0].Data);
        var layer = PieceLayer(SampleFiles[0].Data, PieceLength);
        layers[root] = layer[..64];
        var torrent = Torrent(V2Info("data", PieceLength, tree), new BencodeDictionary { ["piece layers"] = layers });

        var e = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(torrent));

        Assert.Contains("the piece layer for 'a.bin' is 64 bytes; its 3 pieces need 96", e.Reason);
        Assert.Equal(torrent.AsSpan().IndexOf([.. Encoding.ASCII.GetBytes("64:"), .. layer[..64]]), e.Offset);
    }

    [Fact]
    public void A_piece_layer_that_does_not_hash_to_the_root_is_rejected()
    {
        var (tree, layers) = FileTree(PieceLength, SampleFiles);
        var root = PiecesRoot(SampleFiles[3].Data);
        var layer = PieceLayer(SampleFiles[3].Data, PieceLength);
        layer[40] ^= 1;
        layers[root] = layer;

        var e = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(V2Info("data", PieceLength, tree), new BencodeDictionary { ["piece layers"] = layers })));

        Assert.Contains($"the piece layer for 'sub{Sep}c' does not hash to the file's pieces root", e.Reason);
    }

    [Fact]
    public void A_missing_piece_layer_for_one_file_is_rejected()
    {
        var (tree, layers) = FileTree(PieceLength, SampleFiles);
        var pruned = new BencodeDictionary();
        foreach (var (key, value) in layers)
        {
            if (!key.AsSpan().SequenceEqual(PiecesRoot(SampleFiles[3].Data)))
                pruned[key] = value;
        }

        var e = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(V2Info("data", PieceLength, tree), new BencodeDictionary { ["piece layers"] = pruned })));

        Assert.Contains($"no layer for 'sub{Sep}c'", e.Reason);
    }

    [Fact]
    public void Piece_layers_that_are_not_a_dictionary_or_hold_a_non_string_are_rejected()
    {
        var (tree, layers) = FileTree(PieceLength, SampleFiles);
        var e1 = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(V2Info("data", PieceLength, tree), new BencodeDictionary { ["piece layers"] = List() })));
        Assert.Contains("'piece layers' is a list, not a dictionary", e1.Reason);

        layers[PiecesRoot(SampleFiles[0].Data)] = 5;
        var e2 = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(V2Info("data", PieceLength, tree), new BencodeDictionary { ["piece layers"] = layers })));
        Assert.Contains("the piece layer for 'a.bin' is an integer, not a byte string", e2.Reason);
    }

    [Fact]
    public void Unknown_piece_layers_are_ignored_and_identical_files_share_one()
    {
        var same = Content(40_000, 11);
        var (tree, layers) = FileTree(PieceLength, new TestFile(["one.bin"], same), new TestFile(["two.bin"], same));
        layers[new byte[32].Select((_, i) => (byte)(i + 1)).ToArray()] = new byte[64];
        layers["short key"] = new byte[32];

        var meta = TorrentMetainfo.Parse(Torrent(V2Info("data", PieceLength, tree), new BencodeDictionary { ["piece layers"] = layers }));

        Assert.Equal(meta.Files[0].PiecesRoot.ToArray(), meta.Files[1].PiecesRoot.ToArray());
        Assert.Equal(PieceLayer(same, PieceLength), meta.GetPieceLayer(meta.Files[1].PiecesRoot.Span).ToArray());
        Assert.Equal(1, meta.PieceLayers.Count);
    }

    [Fact]
    public void The_engine_merkle_root_of_a_layer_matches_a_tree_built_from_the_leaves()
    {
        // Layer widths that are and are not powers of two, at several piece sizes.
        foreach (var pieceLength in new[] { 16 * 1024, 32 * 1024, 64 * 1024 })
        {
            foreach (var length in new[] { pieceLength + 1, 2 * pieceLength, 3 * pieceLength - 5, 5 * pieceLength + 100 })
            {
                var data = Content(length, length);
                var root = new byte[32];
                PieceLayers.ComputeRoot(PieceLayer(data, pieceLength), pieceLength, root);
                Assert.Equal(PiecesRoot(data), root);
            }
        }
    }

    [Theory]
    [InlineData(16 * 1024 + 1)]
    [InlineData(8 * 1024)]
    [InlineData(3 * 16 * 1024)]
    public void V2_piece_length_must_be_a_power_of_two_of_at_least_16_KiB(int pieceLength)
    {
        var (tree, _) = FileTree(16 * 1024, new TestFile("a", 10, 1));
        var torrent = Torrent(V2Info("d", pieceLength, tree));

        var e = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(torrent));

        Assert.Contains("power of two of at least 16,384", e.Reason);
        Assert.Equal(OffsetOf(torrent, "12:piece lengthi") + "12:piece length".Length, e.Offset);
    }

    [Fact]
    public void Meta_version_must_be_known_and_match_the_file_tree()
    {
        var (tree, _) = FileTree(PieceLength, new TestFile("a", 10, 1));
        var v3 = V2Info("d", PieceLength, tree);
        v3["meta version"] = 3;
        Assert.Contains("only versions 1 and 2 are known", Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(v3))).Reason);

        var text = V2Info("d", PieceLength, tree);
        text["meta version"] = "2";
        Assert.Contains("'meta version' is a byte string, not an integer", Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(text))).Reason);

        var noTree = new BencodeDictionary { ["name"] = "d", ["meta version"] = 2, ["piece length"] = PieceLength };
        Assert.Contains("there is no 'file tree'", Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(noTree))).Reason);

        var noVersion = SingleFileInfo("d", Content(10, 1), PieceLength);
        noVersion["file tree"] = tree;
        Assert.Contains("'meta version' is not 2", Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(Torrent(noVersion))).Reason);
    }

    [Fact]
    public void Malformed_file_trees_are_rejected_with_the_offending_offset()
    {
        var leaf = new BencodeDictionary { [""] = new BencodeDictionary { ["length"] = 10, ["pieces root"] = PiecesRoot(Content(10, 1)) } };

        AssertTreeError(new BencodeDictionary { ["a"] = 5 }, "the 'file tree' entry 'a' is an integer, not a dictionary", "1:ai5e", 3);
        AssertTreeError(new BencodeDictionary { [""] = leaf }, "an entry with an empty name", "0:d0:", 0);
        AssertTreeError(new BencodeDictionary(), "the 'file tree' holds no files", "9:file treede", 11);
        AssertTreeError(new BencodeDictionary { ["d"] = new BencodeDictionary { ["e"] = new BencodeDictionary() } }, "the 'file tree' holds no files", "9:file treed", 11);

        var mixed = new BencodeDictionary { [""] = leaf[""], ["x"] = leaf };
        AssertTreeError(new BencodeDictionary { ["a"] = mixed }, "'a' is both a file and a directory", "1:ad0:", 3);

        AssertTreeError(new BencodeDictionary { ["a"] = new BencodeDictionary { [""] = 7 } }, "the file 'a' in the 'file tree' is described by an integer", "0:i7e", 2);
        AssertTreeError(new BencodeDictionary { ["a"] = new BencodeDictionary { [""] = new BencodeDictionary { ["pieces root"] = new byte[32] } } }, "the file 'a' in the 'file tree' has no 'length'", "0:d11:", 2);
        AssertTreeError(Leaf("a", new BencodeDictionary { ["length"] = -1 }), "the 'length' of 'a' is -1; a length cannot be negative", "i-1e", 0);
        AssertTreeError(Leaf("a", new BencodeDictionary { ["length"] = 10 }), "the file 'a' in the 'file tree' has no 'pieces root'", "0:d6:", 2);
        AssertTreeError(Leaf("a", new BencodeDictionary { ["length"] = 10, ["pieces root"] = new byte[31] }), "the 'pieces root' of 'a' is not a 32-byte string", "31:", 0);
        AssertTreeError(Leaf("a", new BencodeDictionary { ["length"] = 10, ["pieces root"] = new byte[32] }), "the 'pieces root' of 'a' is all zeros", "32:", 0);
        AssertTreeError(Leaf("a", new BencodeDictionary { ["length"] = 10, ["attr"] = "p", ["pieces root"] = PiecesRoot(Content(10, 1)) }), "is marked as padding", "1:p", 0);

        static BencodeDictionary Leaf(string name, BencodeDictionary fields) => new() { [name] = new BencodeDictionary { [""] = fields } };
    }

    [Fact]
    public void An_empty_file_needs_no_pieces_root()
    {
        var tree = new BencodeDictionary
        {
            ["a"] = new BencodeDictionary { [""] = new BencodeDictionary { ["length"] = 0 } },
            ["b"] = new BencodeDictionary { [""] = new BencodeDictionary { ["length"] = 10, ["pieces root"] = PiecesRoot(Content(10, 1)) } },
        };

        var meta = TorrentMetainfo.Parse(Torrent(V2Info("d", PieceLength, tree)));

        Assert.Equal([0L, 10], meta.Files.Select(f => f.Length));
        Assert.True(meta.Files[0].PiecesRoot.IsEmpty);
    }

    [Fact]
    public void A_deep_file_tree_is_walked_without_recursion_in_key_order()
    {
        // 90 nested directories (the bencode reader allows 100 levels in all), then files at several depths.
        var files = new List<TestFile>();
        var dirs = Enumerable.Range(0, 90).Select(i => $"d{i:00}").ToArray();
        files.Add(new TestFile([.. dirs, "deep.bin"], Content(10, 1)));
        files.Add(new TestFile([.. dirs[..45], "mid.bin"], Content(20, 2)));
        files.Add(new TestFile(["top.bin"], Content(30, 3)));
        var (tree, _) = FileTree(PieceLength, [.. files]);

        var meta = TorrentMetainfo.Parse(Torrent(V2Info("deep", PieceLength, tree)));

        // Keys are sorted in the tree: "d00" < "top.bin"; inside d44, "d45" < "mid.bin".
        Assert.Equal(["deep.bin", "mid.bin", "top.bin"], meta.Files.Select(f => f.PathComponents[^1]));
        Assert.Equal(91, meta.Files[0].PathComponents.Count);
        Assert.Equal(46, meta.Files[1].PathComponents.Count);
    }

    [Fact]
    public void Info_dictionary_from_ut_metadata_has_no_piece_layers_but_takes_trackers_and_seeds()
    {
        var (tree, _) = FileTree(PieceLength, SampleFiles);
        var info = V2Info("data", PieceLength, tree).Encode();

        var meta = TorrentMetainfo.ParseInfoDictionary(
            info,
            [["http://a/announce", " ", "http://b/announce"], [], ["http://a/announce", " http://c/announce "]],
            ["http://seed/", "", "http://seed/"]);

        Assert.Equal(TorrentVersion.V2, meta.Version);
        Assert.False(meta.HasPieceLayers);
        Assert.Equal(SHA256.HashData(info), meta.InfoHashV2!.Value.Span.ToArray());
        Assert.Equal(info, meta.InfoDictionary.ToArray());
        Assert.Equal(2, meta.Trackers.Count);
        Assert.Equal(["http://a/announce", "http://b/announce"], meta.Trackers[0]);
        Assert.Equal(["http://c/announce"], meta.Trackers[1]);
        Assert.Equal(["http://seed/"], meta.WebSeeds);
    }

    [Fact]
    public void Info_dictionary_of_a_v1_torrent_parses_alone()
    {
        var info = MultiFileInfo("folder", PieceLength, new TestFile("a", 100, 1)).Encode();

        var meta = TorrentMetainfo.ParseInfoDictionary(info);

        Assert.Equal(SHA1.HashData(info), meta.InfoHashV1!.Value.Span.ToArray());
        Assert.Empty(meta.Trackers);
        Assert.Empty(meta.WebSeeds);
        Assert.False(meta.HasPieceLayers);
    }

    [Fact]
    public void Info_dictionary_errors_give_offsets_into_the_info_dictionary()
    {
        var info = SingleFileInfo("x", Content(10, 1), PieceLength);
        info["length"] = -4;
        var bytes = info.Encode();

        var e = Assert.Throws<MetainfoException>(() => TorrentMetainfo.ParseInfoDictionary(bytes));

        Assert.Equal(OffsetOf(bytes, "i-4e"), e.Offset);
        Assert.Throws<BencodeException>(() => TorrentMetainfo.ParseInfoDictionary(bytes.AsMemory(0, bytes.Length - 1)));
        Assert.Contains("not a dictionary", Assert.Throws<MetainfoException>(() => TorrentMetainfo.ParseInfoDictionary("le"u8.ToArray())).Reason);
    }

    private static void AssertTreeError(BencodeDictionary tree, string reason, string at, int delta)
    {
        var torrent = Torrent(V2Info("d", PieceLength, tree));
        var e = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(torrent));
        Assert.Contains(reason, e.Reason);
        var infoStart = InfoStart(torrent);
        var searchFrom = torrent.AsSpan(infoStart).IndexOf("9:file tree"u8) + infoStart;
        var expected = torrent.AsSpan(searchFrom).IndexOf(Encoding.ASCII.GetBytes(at)) + searchFrom + delta;
        Assert.Equal(expected, e.Offset);
    }
}
