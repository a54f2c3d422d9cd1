using System.Text;
using Rustorrent.Metadata;
using Rustorrent.Metainfo;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Metadata;

public sealed class TorrentFileWriterTests : IDisposable
{
    private static readonly DateTimeOffset Created = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory temp = new("torrent-writer");

    [Fact]
    public void Wraps_the_info_bytes_unchanged_with_trackers_web_seeds_and_creation_fields()
    {
        var info = MetadataTestData.InfoDictionary(pieces: 10);
        string[][] tiers = [["http://a.example/announce", "http://b.example/announce"], ["udp://c.example:6969"]];

        var bytes = TorrentFileWriter.Write(info, tiers, ["http://seed.example/files/"], Created, "Rustorrent 0.1.0", "from a magnet");
        var torrent = TorrentMetainfo.Parse(bytes);

        Assert.Equal(MetadataTestData.V1Hash(info), torrent.InfoHashV1);
        Assert.Equal(info, torrent.InfoDictionary.ToArray());
        Assert.Equal(tiers, torrent.Trackers);
        Assert.Equal(["http://seed.example/files/"], torrent.WebSeeds);
        Assert.Equal(Created, torrent.CreationDate);
        Assert.Equal("Rustorrent 0.1.0", torrent.CreatedBy);
        Assert.Equal("from a magnet", torrent.Comment);
        var text = Encoding.Latin1.GetString(bytes);
        Assert.StartsWith("d8:announce25:http://a.example/announce13:announce-listll", text);
        Assert.True(text.IndexOf("7:comment", StringComparison.Ordinal) < text.IndexOf("10:created by", StringComparison.Ordinal)
            && text.IndexOf("10:created by", StringComparison.Ordinal) < text.IndexOf("13:creation date", StringComparison.Ordinal)
            && text.IndexOf("13:creation date", StringComparison.Ordinal) < text.IndexOf("4:infod", StringComparison.Ordinal)
            && text.IndexOf("4:infod", StringComparison.Ordinal) < text.IndexOf("8:url-list", StringComparison.Ordinal), "keys in canonical order");
    }

    [Fact]
    public void With_nothing_but_the_info_dictionary_it_is_a_one_key_torrent()
    {
        var info = MetadataTestData.InfoDictionary(pieces: 1);
        Assert.Equal([.. "d4:info"u8, .. info, (byte)'e'], TorrentFileWriter.Write(info));
    }

    [Theory]
    [InlineData("")]
    [InlineData("i1e")]
    [InlineData("d4:name")]
    [InlineData("de1:x")]
    public void Refuses_what_is_not_one_dictionary(string text)
    {
        Assert.Throws<ArgumentException>(() => TorrentFileWriter.Write(Encoding.Latin1.GetBytes(text)));
    }

    [SkippableTheory]
    [InlineData(LibtorrentTorrentVersion.V1)]
    [InlineData(LibtorrentTorrentVersion.Hybrid)]
    public async Task Libtorrent_reads_what_we_write_with_the_same_info_hashes(LibtorrentTorrentVersion version)
    {
        RequiredTool.PythonWithLibtorrent();
        var files = await Payload.CreateAsync(temp.CreateSubdirectory("payload"), PayloadSpec.SingleFile("data.bin", 100_000, seed: "writer"));
        var original = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(
            await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(files[0].FullPath, temp.Combine("original.torrent")) { Version = version, PieceLength = 16384 })));
        // What a magnet fetch gives: the bare info dictionary and the magnet's trackers.
        var fetched = TorrentMetainfo.ParseInfoDictionary(original.InfoDictionary, [["http://127.0.0.1:1/announce"], ["udp://127.0.0.1:2"]]);
        var path = temp.Combine("written.torrent");

        await File.WriteAllBytesAsync(path, TorrentFileWriter.Write(fetched.InfoDictionary, fetched.Trackers, creationDate: Created, createdBy: "Rustorrent tests"));
        var dump = await LibtorrentTool.DumpAsync(path);

        Assert.Equal(original.InfoHashV1?.ToHex(), dump.InfoHashV1);
        Assert.Equal(original.InfoHashV2?.ToHex(), dump.InfoHashV2);
        Assert.Equal("data.bin", dump.Name);
        Assert.Equal("Rustorrent tests", dump.Creator);
        Assert.Equal(Created.ToUnixTimeSeconds(), dump.CreationDate);
        Assert.Equal([["http://127.0.0.1:1/announce"], ["udp://127.0.0.1:2"]], dump.RawAnnounceList);
    }

    public void Dispose() => temp.Dispose();
}
