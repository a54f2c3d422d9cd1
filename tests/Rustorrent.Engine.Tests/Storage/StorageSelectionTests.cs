using Rustorrent.Storage;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Storage;

/// <summary>
/// File selection: only the chosen files appear on disk; the parts of boundary pieces that belong to other
/// files go to the parts file, so those pieces can still be verified on resume.
/// </summary>
public sealed class StorageSelectionTests : IDisposable
{
    private readonly TempDirectory temp = new("storage-selection");

    public void Dispose() => temp.Dispose();

    [SkippableFact]
    public async Task Only_the_chosen_files_are_written_and_boundary_pieces_verify_again_on_resume()
    {
        // v1 layout (libtorrent's order): piece-minus-1 | two-pieces-and-3 | small, with space, piece-exact | piece-plus-1 | one-byte.
        var source = await StorageTestData.MultiFileAsync(temp, LibtorrentTorrentVersion.V1);
        var destination = temp.Combine("download");
        var selection = FileSelection.FromPatterns(source.Metainfo, ["piece-exact.bin", "*/small.txt"]);
        var hash = source.Metainfo.PrimaryInfoHash.ToHex();

        await using (var storage = TorrentStorage.Open(source.Metainfo, destination, selection))
        {
            // small.txt and piece-exact.bin lie in pieces 3 and 4, both shared with files not chosen.
            Assert.Equal([false, false, false, true, true, false], storage.GetNeededPieces());
            await StorageTestData.WriteNeededPiecesAsync(storage, source);
            var e = await Assert.ThrowsAsync<ArgumentException>(async () => await storage.WritePieceAsync(1, source.Piece(1)));
            Assert.Contains("Piece 1 holds no byte of a chosen file", e.Message);
        }

        Assert.Equal(
            [$".rustorrent/{hash}.parts", "content/piece-exact.bin", "content/small.txt"],
            StorageTestData.FilesUnder(destination));
        Assert.Equal(Payload.Sha256Of(Path.Combine(source.PayloadRoot, "piece-exact.bin")), Payload.Sha256Of(Path.Combine(destination, "content", "piece-exact.bin")));
        Assert.Equal(Payload.Sha256Of(Path.Combine(source.PayloadRoot, "small.txt")), Payload.Sha256Of(Path.Combine(destination, "content", "small.txt")));

        // Resume with the same choice: both boundary pieces verify, read partly from the parts file.
        await using (var storage = TorrentStorage.Open(source.Metainfo, destination, selection))
        {
            var verified = await ResumeChecker.CheckAsync(storage);
            Assert.Equal([false, false, false, true, true, false], verified);
        }

        // A damaged parts file only costs the pieces it held.
        var partsPath = Path.Combine(destination, ".rustorrent", hash + ".parts");
        var parts = File.ReadAllBytes(partsPath);
        parts[^1] ^= 0xFF;
        File.WriteAllBytes(partsPath, parts);
        await using (var storage = TorrentStorage.Open(source.Metainfo, destination, selection))
        {
            var verified = await ResumeChecker.CheckAsync(storage);
            Assert.Equal(1, verified.Count(v => v));
        }
    }

    [SkippableFact]
    public async Task Choosing_more_files_later_keeps_the_pieces_already_verified()
    {
        var source = await StorageTestData.MultiFileAsync(temp, LibtorrentTorrentVersion.V1);
        var destination = temp.Combine("download");
        var first = FileSelection.FromPatterns(source.Metainfo, ["nested/*"]);

        await using (var storage = TorrentStorage.Open(source.Metainfo, destination, first))
        {
            Assert.Equal([true, true, true, true, false, false], storage.GetNeededPieces());
            await StorageTestData.WriteNeededPiecesAsync(storage, source);
        }
        Assert.Contains("content/nested/empty-deep.bin", StorageTestData.FilesUnder(destination));
        Assert.DoesNotContain("content/piece-minus-1.bin", StorageTestData.FilesUnder(destination));

        // Everything chosen now: the pieces wholly inside the nested file are kept; the boundary pieces,
        // whose other files are not on disk, are fetched again; then the download completes.
        await using (var storage = TorrentStorage.Open(source.Metainfo, destination))
        {
            var verified = await ResumeChecker.CheckAsync(storage);
            Assert.Equal([false, true, true, false, false, false], verified);
            for (var piece = 0; piece < verified.Length; piece++)
            {
                if (!verified[piece])
                    await storage.WritePieceAsync(piece, source.Piece(piece));
            }
        }
        foreach (var file in source.Files)
            Assert.Equal(file.Sha256, Payload.Sha256Of(Path.Combine(destination, file.RelativePath)));
    }

    [SkippableFact]
    public async Task Padded_hybrid_pieces_never_need_the_parts_file()
    {
        var source = await StorageTestData.MultiFileAsync(temp, LibtorrentTorrentVersion.Hybrid);
        var destination = temp.Combine("download");
        var selection = FileSelection.FromPatterns(source.Metainfo, ["*.txt", "*/ü-ñ*"]);

        await using (var storage = TorrentStorage.Open(source.Metainfo, destination, selection))
        {
            Assert.Equal(2, storage.NeededPieceCount);
            await StorageTestData.WriteNeededPiecesAsync(storage, source);
            Assert.Equal(2, (await ResumeChecker.CheckAsync(storage)).Count(v => v));
        }

        Assert.Equal(["content/small.txt", "content/with space/ü-ñ файл.bin"], StorageTestData.FilesUnder(destination));
    }
}
