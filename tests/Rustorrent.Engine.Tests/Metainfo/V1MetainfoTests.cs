using System.Security.Cryptography;
using System.Text;
using Rustorrent.Bencode;
using Rustorrent.Metainfo;
using static Rustorrent.Engine.Tests.Metainfo.MetainfoTestData;

namespace Rustorrent.Engine.Tests.Metainfo;

public class V1MetainfoTests
{
    private static readonly char Sep = System.IO.Path.DirectorySeparatorChar;

    [Fact]
    public void Single_file_torrent_gives_name_layout_and_hashes()
    {
        var data = Content(70_000, 1);
        var info = SingleFileInfo("movie.mkv", data, 32 * 1024);
        var torrent = Torrent(info);

        var meta = TorrentMetainfo.Parse(torrent);

        Assert.Equal(TorrentVersion.V1, meta.Version);
        Assert.Equal("movie.mkv", meta.Name);
        Assert.Null(meta.OriginalName);
        Assert.False(meta.IsMultiFile);
        Assert.Equal(32 * 1024, meta.PieceLength);
        Assert.Equal(3, meta.PieceCount);
        Assert.Equal(70_000, meta.TotalSize);
        Assert.Equal(70_000, meta.PayloadSize);
        var file = Assert.Single(meta.Files);
        Assert.Same(file, Assert.Single(meta.AllFiles));
        Assert.Equal("movie.mkv", file.Path);
        Assert.Equal(["movie.mkv"], file.PathComponents);
        Assert.Null(file.OriginalPath);
        Assert.Equal(70_000, file.Length);
        Assert.Equal(0, file.Offset);
        Assert.Equal(0, file.FirstPiece);
        Assert.Equal(2, file.LastPiece);
        Assert.Equal(0, file.Index);
        Assert.False(file.IsPadding);
        Assert.Equal("", file.Attributes);
        Assert.True(file.PiecesRoot.IsEmpty);

        // The info hash is SHA-1 of the info dictionary's bytes, found by hand in the file.
        var infoBytes = info.Encode();
        Assert.Equal(infoBytes, torrent.AsSpan(InfoStart(torrent), infoBytes.Length).ToArray());
        Assert.Equal(SHA1.HashData(infoBytes), meta.InfoHashV1!.Value.Span.ToArray());
        Assert.Null(meta.InfoHashV2);
        Assert.Equal(meta.InfoHashV1.Value, meta.PrimaryInfoHash);
        Assert.Equal(infoBytes, meta.InfoDictionary.ToArray());
        Assert.False(meta.HasPieceLayers);

        // Each piece hash is the SHA-1 of that piece's data, the last piece being short.
        Assert.Equal(SHA1.HashData(data.AsSpan(0, 32 * 1024)), meta.GetPieceHash(0).ToArray());
        Assert.Equal(SHA1.HashData(data.AsSpan(32 * 1024, 32 * 1024)), meta.GetPieceHash(1).ToArray());
        Assert.Equal(SHA1.HashData(data.AsSpan(64 * 1024)), meta.GetPieceHash(2).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => meta.GetPieceHash(3).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => meta.GetPieceHash(-1).ToArray());
    }

    [Fact]
    public void Multi_file_torrent_lays_files_end_to_end()
    {
        var files = new[]
        {
            new TestFile("a.txt", 10, 1),
            new TestFile("dir/b.bin", 40_000, 2),
            new TestFile("empty", 0, 3),
            new TestFile("dir/sub/d.dat", 5_000, 4),
        };
        var meta = TorrentMetainfo.Parse(Torrent(MultiFileInfo("Album", 16 * 1024, files)));

        Assert.True(meta.IsMultiFile);
        Assert.Equal("Album", meta.Name);
        Assert.Equal(45_010, meta.TotalSize);
        Assert.Equal(3, meta.PieceCount); // 45,010 bytes in 16 KiB pieces
        Assert.Equal(4, meta.Files.Count);
        Assert.Equal(meta.Files, meta.AllFiles);

        Assert.Equal("a.txt", meta.Files[0].Path);
        Assert.Equal((0L, 0, 0), (meta.Files[0].Offset, meta.Files[0].FirstPiece, meta.Files[0].LastPiece));

        Assert.Equal($"dir{Sep}b.bin", meta.Files[1].Path);
        Assert.Equal(["dir", "b.bin"], meta.Files[1].PathComponents);
        Assert.Equal((10L, 0, 2), (meta.Files[1].Offset, meta.Files[1].FirstPiece, meta.Files[1].LastPiece));

        // An empty file sits between its neighbours but holds no piece.
        Assert.Equal((40_010L, -1, -1), (meta.Files[2].Offset, meta.Files[2].FirstPiece, meta.Files[2].LastPiece));

        Assert.Equal($"dir{Sep}sub{Sep}d.dat", meta.Files[3].Path);
        Assert.Equal((40_010L, 2, 2), (meta.Files[3].Offset, meta.Files[3].FirstPiece, meta.Files[3].LastPiece));
        Assert.Equal([0, 1, 2, 3], meta.Files.Select(f => f.Index));
        Assert.All(meta.Files, f => Assert.Null(f.OriginalPath));
    }

    [Fact]
    public void Info_hash_is_taken_over_the_raw_bytes_so_unsorted_and_unknown_keys_keep_it()
    {
        // Hand-written: unsorted keys inside and outside info, and keys nobody knows. Re-encoding this
        // canonically would sort the keys and change the hash; the right hash is over the bytes as they are.
        var pieces = Sha1Pieces(Encoding.ASCII.GetBytes("hello"), 16384);
        var info = Concat("d4:name5:a.txt6:lengthi5e13:x-unknown-keyli1ei2ee12:piece lengthi16384e6:pieces20:", pieces, "e");
        var torrent = Concat("d8:zzz-lastd1:ai1ee4:info", info, "8:announce19:http://t.example/ane");

        var meta = TorrentMetainfo.Parse(torrent);

        Assert.Equal(SHA1.HashData(info), meta.InfoHashV1!.Value.Span.ToArray());
        var canonical = BencodeDocument.Parse(info).Root.ToValue().Encode();
        Assert.NotEqual(info, canonical);
        Assert.NotEqual(SHA1.HashData(canonical), meta.InfoHashV1.Value.Span.ToArray());
        Assert.Equal(info, meta.InfoDictionary.ToArray());
        Assert.Equal("a.txt", meta.Name);
        Assert.Equal(5, meta.TotalSize);
        Assert.Equal("http://t.example/an", Assert.Single(Assert.Single(meta.Trackers)));
    }

    [Fact]
    public void The_info_dictionary_is_copied_so_a_reused_buffer_changes_nothing()
    {
        var data = Content(20_000, 5);
        var torrent = Torrent(SingleFileInfo("x.bin", data, 16384));
        var meta = TorrentMetainfo.Parse(torrent);
        var hash = meta.InfoHashV1!.Value;
        var piece0 = meta.GetPieceHash(0).ToArray();

        Array.Clear(torrent);

        Assert.Equal(piece0, meta.GetPieceHash(0).ToArray());
        Assert.Equal(SHA1.HashData(data.AsSpan(0, 16384)), meta.GetPieceHash(0).ToArray());
        Assert.Equal(hash.Span.ToArray(), SHA1.HashData(meta.InfoDictionary.Span));
    }

    [Fact]
    public void Utf8_variants_of_name_and_path_are_preferred()
    {
        var info = MultiFileInfo("legacy-name", 16384, new TestFile("legacy/path.txt", 100, 1));
        info["name.utf-8"] = "Café";
        var file = (BencodeDictionary)((BencodeList)info["files"])[0];
        file["path.utf-8"] = Path("dossier", "résumé.txt");

        var meta = TorrentMetainfo.Parse(Torrent(info));

        Assert.Equal("Café", meta.Name);
        Assert.Equal(["dossier", "résumé.txt"], meta.Files[0].PathComponents);
    }

    [Fact]
    public void A_malformed_path_utf8_falls_back_to_path()
    {
        var info = MultiFileInfo("n", 16384, new TestFile("good.txt", 100, 1));
        ((BencodeDictionary)((BencodeList)info["files"])[0])["path.utf-8"] = 5;

        var meta = TorrentMetainfo.Parse(Torrent(info));

        Assert.Equal("good.txt", meta.Files[0].Path);
    }

    [Fact]
    public void Files_wins_over_length_as_in_libtorrent()
    {
        var info = MultiFileInfo("folder", 16384, new TestFile("one.txt", 100, 1), new TestFile("two.txt", 50, 2));
        info["length"] = 999;

        var meta = TorrentMetainfo.Parse(Torrent(info));

        Assert.True(meta.IsMultiFile);
        Assert.Equal(150, meta.TotalSize);
        Assert.Equal(2, meta.Files.Count);
    }

    [Fact]
    public void Padding_files_are_hidden_from_Files_but_keep_their_place_in_AllFiles()
    {
        // BEP 47 "attr" p, a libtorrent-style ".pad/<n>" name without attr, and a BitComet padding name.
        var a = Content(10_000, 1);
        var b = Content(16_384, 2);
        var c = Content(100, 3);
        var d = Content(7, 4);
        var files = List(
            new BencodeDictionary { ["length"] = a.Length, ["path"] = Path("a") },
            new BencodeDictionary { ["length"] = 6_384, ["path"] = Path("whatever"), ["attr"] = "p" },
            new BencodeDictionary { ["length"] = b.Length, ["path"] = Path("b") },
            new BencodeDictionary { ["length"] = c.Length, ["path"] = Path("c") },
            new BencodeDictionary { ["length"] = 16_284, ["path"] = Path(".pad", "16284") },
            new BencodeDictionary { ["length"] = d.Length, ["path"] = Path("d") },
            new BencodeDictionary { ["length"] = 16_377, ["path"] = Path("_____padding_file_0_if you see this file, please update to BitComet 0.85 or above____") });
        byte[] payload = [.. a, .. new byte[6_384], .. b, .. c, .. new byte[16_284], .. d, .. new byte[16_377]];
        var info = new BencodeDictionary { ["name"] = "p", ["files"] = files, ["piece length"] = 16384, ["pieces"] = Sha1Pieces(payload, 16384) };

        var meta = TorrentMetainfo.Parse(Torrent(info));

        Assert.Equal(["a", "b", "c", "d"], meta.Files.Select(f => f.Path));
        Assert.Equal(a.Length + b.Length + c.Length + d.Length, meta.TotalSize);
        Assert.Equal(payload.Length, meta.PayloadSize);
        Assert.Equal(7, meta.AllFiles.Count);
        Assert.Equal([false, true, false, false, true, false, true], meta.AllFiles.Select(f => f.IsPadding));
        Assert.Equal([0L, 10_000, 16_384, 32_768, 32_868, 49_152, 49_159], meta.AllFiles.Select(f => f.Offset));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], meta.AllFiles.Select(f => f.Index));
        Assert.Equal([0, 2, 3, 5], meta.Files.Select(f => f.Index));
        Assert.Equal("p", meta.AllFiles[1].Attributes);
        // Files after padding start on piece boundaries.
        Assert.Equal((1, 1), (meta.Files[1].FirstPiece, meta.Files[1].LastPiece));
        Assert.Equal((2, 2), (meta.Files[2].FirstPiece, meta.Files[2].LastPiece));
        Assert.Equal((3, 3), (meta.Files[3].FirstPiece, meta.Files[3].LastPiece));
        Assert.Equal(4, meta.PieceCount);
    }

    [Fact]
    public void A_padding_file_without_a_path_is_accepted()
    {
        var files = List(
            new BencodeDictionary { ["length"] = 100, ["path"] = Path("a") },
            new BencodeDictionary { ["length"] = 16_284, ["attr"] = "p" },
            new BencodeDictionary { ["length"] = 5, ["path"] = Path("b") });
        var info = new BencodeDictionary { ["name"] = "p", ["files"] = files, ["piece length"] = 16384, ["pieces"] = new byte[40] };

        var meta = TorrentMetainfo.Parse(Torrent(info));

        Assert.Equal(["a", "b"], meta.Files.Select(f => f.Path));
        Assert.Equal([".pad", "16284"], meta.AllFiles[1].PathComponents);
    }

    [Fact]
    public void Attributes_are_kept_as_letters_only()
    {
        var files = List(new BencodeDictionary { ["length"] = 100, ["path"] = Path("run.sh"), ["attr"] = "x\u0007h" });
        var info = new BencodeDictionary { ["name"] = "p", ["files"] = files, ["piece length"] = 16384, ["pieces"] = new byte[20] };

        var meta = TorrentMetainfo.Parse(Torrent(info));

        Assert.Equal("xh", meta.Files[0].Attributes);
        Assert.False(meta.Files[0].IsPadding);
    }

    [Fact]
    public void Private_flag_and_source_are_read_from_the_info_dictionary()
    {
        var info = SingleFileInfo("x", Content(10, 1), 16384);
        info["private"] = 1;
        info["source"] = "TRACKER-X";

        var meta = TorrentMetainfo.Parse(Torrent(info));

        Assert.True(meta.IsPrivate);
        Assert.Equal("TRACKER-X", meta.SourceTag);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(-1)]
    public void Private_is_only_the_integer_one(long value)
    {
        var info = SingleFileInfo("x", Content(10, 1), 16384);
        info["private"] = value;

        Assert.False(TorrentMetainfo.Parse(Torrent(info)).IsPrivate);
    }

    [Fact]
    public void Private_as_a_string_is_not_private_and_no_private_key_is_public()
    {
        var info = SingleFileInfo("x", Content(10, 1), 16384);
        Assert.False(TorrentMetainfo.Parse(Torrent(info)).IsPrivate);
        Assert.Null(TorrentMetainfo.Parse(Torrent(info)).SourceTag);
        info["private"] = "1";
        Assert.False(TorrentMetainfo.Parse(Torrent(info)).IsPrivate);
    }

    private static byte[] Concat(string head, byte[] middle, string tail) =>
        [.. Encoding.ASCII.GetBytes(head), .. middle, .. Encoding.ASCII.GetBytes(tail)];
}
