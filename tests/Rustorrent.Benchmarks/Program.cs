using BenchmarkDotNet.Running;
using Rustorrent.Benchmarks;

// `write-fixtures <dir>` writes the benchmark's torrents to disk, so libtorrent_parse.py can time
// libtorrent's own parser on the very same bytes; anything else runs BenchmarkDotNet.
if (args is ["write-fixtures", var directory])
{
    Directory.CreateDirectory(directory);
    File.WriteAllBytes(Path.Combine(directory, "many-files.torrent"), SyntheticTorrents.ManyFiles(20_000));
    File.WriteAllBytes(Path.Combine(directory, "single-1gib.torrent"), SyntheticTorrents.SingleFile(1L << 30, 256 * 1024));
    Console.WriteLine($"Wrote many-files.torrent and single-1gib.torrent to {Path.GetFullPath(directory)}");
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(MetainfoParsingBenchmarks).Assembly).Run(args);
