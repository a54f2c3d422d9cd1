using Rustorrent.Bencode;

namespace Rustorrent.Benchmarks;

/// <summary>Deterministic .torrent files of the shapes worth measuring; nothing is downloaded.</summary>
internal static class SyntheticTorrents
{
    /// <summary>A multi-file torrent with <paramref name="fileCount"/> files spread over nested folders.</summary>
    public static byte[] ManyFiles(int fileCount, int pieceLength = 256 * 1024)
    {
        var random = new Random(20_000);
        var files = new BencodeList();
        long total = 0;
        for (var i = 0; i < fileCount; i++)
        {
            var length = (long)random.Next(0, 200_000);
            total += length;
            var path = new BencodeList
            {
                $"folder {i % 37}",
                $"sub {i % 11}",
                $"file {i:D5} {random.Next():x8}.bin",
            };
            files.Add(new BencodeDictionary { ["length"] = length, ["path"] = path });
        }
        return Torrent(new BencodeDictionary
        {
            ["name"] = "many files",
            ["piece length"] = pieceLength,
            ["files"] = files,
            ["pieces"] = PieceHashes(random, total, pieceLength),
        });
    }

    /// <summary>A single-file torrent of <paramref name="length"/> bytes.</summary>
    public static byte[] SingleFile(long length, int pieceLength)
    {
        var random = new Random(1);
        return Torrent(new BencodeDictionary
        {
            ["name"] = "single.bin",
            ["piece length"] = pieceLength,
            ["length"] = length,
            ["pieces"] = PieceHashes(random, length, pieceLength),
        });
    }

    private static byte[] PieceHashes(Random random, long total, int pieceLength)
    {
        var hashes = new byte[(int)((total + pieceLength - 1) / pieceLength) * 20];
        random.NextBytes(hashes);
        return hashes;
    }

    private static byte[] Torrent(BencodeDictionary info) => new BencodeDictionary
    {
        ["announce"] = "http://127.0.0.1:6969/announce",
        ["created by"] = "Rustorrent benchmarks",
        ["creation date"] = 1_700_000_000L,
        ["info"] = info,
    }.Encode();
}
