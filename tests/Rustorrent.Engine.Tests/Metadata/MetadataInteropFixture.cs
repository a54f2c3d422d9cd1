using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Metadata;

/// <summary>Torrents made by libtorrent whose info dictionaries span several ut_metadata pieces.</summary>
internal static class MetadataInteropFixture
{
    /// <summary>24 MiB in 16 KiB pieces: a v1 "pieces" string of 30 KB, so two metadata pieces, the last one short.</summary>
    public const long PayloadLength = 24L * 1024 * 1024;

    public const int PieceLength = 16 * 1024;

    public static async Task<(string Path, TorrentMetainfo Torrent)> CreateTorrentAsync(TempDirectory temp, LibtorrentTorrentVersion version, string name = "payload.bin")
    {
        var files = await Payload.CreateAsync(temp.CreateSubdirectory("seed"), PayloadSpec.SingleFile(name, PayloadLength, seed: "metadata-" + version));
        var path = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(files[0].FullPath, temp.Combine(name + ".torrent"))
        {
            Version = version,
            PieceLength = PieceLength,
        });
        var torrent = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(path));
        // A v2 info dictionary holds only each file's pieces root; v1 and hybrid ones hold 20 bytes a piece.
        if (version != LibtorrentTorrentVersion.V2)
            Assert.True(torrent.InfoDictionary.Length > 16 * 1024, "the info dictionary spans several metadata pieces");
        return (path, torrent);
    }

    /// <summary>Candidates as a tracker would stream them.</summary>
    public static async IAsyncEnumerable<PeerEndpoint> Peers(params PeerEndpoint[] peers)
    {
        foreach (var peer in peers)
        {
            await Task.Yield();
            yield return peer;
        }
    }
}
