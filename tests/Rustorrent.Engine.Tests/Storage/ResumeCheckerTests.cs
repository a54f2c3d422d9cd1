using Rustorrent.Metainfo;
using Rustorrent.Storage;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Storage;

/// <summary>Resume: existing files are read and hashed piece by piece; only what verifies counts as present.</summary>
public sealed class ResumeCheckerTests : IDisposable
{
    private readonly TempDirectory temp = new("resume");

    public void Dispose() => temp.Dispose();

    private static async Task<bool[]> CheckAsync(SourceTorrent source, string destination, FileSelection? selection = null)
    {
        await using var storage = TorrentStorage.Open(source.Metainfo, destination, selection);
        return await ResumeChecker.CheckAsync(storage);
    }

    private static int[] Missing(bool[] verified) => [.. Enumerable.Range(0, verified.Length).Where(p => !verified[p])];

    /// <summary>The pieces holding bytes <paramref name="from"/>..<paramref name="to"/> (exclusive) of <paramref name="file"/>.</summary>
    private static int[] PiecesOf(TorrentFile file, long from, long to, int pieceLength) =>
        [.. Enumerable.Range(0, int.MaxValue)
            .Select(i => (int)((file.Offset + from) / pieceLength) + i)
            .TakeWhile(p => (long)p * pieceLength < file.Offset + to)];

    private async Task<(SourceTorrent Source, string Destination)> DownloadedAsync(LibtorrentTorrentVersion version)
    {
        var source = await StorageTestData.MultiFileAsync(temp, version);
        var destination = temp.Combine("download");
        await using (var storage = TorrentStorage.Open(source.Metainfo, destination))
            await StorageTestData.WriteNeededPiecesAsync(storage, source);
        return (source, destination);
    }

    [SkippableTheory]
    [InlineData(LibtorrentTorrentVersion.V1)]
    [InlineData(LibtorrentTorrentVersion.Hybrid)]
    public async Task Complete_files_verify_every_piece_and_progress_counts_them(LibtorrentTorrentVersion version)
    {
        var (source, destination) = await DownloadedAsync(version);
        var reports = new List<ResumeProgress>();
        var progress = new SynchronousProgress(reports);

        await using var storage = TorrentStorage.Open(source.Metainfo, destination);
        var verified = await ResumeChecker.CheckAsync(storage, progress, parallelism: 3);

        Assert.Empty(Missing(verified));
        var count = source.Metainfo.PieceCount;
        Assert.Equal(new ResumeProgress(0, 0, count), reports[0]);
        Assert.Equal(count + 1, reports.Count);
        Assert.Contains(new ResumeProgress(count, count, count), reports);
    }

    [SkippableTheory]
    [InlineData(LibtorrentTorrentVersion.V1)]
    [InlineData(LibtorrentTorrentVersion.Hybrid)]
    public async Task One_corrupted_byte_makes_exactly_its_piece_missing(LibtorrentTorrentVersion version)
    {
        var (source, destination) = await DownloadedAsync(version);
        var file = source.Metainfo.Files.Single(f => f.Path.EndsWith("two-pieces-and-3.bin", StringComparison.Ordinal));
        const long at = StorageTestData.PieceLength + 5000;
        var path = Path.Combine(destination, "content", file.Path);
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = at;
            var b = stream.ReadByte();
            stream.Position = at;
            stream.WriteByte((byte)(b ^ 0x01));
        }

        var verified = await CheckAsync(source, destination);

        Assert.Equal([(int)((file.Offset + at) / source.Metainfo.PieceLength)], Missing(verified));
    }

    [SkippableFact]
    public async Task A_truncated_file_loses_the_pieces_of_its_missing_tail_and_is_not_grown()
    {
        var (source, destination) = await DownloadedAsync(LibtorrentTorrentVersion.V1);
        var file = source.Metainfo.Files.Single(f => f.Path == "piece-plus-1.bin");
        var path = Path.Combine(destination, "content", file.Path);
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
            stream.SetLength(10);

        var verified = await CheckAsync(source, destination);

        Assert.Equal(PiecesOf(file, 10, file.Length, source.Metainfo.PieceLength), Missing(verified));
        Assert.Equal(10, new FileInfo(path).Length);
    }

    [SkippableFact]
    public async Task A_deleted_file_loses_its_pieces_and_is_not_created_by_the_check()
    {
        var (source, destination) = await DownloadedAsync(LibtorrentTorrentVersion.Hybrid);
        var file = source.Metainfo.Files.Single(f => f.Path == "piece-exact.bin");
        var path = Path.Combine(destination, "content", file.Path);
        File.Delete(path);

        var verified = await CheckAsync(source, destination);

        Assert.Equal(PiecesOf(file, 0, file.Length, source.Metainfo.PieceLength), Missing(verified));
        Assert.False(File.Exists(path));
    }

    [SkippableFact]
    public async Task An_empty_destination_has_no_piece_and_gains_only_the_empty_files()
    {
        var source = await StorageTestData.MultiFileAsync(temp, LibtorrentTorrentVersion.V1);
        var destination = temp.Combine("download");

        var verified = await CheckAsync(source, destination);

        Assert.Equal(source.Metainfo.PieceCount, Missing(verified).Length);
        Assert.Equal(["content/empty.bin", "content/nested/empty-deep.bin"], StorageTestData.FilesUnder(destination));
    }

    [SkippableFact]
    public async Task A_download_abandoned_midway_resumes_with_exactly_the_pieces_written_and_completes()
    {
        var source = await StorageTestData.MultiFileAsync(temp, LibtorrentTorrentVersion.V1);
        var destination = temp.Combine("download");
        var written = new[] { 0, 2, 3, 5 };

        // Like a killed process: no flush, no dispose, no state file; only the bytes written so far.
        var abandoned = TorrentStorage.Open(source.Metainfo, destination);
        foreach (var piece in written)
            await abandoned.WritePieceAsync(piece, source.Piece(piece));

        var resumed = await CheckAsync(source, destination);
        Assert.Equal(written, Enumerable.Range(0, resumed.Length).Where(p => resumed[p]));

        await using (var storage = TorrentStorage.Open(source.Metainfo, destination))
        {
            for (var piece = 0; piece < resumed.Length; piece++)
            {
                if (!resumed[piece])
                    await storage.WritePieceAsync(piece, source.Piece(piece));
            }
            Assert.Empty(Missing(await ResumeChecker.CheckAsync(storage)));
        }
        abandoned.Dispose();
        foreach (var file in source.Files)
            Assert.Equal(file.Sha256, Payload.Sha256Of(Path.Combine(destination, file.RelativePath)));
    }

    [SkippableFact]
    public async Task A_cancelled_check_stops_with_OperationCanceledException()
    {
        var (source, destination) = await DownloadedAsync(LibtorrentTorrentVersion.V1);
        await using var storage = TorrentStorage.Open(source.Metainfo, destination);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ResumeChecker.CheckAsync(storage, cancellationToken: cancelled.Token));
    }

    [Fact]
    public void A_v2_only_torrent_is_not_checked_with_sha1()
    {
        var data = Metainfo.MetainfoTestData.Content(100, 1);
        var (tree, _) = Metainfo.MetainfoTestData.FileTree(16384, new Metainfo.TestFile(["a.bin"], data));
        var meta = TorrentMetainfo.Parse(Metainfo.MetainfoTestData.Torrent(Metainfo.MetainfoTestData.V2Info("v2", 16384, tree)));

        var e = Assert.Throws<NotSupportedException>(() => PieceVerifier.Verify(meta, 0, data));
        Assert.Contains("v2 only", e.Message);
    }

    [Fact]
    public void Piece_verifier_checks_the_sha1_and_the_length()
    {
        var data = Metainfo.MetainfoTestData.Content(40_000, 3);
        var meta = TorrentMetainfo.Parse(Metainfo.MetainfoTestData.Torrent(Metainfo.MetainfoTestData.SingleFileInfo("x", data, 16384)));

        Assert.True(PieceVerifier.Verify(meta, 0, data.AsSpan(0, 16384)));
        Assert.True(PieceVerifier.Verify(meta, 2, data.AsSpan(32768)));
        Assert.False(PieceVerifier.Verify(meta, 1, data.AsSpan(0, 16384)));
        Assert.False(PieceVerifier.Verify(meta, 2, data.AsSpan(32768, 100)));
        data[16384] ^= 1;
        Assert.False(PieceVerifier.Verify(meta, 1, data.AsSpan(16384, 16384)));
    }

    /// <summary>IProgress that records on the reporting thread (Progress&lt;T&gt; would post to the thread pool, after the check returns).</summary>
    private sealed class SynchronousProgress(List<ResumeProgress> reports) : IProgress<ResumeProgress>
    {
        public void Report(ResumeProgress value)
        {
            lock (reports)
                reports.Add(value);
        }
    }
}
