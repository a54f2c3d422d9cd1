using System.Diagnostics;
using Rustorrent.Storage;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Storage;

/// <summary>Write errors fail the download with a StorageException that names the file and the reason.</summary>
public sealed class StorageErrorTests : IDisposable
{
    private readonly TempDirectory temp = new("storage-errors");

    public void Dispose() => temp.Dispose();

    [SkippableFact]
    public async Task A_file_where_the_torrent_folder_must_go_is_a_path_conflict_naming_it()
    {
        var source = await StorageTestData.MultiFileAsync(temp, LibtorrentTorrentVersion.V1);
        var destination = temp.CreateSubdirectory("download");
        var blocker = Path.Combine(destination, "content");
        File.WriteAllText(blocker, "I am a file");

        // Opening creates the empty files, so it needs the folder at once.
        var e = Assert.Throws<StorageException>(() => TorrentStorage.Open(source.Metainfo, destination));

        Assert.Equal(StorageErrorKind.PathConflict, e.Kind);
        Assert.Equal(blocker, e.Path);
        Assert.Contains($"'{blocker}' is a file, in the way of a folder the torrent needs", e.Message);
    }

    [SkippableFact]
    public async Task A_file_where_a_nested_folder_must_go_fails_the_write_that_needs_it()
    {
        var source = await StorageTestData.MultiFileAsync(temp, LibtorrentTorrentVersion.V1);
        var destination = temp.CreateSubdirectory("download");
        var selection = Rustorrent.Storage.FileSelection.FromPatterns(source.Metainfo, ["*two-pieces-and-3.bin"]);
        await using var storage = TorrentStorage.Open(source.Metainfo, destination, selection);
        var blocker = Path.Combine(destination, "content", "nested", "deeper");
        Directory.CreateDirectory(Path.GetDirectoryName(blocker)!);
        File.WriteAllText(blocker, "in the way");

        var e = await Assert.ThrowsAsync<StorageException>(async () => await storage.WritePieceAsync(1, source.Piece(1)));

        Assert.Equal(StorageErrorKind.PathConflict, e.Kind);
        Assert.Contains("is a file, in the way of a folder", e.Message);
    }

    [SkippableFact]
    public async Task A_folder_where_a_file_must_go_is_a_path_conflict()
    {
        var source = await StorageTestData.MultiFileAsync(temp, LibtorrentTorrentVersion.Hybrid);
        var destination = temp.CreateSubdirectory("download");
        var blocker = Directory.CreateDirectory(Path.Combine(destination, "content", "piece-exact.bin")).FullName;
        var file = source.Metainfo.Files.Single(f => f.Path == "piece-exact.bin");
        await using var storage = TorrentStorage.Open(source.Metainfo, destination);

        // Reading sees no file there (a missing piece); writing must fail clearly.
        Assert.False(await storage.TryReadPieceAsync(file.FirstPiece, new byte[source.Metainfo.PieceLength]));
        var e = await Assert.ThrowsAsync<StorageException>(async () => await storage.WritePieceAsync(file.FirstPiece, source.Piece(file.FirstPiece)));

        Assert.Equal(StorageErrorKind.PathConflict, e.Kind);
        Assert.Equal(blocker, e.Path);
        Assert.Contains("a folder of that name is in the way", e.Message);
    }

    [SkippableFact]
    public async Task A_full_disk_fails_the_write_with_a_disk_full_reason()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "mounts a small tmpfs");
        var mountPoint = temp.CreateSubdirectory("small-disk");
        Skip.IfNot(await RunAsync("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint) == 0,
            "cannot mount a tmpfs here (needs root); the errno mapping is tested on its own");
        try
        {
            var spec = PayloadSpec.SingleFile("big.bin", 2 * 1024 * 1024);
            var source = await StorageTestData.CreateAsync(temp, spec, "big.bin", LibtorrentTorrentVersion.V1, pieceLength: 64 * 1024);

            var e = await Assert.ThrowsAsync<StorageException>(async () =>
            {
                await using var storage = TorrentStorage.Open(source.Metainfo, mountPoint);
                await StorageTestData.WriteNeededPiecesAsync(storage, source);
            });

            Assert.Equal(StorageErrorKind.DiskFull, e.Kind);
            Assert.Equal(Path.Combine(mountPoint, "big.bin"), e.Path);
            Assert.Matches(@"^The disk is full while writing '.*big\.bin' \(needed 65,536 bytes at offset [\d,]+; [\d,]+ bytes free there\)\.$", e.Message);
        }
        finally
        {
            Assert.Equal(0, await RunAsync("umount", mountPoint));
        }
    }

    [Fact]
    public void The_operating_system_disk_full_errors_map_to_disk_full()
    {
        var enospc = OperatingSystem.IsWindows() ? unchecked((int)0x80070070) : 28;
        var path = temp.Combine("x.bin");

        var full = StorageErrors.Write(new IOException("No space left on device", enospc), path, 4096, 16384);
        Assert.Equal(StorageErrorKind.DiskFull, full.Kind);
        Assert.StartsWith($"The disk is full while writing '{path}' (needed 16,384 bytes at offset 4,096", full.Message);
        Assert.Equal(enospc, full.HResult);
        Assert.IsAssignableFrom<IOException>(full);

        var denied = StorageErrors.Map(new UnauthorizedAccessException("nope"), "create", path);
        Assert.Equal(StorageErrorKind.AccessDenied, denied.Kind);
        Assert.Equal($"Cannot create '{path}': access denied.", denied.Message);

        var other = StorageErrors.Write(new IOException("Input/output error", 5), path, 0, 1);
        Assert.Equal(StorageErrorKind.IoError, other.Kind);
        Assert.Equal($"Cannot write '{path}': Input/output error", other.Message);
    }

    private static async Task<int> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(timeout.Token);
            return process.ExitCode;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or OperationCanceledException)
        {
            return -1;
        }
    }
}
