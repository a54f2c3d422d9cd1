using Rustorrent.Bencode;
using Rustorrent.Metainfo;
using Rustorrent.Storage;
using static Rustorrent.Engine.Tests.Metainfo.MetainfoTestData;

namespace Rustorrent.Engine.Tests.Storage;

/// <summary>Pieces mapped over files: spans across file boundaries, padding, empty files, pieces needed per file.</summary>
public class PieceMapTests
{
    /// <summary>A v1 multi-file torrent of the given files (length, padding?), piece hashes of zeros (the map never reads them).</summary>
    private static TorrentMetainfo Layout(int pieceLength, params (long Length, bool Padding)[] files)
    {
        var list = new BencodeList();
        long total = 0;
        for (var i = 0; i < files.Length; i++)
        {
            var (length, padding) = files[i];
            var entry = new BencodeDictionary { ["length"] = length, ["path"] = padding ? Path(".pad", i.ToString(System.Globalization.CultureInfo.InvariantCulture)) : Path($"f{i}") };
            if (padding)
                entry["attr"] = "p";
            list.Add(entry);
            total += length;
        }
        var info = new BencodeDictionary
        {
            ["name"] = "map",
            ["files"] = list,
            ["piece length"] = pieceLength,
            ["pieces"] = new byte[20 * (int)((total + pieceLength - 1) / pieceLength)],
        };
        return TorrentMetainfo.Parse(Torrent(info));
    }

    private static List<(string Path, long FileOffset, int Length, int BufferOffset, bool Padding)> Spans(PieceSpans spans)
    {
        var result = new List<(string, long, int, int, bool)>();
        foreach (var span in spans)
            result.Add((span.File.Path, span.FileOffset, span.Length, span.BufferOffset, span.IsPadding));
        return result;
    }

    [Fact]
    public void A_piece_spanning_three_files_maps_to_three_spans_and_empty_files_are_skipped()
    {
        // f0: 0..5, f1 empty, f2: 5..15, f3: 15..18; pieces of 4 bytes: 0..4, 4..8, 8..12, 12..16, 16..18.
        var map = new PieceMap(Layout(4, (5, false), (0, false), (10, false), (3, false)));

        Assert.Equal(5, map.PieceCount);
        Assert.Equal(2, map.GetPieceSize(4));
        Assert.Equal([("f0", 0L, 4, 0, false)], Spans(map.GetSpans(0)));
        Assert.Equal([("f0", 4L, 1, 0, false), ("f2", 0L, 3, 1, false)], Spans(map.GetSpans(1)));
        Assert.Equal([("f2", 7L, 3, 0, false), ("f3", 0L, 1, 3, false)], Spans(map.GetSpans(3)));
        Assert.Equal([("f3", 1L, 2, 0, false)], Spans(map.GetSpans(4)));
        // A block inside a piece: bytes 1..3 of piece 1 lie in f2 only.
        Assert.Equal([("f2", 0L, 2, 0, false)], Spans(map.GetSpans(1, 1, 2)));
        Assert.True(map.SpansFiles(1));
        Assert.False(map.SpansFiles(2));
        Assert.Equal(2, map.CountPiecesSpanningFiles());
    }

    [Fact]
    public void Padding_is_reported_as_padding_and_pieces_after_it_start_in_the_next_file()
    {
        // Hybrid-style layout: f0 (5) + pad (3) | f2 (8) | f3 (2) + pad (6).
        var map = new PieceMap(Layout(8, (5, false), (3, true), (8, false), (2, false), (6, true)));

        Assert.Equal([("f0", 0L, 5, 0, false), ($".pad{System.IO.Path.DirectorySeparatorChar}1", 0L, 3, 5, true)], Spans(map.GetSpans(0)));
        Assert.Equal([("f2", 0L, 8, 0, false)], Spans(map.GetSpans(1)));
        Assert.Equal(2, Spans(map.GetSpans(2)).Count);
        Assert.False(map.SpansFiles(0));
        Assert.Equal(0, map.CountPiecesSpanningFiles());
        Assert.True(map.HasData(2));
    }

    [Fact]
    public void Pieces_for_files_are_exactly_the_pieces_holding_their_bytes()
    {
        var meta = Layout(4, (5, false), (0, false), (10, false), (3, false));
        var map = new PieceMap(meta);

        Assert.Equal([true, true, false, false, false], map.GetPiecesForFiles([true, false, false, false]));
        Assert.Equal([false, true, true, true, false], map.GetPiecesForFiles([false, false, true, false]));
        Assert.Equal([false, false, false, false, false], map.GetPiecesForFiles([false, true, false, false]));
        Assert.Throws<ArgumentException>(() => map.GetPiecesForFiles([true]));
    }

    [Fact]
    public void Out_of_range_pieces_and_blocks_are_refused_with_the_numbers()
    {
        var map = new PieceMap(Layout(4, (10, false)));

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => map.GetPieceSize(3));
        Assert.Contains("Piece 3 does not exist; the torrent has 3 pieces", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => map.GetSpans(2, 1, 2));
        Assert.Contains("Bytes 1..3 are not inside piece 2, which has 2 bytes", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => map.GetSpans(0, -1, 1));
    }

    [Fact]
    public void Spans_of_random_layouts_tile_every_piece_exactly()
    {
        var random = new Random(4711);
        for (var round = 0; round < 300; round++)
        {
            var count = random.Next(1, 9);
            var files = new (long, bool)[count];
            for (var i = 0; i < count; i++)
                files[i] = (random.Next(0, 4) == 0 ? 0 : random.Next(1, 60), i > 0 && random.Next(0, 5) == 0);
            if (files.All(f => f.Item1 == 0 || f.Item2))
                files[0] = (7, false);
            if (files.All(f => f.Item2 || f.Item1 == 0))
                continue;
            var pieceLength = random.Next(1, 17);
            var meta = Layout(pieceLength, files);
            var map = new PieceMap(meta);

            // The file of every byte of the piece space, written out independently of the map.
            var owner = new List<(TorrentFile File, long Offset)>();
            foreach (var file in meta.AllFiles)
            {
                for (long b = 0; b < file.Length; b++)
                    owner.Add((file, b));
            }
            var spanning = 0;
            for (var piece = 0; piece < map.PieceCount; piece++)
            {
                var position = piece * pieceLength;
                var expectedOffset = 0;
                var dataFiles = new HashSet<int>();
                foreach (var span in map.GetSpans(piece))
                {
                    Assert.Equal(expectedOffset, span.BufferOffset);
                    Assert.True(span.Length > 0);
                    for (var k = 0; k < span.Length; k++)
                    {
                        Assert.Same(owner[position + span.BufferOffset + k].File, span.File);
                        Assert.Equal(owner[position + span.BufferOffset + k].Offset, span.FileOffset + k);
                    }
                    expectedOffset += span.Length;
                    if (!span.IsPadding)
                        dataFiles.Add(span.FileIndex);
                }
                Assert.Equal(map.GetPieceSize(piece), expectedOffset);
                Assert.Equal(dataFiles.Count > 1, map.SpansFiles(piece));
                spanning += dataFiles.Count > 1 ? 1 : 0;
            }
            Assert.Equal(spanning, map.CountPiecesSpanningFiles());

            foreach (var file in meta.Files)
            {
                var selected = new bool[meta.AllFiles.Count];
                selected[file.Index] = true;
                var expected = Enumerable.Range(0, map.PieceCount)
                    .Select(p => file.Length > 0 && p * (long)pieceLength < file.Offset + file.Length && (p + 1L) * pieceLength > file.Offset)
                    .ToArray();
                Assert.Equal(expected, map.GetPiecesForFiles(selected));
            }
        }
    }

    [Fact]
    public void Enumerating_spans_does_not_allocate()
    {
        var map = new PieceMap(Layout(4, (5, false), (0, false), (10, false), (3, false)));
        static int Walk(PieceMap map)
        {
            var total = 0;
            for (var piece = 0; piece < map.PieceCount; piece++)
            {
                foreach (var span in map.GetSpans(piece))
                    total += span.Length;
            }
            return total;
        }
        Walk(map);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var total = Walk(map);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(18, total);
    }
}
