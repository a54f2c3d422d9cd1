using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Interop;

/// <summary>The TestKit's aria2c wrapper works against real peers: aria2 finds a libtorrent seeder through
/// opentracker and downloads the same bytes.</summary>
public sealed class Aria2TestKitTests : IDisposable
{
    private readonly TempDirectory temp = new("aria2");

    [SkippableFact]
    public async Task Aria2_downloads_from_a_libtorrent_seeder_found_through_opentracker()
    {
        RequiredTool.Aria2c();
        var files = await Payload.CreateAsync(temp.CreateSubdirectory("seed"), PayloadSpec.SingleFile("file.bin", 300_000));
        var bare = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(files[0].FullPath, temp.Combine("bare.torrent")) { Version = LibtorrentTorrentVersion.V1 });
        var hash = (await LibtorrentTool.DumpAsync(bare)).InfoHashV1!;
        await using var tracker = await Opentracker.StartAsync([hash]);
        var torrent = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(files[0].FullPath, temp.Combine("file.torrent"))
        {
            Version = LibtorrentTorrentVersion.V1,
            TrackerTiers = [[tracker.HttpAnnounceUrl.ToString()]],
        });
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent, temp.Combine("seed"), announceToTrackers: true);
        await seeder.Process.WaitForOutputAsync(l => l.StartsWith("TRACKER_REPLY", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        await using var aria2 = Aria2.Start(torrent, temp.CreateSubdirectory("aria2"));
        await aria2.WaitForDownloadAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(files[0].Sha256, Payload.Sha256Of(temp.Combine("aria2/file.bin")));
    }

    public void Dispose() => temp.Dispose();
}
