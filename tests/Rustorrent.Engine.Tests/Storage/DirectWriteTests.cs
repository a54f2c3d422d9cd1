using Rustorrent.Pieces;
using Rustorrent.Storage;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Storage;

/// <summary>
/// Writes past the page cache (O_DIRECT) land the same bytes as ordinary writes: from aligned piece buffers,
/// through the bounce buffer for spans at unaligned file offsets, with the partial blocks at the ends of
/// each span written through the page cache.
/// </summary>
public sealed class DirectWriteTests : IDisposable
{
    private const int PieceLength = 512 * 1024;
    private readonly TempDirectory temp = new("storage-direct");

    public void Dispose() => temp.Dispose();

    [SkippableFact]
    public async Task Aligned_and_unaligned_spans_written_directly_read_back_as_the_source()
    {
        // Files of odd sizes, so most pieces span files at offsets that are not block-aligned.
        var spec = new PayloadSpec("direct",
        [
            new("content/a.bin", 3 * PieceLength + 12_345),
            new("content/b.bin", 777_777),
            new("content/c.bin", 5_000),
            new("content/d.bin", 2 * PieceLength + 4096 * 3 + 1),
        ]);
        var source = await StorageTestData.CreateAsync(temp, spec, "content", LibtorrentTorrentVersion.V1, PieceLength);
        var destination = temp.Combine("download");
        var pool = new PieceBufferPool(PieceLength);

        await using (var storage = TorrentStorage.Open(source.Metainfo, destination))
        {
            foreach (var piece in Enumerable.Range(0, source.Metainfo.PieceCount).Reverse())
            {
                // Half the pieces from aligned piece buffers, half from ordinary arrays (bounced).
                if (piece % 2 == 0)
                {
                    var buffer = pool.Rent();
                    source.Piece(piece).CopyTo(buffer.Memory);
                    await storage.WritePieceAsync(piece, buffer.Memory[..source.PieceSize(piece)], alignedBuffer: true);
                    pool.Return(buffer);
                }
                else
                {
                    await storage.WritePieceAsync(piece, source.Piece(piece).ToArray());
                }
            }
            await storage.FlushAsync();
            Skip.If(!storage.WritesDirect, $"the file system under {temp.Path} does not take O_DIRECT writes");
            Assert.True(storage.DirectBytesWritten > source.Metainfo.PayloadSize / 2, $"{storage.DirectBytesWritten} of {source.Metainfo.PayloadSize} bytes went past the page cache");
        }

        foreach (var file in source.Metainfo.Files)
            Assert.Equal(Payload.Sha256Of(source.SourceOf(file)), Payload.Sha256Of(Path.Combine(destination, "content", file.Path)));
    }
}
