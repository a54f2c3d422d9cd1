using Rustorrent.Storage;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Storage;

/// <summary>A fresh download skips its resume check: the storage says when no byte of the torrent can be on disk.</summary>
public sealed class FreshStorageTests : IDisposable
{
    private readonly TempDirectory temp = new("storage-fresh");

    public void Dispose() => temp.Dispose();

    [SkippableFact]
    public async Task Only_a_destination_without_any_of_the_torrents_files_is_fresh()
    {
        var source = await StorageTestData.MultiFileAsync(temp, LibtorrentTorrentVersion.V1);
        var destination = temp.Combine("download");

        await using (var storage = TorrentStorage.Open(source.Metainfo, destination))
        {
            // Opening creates the empty files: they hold no byte, so the download is still fresh.
            Assert.False(storage.MayHaveData());
            await storage.WritePieceAsync(0, source.Piece(0));
            Assert.True(storage.MayHaveData());
        }

        // One file of the torrent left from an earlier run is enough to check everything.
        var other = temp.Combine("other");
        var file = source.Metainfo.Files.First(f => f.Length > 0);
        var path = Path.Combine(other, "content", file.Path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, [1, 2, 3]);
        await using (var storage = TorrentStorage.Open(source.Metainfo, other))
            Assert.True(storage.MayHaveData());
    }
}
