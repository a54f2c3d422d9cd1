using System.Globalization;
using System.Net;
using Rustorrent;
using Rustorrent.Downloads;
using Rustorrent.Metainfo;
using Rustorrent.Peers;

// usage: Rustorrent.EngineHost download <torrent> <destination> <peer port> [download limit bytes/s]
// Prints "VERIFIED <pieces>" as pieces are verified and "DONE" at the end; meant to be killed mid-way.
if (args is not ["download", var torrentPath, var destination, var port, .. var rest])
{
    Console.Error.WriteLine("usage: download <torrent> <destination> <peer port> [download limit bytes/s]");
    return 2;
}
var metainfo = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(torrentPath));
using var engine = new TorrentEngine(port: 0);
var options = new DownloadOptions
{
    UseTrackers = false,
    Peers = [new PeerEndpoint(IPAddress.Loopback, int.Parse(port, CultureInfo.InvariantCulture))],
    DownloadRateLimit = rest.Length > 0 ? long.Parse(rest[0], CultureInfo.InvariantCulture) : 0,
};
var last = -1;
var progress = new Reporter(p =>
{
    if (p.VerifiedPieces != Interlocked.Exchange(ref last, p.VerifiedPieces))
        Console.WriteLine($"VERIFIED {p.VerifiedPieces}");
});
await new TorrentDownload(engine, metainfo, destination, options).RunAsync(progress, CancellationToken.None);
Console.WriteLine($"DONE gc={GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} allocated={GC.GetTotalAllocatedBytes() / 1024 / 1024} MiB pause={GC.GetTotalPauseDuration().TotalMilliseconds:0} ms lockContention={System.Threading.Monitor.LockContentionCount}");
return 0;

internal sealed class Reporter(Action<DownloadProgress> report) : IProgress<DownloadProgress>, IDownloadEventSink
{
    private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();

    public void Report(DownloadProgress value) => report(value);

    // Engine events with the time since start, on stderr: where a profiling run spends its first second.
    public void OnEvent(DownloadEvent downloadEvent) =>
        Console.Error.WriteLine($"EVENT {clock.ElapsedMilliseconds} ms {downloadEvent.Kind}: {downloadEvent.Message}");
}
