using Rustorrent.Bencode;
using Rustorrent.Metainfo;
using Rustorrent.Storage;
using Rustorrent.Engine.Tests.Metainfo;
using Rustorrent.TestKit;
using static Rustorrent.Engine.Tests.Metainfo.MetainfoTestData;

namespace Rustorrent.Engine.Tests.Storage;

/// <summary>A torrent's file names can never make the storage write outside the destination folder.</summary>
public sealed class StoragePathSafetyTests : IDisposable
{
    private readonly TempDirectory temp = new("storage-paths");

    public void Dispose() => temp.Dispose();

    /// <summary>A v1 torrent named <paramref name="name"/> whose files have the given raw paths, and its payload.</summary>
    private static (TorrentMetainfo Metainfo, byte[] Payload) Hostile(string name, params string[][] paths)
    {
        var files = paths.Select((p, i) => new TestFile(p, Content(1000 + 333 * i, i))).ToArray();
        var list = new BencodeList();
        foreach (var file in files)
            list.Add(new BencodeDictionary { ["length"] = file.Data.Length, ["path"] = Path(file.Path) });
        var payload = files.SelectMany(f => f.Data).ToArray();
        var info = new BencodeDictionary
        {
            ["name"] = name,
            ["files"] = list,
            ["piece length"] = 1024,
            ["pieces"] = Sha1Pieces(payload, 1024),
        };
        return (TorrentMetainfo.Parse(Torrent(info)), payload);
    }

    private static async Task WriteAllAsync(TorrentStorage storage, byte[] payload)
    {
        for (var piece = 0; piece < storage.Map.PieceCount; piece++)
        {
            var size = storage.Map.GetPieceSize(piece);
            Assert.True(PieceVerifier.Verify(storage.Metainfo, piece, payload.AsSpan(piece * 1024, size)));
            await storage.WritePieceAsync(piece, payload.AsMemory(piece * 1024, size));
        }
    }

    [Fact]
    public async Task Traversing_and_absolute_names_are_written_inside_the_destination()
    {
        var (meta, payload) = Hostile("../../escape",
            ["..", "..", "..", "etc", "passwd"],
            ["/", "abs", "file"],
            ["C:\\windows", "x"],
            ["ok", "..", "..", "up"]);
        var outside = temp.CreateSubdirectory("area");
        var destination = Directory.CreateDirectory(System.IO.Path.Combine(outside, "a", "b", "download")).FullName;

        await using (var storage = TorrentStorage.Open(meta, destination))
            await WriteAllAsync(storage, payload);

        // Everything is under destination/<sanitised name>; nothing appeared anywhere else in the area.
        Assert.Equal([".._.._escape/C__windows/x", ".._.._escape/_/abs/file", ".._.._escape/etc/passwd", ".._.._escape/ok/up"], StorageTestData.FilesUnder(destination));
        Assert.All(
            Directory.EnumerateFileSystemEntries(outside, "*", SearchOption.AllDirectories).Select(e => System.IO.Path.GetRelativePath(outside, e).Replace('\\', '/')),
            entry => Assert.True(entry is "a" or "a/b" or "a/b/download" || entry.StartsWith("a/b/download/", StringComparison.Ordinal), entry));
        Assert.Equal(payload.Length, StorageTestData.FilesUnder(destination).Sum(f => new FileInfo(System.IO.Path.Combine(destination, f)).Length));
    }

    [Fact]
    public async Task A_planted_folder_link_pointing_outside_is_refused_and_nothing_is_written_there()
    {
        var (meta, _) = Hostile("victim", ["inside", "data.bin"]);
        var outside = temp.CreateSubdirectory("outside");
        var destination = temp.CreateSubdirectory("download");
        Directory.CreateSymbolicLink(System.IO.Path.Combine(destination, "victim"), outside);

        var e = Assert.Throws<StorageException>(() => TorrentStorage.Open(meta, destination));

        Assert.Equal(StorageErrorKind.UnsafePath, e.Kind);
        Assert.Contains("a symbolic link on the way leads to", e.Message);
        Assert.Contains(outside, e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_planted_file_link_pointing_outside_is_refused_and_its_target_untouched()
    {
        var (meta, _) = Hostile("victim", ["data.bin"], ["other.bin"]);
        var outsideFile = temp.Combine("precious.txt");
        File.WriteAllText(outsideFile, "keep me");
        var destination = temp.CreateSubdirectory("download");
        Directory.CreateDirectory(System.IO.Path.Combine(destination, "victim"));
        File.CreateSymbolicLink(System.IO.Path.Combine(destination, "victim", "other.bin"), outsideFile);

        var e = Assert.Throws<StorageException>(() => TorrentStorage.Open(meta, destination));

        Assert.Equal(StorageErrorKind.UnsafePath, e.Kind);
        Assert.EndsWith("other.bin", e.Path);
        Assert.Equal("keep me", File.ReadAllText(outsideFile));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_link_planted_after_opening_is_refused_at_the_first_write()
    {
        var (meta, payload) = Hostile("late", ["sub", "a.bin"], ["sub", "b.bin"]);
        var outside = temp.CreateSubdirectory("outside");
        var destination = temp.CreateSubdirectory("download");
        await using var storage = TorrentStorage.Open(meta, destination);
        Directory.CreateDirectory(System.IO.Path.Combine(destination, "late"));
        Directory.CreateSymbolicLink(System.IO.Path.Combine(destination, "late", "sub"), outside);

        var e = await Assert.ThrowsAsync<StorageException>(async () => await WriteAllAsync(storage, payload));

        Assert.Equal(StorageErrorKind.UnsafePath, e.Kind);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
    }

    [Fact]
    public async Task Links_that_stay_inside_the_destination_are_followed()
    {
        var (meta, payload) = Hostile("linked", ["f.bin"]);
        var destination = temp.CreateSubdirectory("download");
        var real = Directory.CreateDirectory(System.IO.Path.Combine(destination, "real-place")).FullName;
        Directory.CreateSymbolicLink(System.IO.Path.Combine(destination, "linked"), "real-place"); // relative target

        await using (var storage = TorrentStorage.Open(meta, destination))
            await WriteAllAsync(storage, payload);

        Assert.Equal(payload, File.ReadAllBytes(System.IO.Path.Combine(real, "f.bin")));
    }

    [Fact]
    public void A_link_loop_is_refused_without_hanging()
    {
        var (meta, _) = Hostile("loop", ["f.bin"]);
        var destination = temp.CreateSubdirectory("download");
        Directory.CreateSymbolicLink(System.IO.Path.Combine(destination, "loop"), System.IO.Path.Combine(destination, "loop2"));
        Directory.CreateSymbolicLink(System.IO.Path.Combine(destination, "loop2"), System.IO.Path.Combine(destination, "loop"));

        var e = Assert.Throws<StorageException>(() => TorrentStorage.Open(meta, destination));

        Assert.Equal(StorageErrorKind.UnsafePath, e.Kind);
        Assert.Contains("more than 40 symbolic links", e.Message);
    }

    [Fact]
    public void Inside_means_strictly_below_the_folder_with_a_separator()
    {
        var sep = System.IO.Path.DirectorySeparatorChar;
        var folder = $"{sep}data{sep}dl";

        Assert.True(DestinationGuard.IsInside($"{folder}{sep}x", folder));
        Assert.True(DestinationGuard.IsInside($"{folder}{sep}x", folder + sep));
        Assert.False(DestinationGuard.IsInside(folder, folder));
        Assert.False(DestinationGuard.IsInside($"{folder}-evil{sep}x", folder));
        Assert.False(DestinationGuard.IsInside($"{sep}data{sep}x", folder));
    }
}
