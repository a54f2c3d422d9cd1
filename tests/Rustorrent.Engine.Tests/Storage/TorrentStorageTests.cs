using Rustorrent.Metainfo;
using Rustorrent.Storage;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Storage;

/// <summary>
/// Pieces of libtorrent-made torrents written through the storage land byte for byte in the right files:
/// multi-file, pieces spanning files, padding never on disk, empty files created, nested folders.
/// </summary>
public sealed class TorrentStorageTests : IDisposable
{
    private readonly TempDirectory temp = new("storage");

    public void Dispose() => temp.Dispose();

    [SkippableTheory]
    [InlineData(LibtorrentTorrentVersion.V1)]
    [InlineData(LibtorrentTorrentVersion.Hybrid)]
    [InlineData(LibtorrentTorrentVersion.V2)]
    public async Task Every_piece_written_gives_files_identical_to_the_source(LibtorrentTorrentVersion version)
    {
        var source = await StorageTestData.MultiFileAsync(temp, version);
        var destination = temp.Combine("download");
        // The layouts under test: v1 pieces span files; hybrid and v2 pad files to piece boundaries.
        if (version == LibtorrentTorrentVersion.V1)
            Assert.Equal(4, new PieceMap(source.Metainfo).CountPiecesSpanningFiles()); // of 6 pieces
        else
            Assert.Contains(source.Metainfo.AllFiles, f => f.IsPadding);

        await using (var storage = TorrentStorage.Open(source.Metainfo, destination))
        {
            Assert.Equal(source.Metainfo.PieceCount, storage.NeededPieceCount);
            // Out of order, as pieces arrive from a swarm.
            foreach (var piece in Enumerable.Range(0, source.Metainfo.PieceCount).Reverse())
                await storage.WritePieceAsync(piece, source.Piece(piece));

            // Read back: the storage returns each piece as it was, padding as zeros.
            var buffer = new byte[source.Metainfo.PieceLength];
            for (var piece = 0; piece < source.Metainfo.PieceCount; piece++)
            {
                Assert.True(await storage.TryReadPieceAsync(piece, buffer));
                Assert.True(source.Piece(piece).Span.SequenceEqual(buffer.AsSpan(0, source.PieceSize(piece))), $"piece {piece}");
            }
        }

        foreach (var file in source.Metainfo.Files)
        {
            var written = Path.Combine(destination, "content", file.Path);
            Assert.True(File.Exists(written), written);
            Assert.Equal(Payload.Sha256Of(source.SourceOf(file)), Payload.Sha256Of(written));
        }
        // Exactly the torrent's files, empty ones included; no padding, no parts file, nothing else.
        Assert.Equal(
            source.Files.Select(f => f.RelativePath).Order(StringComparer.Ordinal),
            StorageTestData.FilesUnder(destination));
        Assert.Equal(0, new FileInfo(Path.Combine(destination, "content", "nested", "empty-deep.bin")).Length);
    }

    [SkippableFact]
    public async Task A_single_file_torrent_writes_its_file_directly_in_the_destination()
    {
        var spec = PayloadSpec.SingleFile("alone.bin", 3 * StorageTestData.PieceLength + 123);
        var source = await StorageTestData.CreateAsync(temp, spec, "alone.bin", LibtorrentTorrentVersion.V1);
        var destination = temp.Combine("download");

        await using (var storage = TorrentStorage.Open(source.Metainfo, destination))
            await StorageTestData.WriteNeededPiecesAsync(storage, source);

        Assert.Equal(["alone.bin"], StorageTestData.FilesUnder(destination));
        Assert.Equal(source.Files[0].Sha256, Payload.Sha256Of(Path.Combine(destination, "alone.bin")));
    }

    [SkippableFact]
    public async Task Blocks_written_in_parallel_through_a_two_handle_cache_land_in_place()
    {
        var source = await StorageTestData.MultiFileAsync(temp, LibtorrentTorrentVersion.V1);
        var destination = temp.Combine("download");
        const int block = 1000; // not a divisor of the piece length: blocks straddle files and piece ends

        await using (var storage = TorrentStorage.Open(source.Metainfo, destination, maxOpenFiles: 2))
        {
            var blocks = new List<(int Piece, int Offset, int Length)>();
            for (var piece = 0; piece < source.Metainfo.PieceCount; piece++)
            {
                for (var offset = 0; offset < source.PieceSize(piece); offset += block)
                    blocks.Add((piece, offset, Math.Min(block, source.PieceSize(piece) - offset)));
            }
            var order = blocks.OrderBy(b => HashCode.Combine(b.Piece, b.Offset)).ToArray();
            await Parallel.ForEachAsync(order, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (b, ct) =>
                await storage.WriteAsync(b.Piece, b.Offset, source.Piece(b.Piece).Slice(b.Offset, b.Length), ct));
            Assert.True(storage.OpenHandleCount <= 2, $"{storage.OpenHandleCount} handles open");

            var read = new byte[block];
            foreach (var (piece, offset, length) in blocks)
            {
                await storage.ReadAsync(piece, offset, read.AsMemory(0, length));
                Assert.True(source.Piece(piece).Span.Slice(offset, length).SequenceEqual(read.AsSpan(0, length)), $"piece {piece} at {offset}");
            }
        }

        foreach (var file in source.Files)
            Assert.Equal(file.Sha256, Payload.Sha256Of(Path.Combine(destination, file.RelativePath)));
    }

    [SkippableFact]
    public async Task Reading_bytes_not_on_disk_fails_softly_or_names_the_file_and_creates_nothing()
    {
        var source = await StorageTestData.MultiFileAsync(temp, LibtorrentTorrentVersion.V1);
        var destination = temp.Combine("download");
        await using var storage = TorrentStorage.Open(source.Metainfo, destination);
        var last = source.Metainfo.PieceCount - 1;
        var buffer = new byte[source.Metainfo.PieceLength];

        Assert.False(await storage.TryReadPieceAsync(last, buffer));
        var e = await Assert.ThrowsAsync<StorageException>(async () => await storage.ReadAsync(last, 0, buffer.AsMemory(0, 10)));
        Assert.Contains("is missing or shorter than the torrent says", e.Message);
        Assert.StartsWith(Path.Combine(destination, "content"), e.Path);
        // Only the empty files exist: opening created them, reading created nothing.
        Assert.Equal(["content/empty.bin", "content/nested/empty-deep.bin"], StorageTestData.FilesUnder(destination));
    }

    [SkippableFact]
    public async Task Wrong_sizes_and_unknown_pieces_are_refused()
    {
        var source = await StorageTestData.MultiFileAsync(temp, LibtorrentTorrentVersion.V1);
        await using var storage = TorrentStorage.Open(source.Metainfo, temp.Combine("download"));

        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await storage.WritePieceAsync(0, new byte[10]));
        Assert.Contains($"Piece 0 has {StorageTestData.PieceLength:N0} bytes, not 10", e.Message);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await storage.WritePieceAsync(source.Metainfo.PieceCount, new byte[1]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await storage.WriteAsync(0, StorageTestData.PieceLength - 1, new byte[2]));
    }

    [SkippableFact]
    public async Task Files_longer_than_the_torrent_says_are_cut_to_size_at_open()
    {
        var source = await StorageTestData.MultiFileAsync(temp, LibtorrentTorrentVersion.V1);
        var destination = temp.Combine("download");
        var small = Path.Combine(destination, "content", "small.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(small)!);
        File.WriteAllBytes(small, new byte[5000]);

        await using (TorrentStorage.Open(source.Metainfo, destination))
        {
        }

        Assert.Equal(100, new FileInfo(small).Length);
    }
}
