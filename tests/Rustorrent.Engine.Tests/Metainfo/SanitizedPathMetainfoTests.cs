using Rustorrent.Bencode;
using Rustorrent.Metainfo;
using static Rustorrent.Engine.Tests.Metainfo.MetainfoTestData;

namespace Rustorrent.Engine.Tests.Metainfo;

/// <summary>File names from a torrent can never take a download outside its folder.</summary>
public class SanitizedPathMetainfoTests
{
    private static readonly char Sep = System.IO.Path.DirectorySeparatorChar;

    private static TorrentMetainfo MultiFile(string name, params BencodeList[] paths)
    {
        var files = new BencodeList();
        foreach (var path in paths)
            files.Add(new BencodeDictionary { ["length"] = 10, ["path"] = path });
        var info = new BencodeDictionary
        {
            ["name"] = name,
            ["files"] = files,
            ["piece length"] = 16384,
            ["pieces"] = new byte[20 * ((10 * paths.Length + 16383) / 16384)],
        };
        return TorrentMetainfo.Parse(Torrent(info));
    }

    [Fact]
    public void Traversal_and_absolute_paths_are_neutralised_and_the_original_kept()
    {
        var meta = MultiFile(
            "safe",
            Path("..", "..", "etc", "passwd"),
            Path("", "abs", "file"),
            Path("/abs"),
            Path("C:\\x"),
            Path("a\\..\\b"),
            Path("ok", "fine.txt"));

        Assert.Equal(
            [$"etc{Sep}passwd", $"abs{Sep}file", "_abs", "C__x", "a_.._b", $"ok{Sep}fine.txt"],
            meta.Files.Select(f => f.Path));
        Assert.Equal(["../../etc/passwd", "/abs/file", "/abs", "C:\\x", "a\\..\\b", null], meta.Files.Select(f => f.OriginalPath));
    }

    [Fact]
    public void Reserved_names_and_control_characters_are_made_safe()
    {
        var meta = MultiFile("n", Path("CON"), Path("dir", "nul.txt"), Path("bell\u0007.txt"), Path("\u202egnp.exe"));

        Assert.Equal(["_CON", $"dir{Sep}_nul.txt", "bell_.txt", "gnp.exe"], meta.Files.Select(f => f.Path));
        Assert.Equal("dir/nul.txt", meta.Files[1].OriginalPath);
    }

    [Fact]
    public void Long_names_are_shortened()
    {
        var meta = MultiFile("n", Path(new string('a', 300) + ".mkv"));

        Assert.Equal(new string('a', 251) + ".mkv", meta.Files[0].Path);
        Assert.Equal(new string('a', 300) + ".mkv", meta.Files[0].OriginalPath);
    }

    [Fact]
    public void Duplicates_differing_only_in_case_get_distinct_names()
    {
        var meta = MultiFile("n", Path("a"), Path("A"), Path("Dir", "x.txt"), Path("dir", "X.txt"), Path("a:b"), Path("a_b"));

        Assert.Equal(["a", "A (1)", $"Dir{Sep}x.txt", $"dir{Sep}X (1).txt", "a_b", "a_b (1)"], meta.Files.Select(f => f.Path));
        Assert.Equal([null, "A", null, "dir/X.txt", "a:b", "a_b"], meta.Files.Select(f => f.OriginalPath));
    }

    [Fact]
    public void A_file_named_like_a_directory_is_renamed()
    {
        var meta = MultiFile("n", Path("data"), Path("data", "inner.bin"));

        Assert.Equal(["data (1)", $"data{Sep}inner.bin"], meta.Files.Select(f => f.Path));
    }

    [Fact]
    public void Paths_deeper_than_100_are_capped()
    {
        var components = Enumerable.Range(0, 150).Select(i => $"d{i}").Append("f.bin").ToArray();

        var meta = MultiFile("n", Path(components));

        Assert.Equal(100, meta.Files[0].PathComponents.Count);
        Assert.Equal("f.bin", meta.Files[0].PathComponents[^1]);
        Assert.Equal(string.Join('/', components), meta.Files[0].OriginalPath);
    }

    [Fact]
    public void The_torrent_name_is_sanitised_too()
    {
        var meta = MultiFile("../evil", Path("a"));
        Assert.Equal(".._evil", meta.Name);
        Assert.Equal("../evil", meta.OriginalName);

        var single = TorrentMetainfo.Parse(Torrent(SingleFileInfo("C:\\Windows\\evil.exe", Content(10, 1), 16384)));
        Assert.Equal("C__Windows_evil.exe", single.Name);
        Assert.Equal("C__Windows_evil.exe", single.Files[0].Path);
        Assert.Equal("C:\\Windows\\evil.exe", single.Files[0].OriginalPath);
        Assert.Equal("C:\\Windows\\evil.exe", single.OriginalName);
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    public void A_name_with_nothing_left_becomes_the_info_hash(string name)
    {
        var single = TorrentMetainfo.Parse(Torrent(SingleFileInfo(name, Content(10, 1), 16384)));

        Assert.Equal(single.InfoHashV1!.Value.ToHex(), single.Name);
        Assert.Equal(single.Name, single.Files[0].Path);
        Assert.Equal(name, single.OriginalName);

        var multi = MultiFile(name, Path("a"));
        Assert.Equal(multi.InfoHashV1!.Value.ToHex(), multi.Name);
    }

    [Fact]
    public void Invalid_utf8_in_paths_becomes_underscores()
    {
        var meta = MultiFile("n", List(new byte[] { 0x61, 0xff, 0x62 }, "ok"));

        Assert.Equal(["a_b", "ok"], meta.Files[0].PathComponents);
        Assert.Equal("a\ufffdb/ok", meta.Files[0].OriginalPath);
    }

    [Fact]
    public void V2_file_tree_names_are_sanitised_the_same_way()
    {
        var files = new[] { new TestFile(["..", "x"], Content(10, 1)), new TestFile(["CON"], Content(10, 2)), new TestFile(["con"], Content(10, 3)) };
        var (tree, _) = FileTree(16384, files);

        var meta = TorrentMetainfo.Parse(Torrent(V2Info("v2", 16384, tree)));

        // Tree keys are sorted bytes: "..", "CON", "con".
        Assert.Equal(["x", "_CON", "_con (1)"], meta.Files.Select(f => f.Path));
        Assert.Equal(["../x", "CON", "con"], meta.Files.Select(f => f.OriginalPath));
    }

    [Fact]
    public void Every_file_of_a_hostile_torrent_lands_inside_the_destination()
    {
        var hostile = new[]
        {
            Path("..", "..", "..", "etc", "cron.d", "x"),
            Path("/", "etc", "passwd"),
            Path("\\\\server\\share\\x"),
            Path("C:", "Windows", "System32", "x.dll"),
            Path("..\\..\\x"),
            Path(". .", "x"),
            Path("~", "x"),
            Path("\0", "x"),
            Path("a", "..", "..", "b"),
        };
        var meta = MultiFile("..", hostile);
        var destination = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rustorrent-dest");
        var root = System.IO.Path.GetFullPath(System.IO.Path.Combine(destination, meta.Name));
        Assert.StartsWith(destination + Sep, root);

        foreach (var file in meta.Files)
        {
            var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(root, file.Path));
            Assert.StartsWith(root + Sep, full);
        }
        Assert.Equal(meta.Files.Count, meta.Files.Select(f => f.Path.ToUpperInvariant()).Distinct().Count());
    }
}
