using BenchmarkDotNet.Attributes;
using Rustorrent.Bencode;
using Rustorrent.Metainfo;

namespace Rustorrent.Benchmarks;

/// <summary>Parsing .torrent files: a 20,000-file torrent and a 1 GiB single-file torrent (docs/performance.md).</summary>
[MemoryDiagnoser]
public class MetainfoParsingBenchmarks
{
    private byte[] manyFiles = [];
    private byte[] singleFile = [];

    [GlobalSetup]
    public void Setup()
    {
        manyFiles = SyntheticTorrents.ManyFiles(20_000);
        singleFile = SyntheticTorrents.SingleFile(1L << 30, 256 * 1024);
    }

    [Benchmark]
    public int Parse_20000_files() => TorrentMetainfo.Parse(manyFiles).Files.Count;

    [Benchmark]
    public int Parse_1GiB_single_file() => TorrentMetainfo.Parse(singleFile).PieceCount;

    [Benchmark]
    public int Bencode_only_20000_files() => BencodeDocument.Parse(manyFiles).TokenCount;
}
