using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Rustorrent.Bencode;
using Rustorrent.Metainfo;
using Rustorrent.Storage;

namespace Rustorrent.Benchmarks;

/// <summary>
/// 64 MiB in 1 MiB pieces through <see cref="TorrentStorage"/>: written whole piece by piece (the engine's
/// path), read back, and checked from disk by <see cref="ResumeChecker"/>. Four 16 MiB files with an odd
/// split, so that pieces span files. MB/s = 64 / mean seconds. The page cache is warm: this measures our
/// overhead over the kernel, not the disk.
/// </summary>
[MemoryDiagnoser]
public class StorageBenchmarks
{
    private const int PieceLength = 1024 * 1024;
    private const int PieceCount = 64;

    private TorrentMetainfo metainfo = null!;
    private byte[] payload = [];
    private byte[] buffer = [];
    private string directory = "";

    [GlobalSetup]
    public void Setup()
    {
        payload = new byte[PieceLength * PieceCount];
        new Random(64).NextBytes(payload);
        var hashes = new byte[20 * PieceCount];
        for (var piece = 0; piece < PieceCount; piece++)
            SHA1.HashData(payload.AsSpan(piece * PieceLength, PieceLength), hashes.AsSpan(piece * 20));
        var files = new BencodeList();
        long[] lengths = [16_000_000, 17_554_432, 16_777_216, 16_777_216]; // 64 MiB; boundaries inside pieces
        for (var i = 0; i < lengths.Length; i++)
            files.Add(new BencodeDictionary { ["length"] = lengths[i], ["path"] = new BencodeList { $"file{i}.bin" } });
        var info = new BencodeDictionary { ["name"] = "bench", ["piece length"] = PieceLength, ["files"] = files, ["pieces"] = hashes };
        metainfo = TorrentMetainfo.Parse(new BencodeDictionary { ["info"] = info }.Encode());
        buffer = new byte[PieceLength];
        directory = Path.Combine(Path.GetTempPath(), "rustorrent-bench-storage-" + Environment.ProcessId);
        Directory.CreateDirectory(directory);
        // Read and verify need the files there.
        Write_64MiB().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(directory, recursive: true);

    [Benchmark]
    public async Task Write_64MiB()
    {
        await using var storage = TorrentStorage.Open(metainfo, directory);
        for (var piece = 0; piece < PieceCount; piece++)
            await storage.WritePieceAsync(piece, payload.AsMemory(piece * PieceLength, PieceLength));
    }

    [Benchmark]
    public async Task<int> Read_64MiB()
    {
        await using var storage = TorrentStorage.Open(metainfo, directory);
        var sum = 0;
        for (var piece = 0; piece < PieceCount; piece++)
        {
            await storage.ReadAsync(piece, 0, buffer);
            sum += buffer[piece];
        }
        return sum;
    }

    [Benchmark]
    public async Task<int> ResumeCheck_64MiB()
    {
        await using var storage = TorrentStorage.Open(metainfo, directory);
        var verified = await ResumeChecker.CheckAsync(storage);
        return verified.Count(v => v) == PieceCount ? PieceCount : throw new InvalidOperationException("pieces failed to verify");
    }
}
