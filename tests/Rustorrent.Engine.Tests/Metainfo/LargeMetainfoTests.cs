using System.Diagnostics;
using Rustorrent.Bencode;
using Rustorrent.Metainfo;
using static Rustorrent.Engine.Tests.Metainfo.MetainfoTestData;

namespace Rustorrent.Engine.Tests.Metainfo;

/// <summary>Big torrents parse in time and memory proportional to their metadata: nothing quadratic.</summary>
public class LargeMetainfoTests
{
    private const int FileCount = 20_000;

    private static byte[] ManyFilesV1(Func<int, BencodeList> path, int fileCount = FileCount)
    {
        var files = new BencodeList();
        for (var i = 0; i < fileCount; i++)
            files.Add(new BencodeDictionary { ["length"] = 1000 + i % 7, ["path"] = path(i) });
        var total = Enumerable.Range(0, fileCount).Sum(i => 1000L + i % 7);
        var info = new BencodeDictionary
        {
            ["name"] = "big",
            ["files"] = files,
            ["piece length"] = 262144,
            ["pieces"] = new byte[20 * (int)((total + 262143) / 262144)],
        };
        return Torrent(info, new BencodeDictionary { ["announce"] = "http://t/announce" });
    }

    private static (TorrentMetainfo Meta, TimeSpan Elapsed, long Allocated) Measure(byte[] torrent)
    {
        TorrentMetainfo.Parse(torrent); // warm up the JIT
        var before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        var meta = TorrentMetainfo.Parse(torrent);
        watch.Stop();
        return (meta, watch.Elapsed, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Twenty_thousand_files_in_folders_parse_fast_with_bounded_allocations()
    {
        var torrent = ManyFilesV1(i => Path($"disc {i / 1000}", $"track {i:00000}.flac"));

        var (meta, elapsed, allocated) = Measure(torrent);

        Assert.Equal(FileCount, meta.Files.Count);
        Assert.Equal($"disc 19{System.IO.Path.DirectorySeparatorChar}track 19999.flac", meta.Files[^1].Path);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"parsing took {elapsed}");
        // The bencode token table, a TorrentFile with its strings per file and the hashed info copy: a bounded
        // multiple of the input (about 22x today, half of it the token table).
        Assert.True(allocated < 32L * torrent.Length, $"allocated {allocated:N0} bytes for a {torrent.Length:N0}-byte torrent");

        // Linear: twice the files cost about twice the memory, not four times.
        var (_, _, half) = Measure(ManyFilesV1(i => Path($"disc {i / 1000}", $"track {i:00000}.flac"), FileCount / 2));
        Assert.InRange((double)allocated / half, 1.6, 2.4);
    }

    [Fact]
    public void Twenty_thousand_files_of_the_same_name_are_renamed_in_linear_time()
    {
        var torrent = ManyFilesV1(_ => Path("same.txt"));

        var (meta, elapsed, _) = Measure(torrent);

        Assert.Equal("same (19999).txt", meta.Files[^1].Path);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"parsing took {elapsed}");
    }

    [Fact]
    public void Twenty_thousand_hostile_names_parse_fast()
    {
        var torrent = ManyFilesV1(i => Path("..", $"CON{i % 3}", $"a\u202e{i}\u200b.txt", "nul"));

        var (meta, elapsed, _) = Measure(torrent);

        Assert.Equal(FileCount, meta.Files.Select(f => f.Path.ToUpperInvariant()).Distinct().Count());
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"parsing took {elapsed}");
    }

    [Fact]
    public void Twenty_thousand_files_in_a_v2_tree_with_piece_layers_parse_fast()
    {
        // Files of two pieces each, so that every file has a piece layer to look up and check.
        const int pieceLength = 16384;
        var tree = new BencodeDictionary();
        var layers = new BencodeDictionary();
        var data = Content(2 * pieceLength, 1);
        for (var i = 0; i < FileCount; i++)
        {
            // Distinct content per file keeps the layers distinct: vary the first bytes.
            data[0] = (byte)i;
            data[1] = (byte)(i >> 8);
            var root = PiecesRoot(data);
            var directory = new BencodeDictionary();
            if (!tree.TryGetValue($"dir{i % 100}", out var existing))
                tree[$"dir{i % 100}"] = directory;
            else
                directory = (BencodeDictionary)existing;
            directory[$"f{i}"] = new BencodeDictionary { [""] = new BencodeDictionary { ["length"] = data.Length, ["pieces root"] = root } };
            layers[root] = PieceLayer(data, pieceLength);
        }
        var torrent = Torrent(V2Info("v2big", pieceLength, tree), new BencodeDictionary { ["piece layers"] = layers });

        var (meta, elapsed, allocated) = Measure(torrent);

        Assert.Equal(FileCount, meta.Files.Count);
        Assert.True(meta.HasPieceLayers);
        Assert.Equal(2 * FileCount, meta.PieceCount);
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"parsing took {elapsed}");
        Assert.True(allocated < 32L * torrent.Length, $"allocated {allocated:N0} bytes for a {torrent.Length:N0}-byte torrent");
    }
}
