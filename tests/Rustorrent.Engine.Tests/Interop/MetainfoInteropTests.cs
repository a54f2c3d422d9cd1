using Rustorrent.Metainfo;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Interop;

/// <summary>
/// .torrent files made at test time by real tools (libtorrent v1/v2/hybrid, mktorrent, transmission-create),
/// read by our parser and by libtorrent itself; the two readings must agree field by field, and both must
/// agree with the payload the files were made from.
/// </summary>
public sealed class MetainfoInteropTests : IDisposable
{
    // mktorrent 1.1 takes 2^15 and up; 32 KiB keeps the payloads small yet several pieces long.
    private const int PieceLength = 32 * 1024;
    private const string Comment = "interop test: ü ✓ 种子";
    private const string Creator = "rustorrent-interop/1.0";

    private static readonly string[][] TrackerTiers =
    [
        ["http://127.0.0.1:6969/announce", "http://localhost:6970/announce"],
        ["udp://127.0.0.1:6969/announce"],
    ];

    private static readonly string[] WebSeeds = ["http://127.0.0.1:8080/seed", "http://127.0.0.1:8081/other/"];

    private readonly TempDirectory temp = new("metainfo-interop");

    public enum Layout
    {
        /// <summary>One file of three pieces and a bit.</summary>
        SingleFile,

        /// <summary>One file smaller than a piece.</summary>
        TinyFile,

        /// <summary>A folder with the edge cases of <see cref="PayloadSpec.MultiFileEdgeCases"/>.</summary>
        MultiFile,

        /// <summary>Alignment edges for v2 padding: empty files first, between and last, a file of exactly a piece.</summary>
        EndsWithEmptyFile,

        /// <summary>The last file ends exactly on a piece boundary, so there is no tail padding.</summary>
        EndsOnPieceBoundary,
    }

    [SkippableTheory]
    [InlineData(LibtorrentTorrentVersion.V1, Layout.SingleFile, false)]
    [InlineData(LibtorrentTorrentVersion.V1, Layout.TinyFile, true)]
    [InlineData(LibtorrentTorrentVersion.V1, Layout.MultiFile, true)]
    [InlineData(LibtorrentTorrentVersion.V2, Layout.SingleFile, true)]
    [InlineData(LibtorrentTorrentVersion.V2, Layout.TinyFile, false)]
    [InlineData(LibtorrentTorrentVersion.V2, Layout.MultiFile, false)]
    [InlineData(LibtorrentTorrentVersion.Hybrid, Layout.SingleFile, false)]
    [InlineData(LibtorrentTorrentVersion.Hybrid, Layout.TinyFile, true)]
    [InlineData(LibtorrentTorrentVersion.Hybrid, Layout.MultiFile, true)]
    [InlineData(LibtorrentTorrentVersion.V1, Layout.EndsWithEmptyFile, false)]
    [InlineData(LibtorrentTorrentVersion.V2, Layout.EndsWithEmptyFile, false)]
    [InlineData(LibtorrentTorrentVersion.V2, Layout.EndsOnPieceBoundary, true)]
    [InlineData(LibtorrentTorrentVersion.Hybrid, Layout.EndsWithEmptyFile, false)]
    [InlineData(LibtorrentTorrentVersion.Hybrid, Layout.EndsOnPieceBoundary, true)]
    public async Task Libtorrent_torrent_reads_as_libtorrent_reads_it(LibtorrentTorrentVersion version, Layout layout, bool isPrivate)
    {
        var (payload, files) = await CreatePayloadAsync(layout);
        var torrent = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(payload, temp.Combine("lt.torrent"))
        {
            Version = version,
            PieceLength = PieceLength,
            TrackerTiers = TrackerTiers,
            WebSeeds = WebSeeds,
            IsPrivate = isPrivate,
            Comment = Comment,
            Creator = Creator,
        });

        var (ours, reference) = await ReadBothAsync(torrent);

        AssertSameAsLibtorrent(ours, reference);
        Assert.Equal(version switch
        {
            LibtorrentTorrentVersion.V1 => TorrentVersion.V1,
            LibtorrentTorrentVersion.V2 => TorrentVersion.V2,
            _ => TorrentVersion.Hybrid,
        }, ours.Version);
        Assert.Equal(isPrivate, ours.IsPrivate);
        Assert.Equal(Comment, ours.Comment);
        Assert.Equal(Creator, ours.CreatedBy);
        Assert.Equal(TrackerTiers, ours.Trackers);
        Assert.Equal(WebSeeds, ours.WebSeeds);
        AssertFilesMatchPayload(ours, files);
    }

    [SkippableTheory]
    [InlineData(Layout.SingleFile, true)]
    [InlineData(Layout.TinyFile, false)]
    [InlineData(Layout.MultiFile, true)]
    [InlineData(Layout.MultiFile, false)]
    public async Task Mktorrent_torrent_reads_as_libtorrent_reads_it(Layout layout, bool isPrivate)
    {
        var (payload, files) = await CreatePayloadAsync(layout);
        var torrent = await Mktorrent.CreateAsync(
            payload,
            temp.Combine("mk.torrent"),
            announce: TrackerTiers.Select(tier => string.Join(',', tier)).ToList(),
            pieceLengthExponent: 15,
            isPrivate: isPrivate,
            webSeeds: WebSeeds,
            comment: Comment);

        var (ours, reference) = await ReadBothAsync(torrent);

        AssertSameAsLibtorrent(ours, reference);
        Assert.Equal(TorrentVersion.V1, ours.Version);
        Assert.Equal(PieceLength, ours.PieceLength);
        Assert.Equal(isPrivate, ours.IsPrivate);
        Assert.Equal(Comment, ours.Comment);
        Assert.StartsWith("mktorrent", ours.CreatedBy);
        Assert.Equal(TrackerTiers, ours.Trackers);
        Assert.Equal(WebSeeds, ours.WebSeeds);
        AssertFilesMatchPayload(ours, files);
    }

    [SkippableTheory]
    [InlineData(LibtorrentTorrentVersion.V1)]
    [InlineData(LibtorrentTorrentVersion.V2)]
    [InlineData(LibtorrentTorrentVersion.Hybrid)]
    public async Task Libtorrent_torrent_without_optional_fields_reads_as_libtorrent_reads_it(LibtorrentTorrentVersion version)
    {
        var (payload, files) = await CreatePayloadAsync(Layout.MultiFile);
        var torrent = await LibtorrentTool.CreateTorrentAsync(
            new LibtorrentCreateOptions(payload, temp.Combine("bare.torrent")) { Version = version, PieceLength = PieceLength });

        var (ours, reference) = await ReadBothAsync(torrent);

        AssertSameAsLibtorrent(ours, reference);
        Assert.Empty(ours.Trackers);
        Assert.Empty(ours.WebSeeds);
        Assert.False(ours.IsPrivate);
        Assert.Null(ours.Comment);
        AssertFilesMatchPayload(ours, files);
    }

    [SkippableFact]
    public async Task Mktorrent_torrent_with_one_tracker_and_no_date_reads_as_libtorrent_reads_it()
    {
        var (payload, files) = await CreatePayloadAsync(Layout.MultiFile);
        const string tracker = "http://127.0.0.1:6969/announce";
        var torrent = await Mktorrent.CreateAsync(payload, temp.Combine("mk1.torrent"), [tracker], pieceLengthExponent: 16, noDate: true);

        var (ours, reference) = await ReadBothAsync(torrent);

        AssertSameAsLibtorrent(ours, reference);
        // One tracker: mktorrent writes only "announce", so this checks the BEP 12 fallback to it.
        Assert.Empty(reference.RawAnnounceList);
        Assert.Equal([[tracker]], ours.Trackers);
        Assert.Null(ours.CreationDate);
        Assert.Equal(64 * 1024, ours.PieceLength);
        AssertFilesMatchPayload(ours, files);
    }

    [SkippableTheory]
    [InlineData(Layout.SingleFile, false)]
    [InlineData(Layout.TinyFile, true)]
    [InlineData(Layout.MultiFile, true)]
    public async Task Transmission_torrent_reads_as_libtorrent_reads_it(Layout layout, bool isPrivate)
    {
        var (payload, files) = await CreatePayloadAsync(layout);
        var trackers = TrackerTiers.SelectMany(tier => tier).ToList();
        var torrent = await TransmissionCreate.CreateAsync(
            payload, temp.Combine("tr.torrent"), trackers, pieceSizeKiB: PieceLength / 1024, isPrivate: isPrivate, comment: Comment);

        var (ours, reference) = await ReadBothAsync(torrent);

        AssertSameAsLibtorrent(ours, reference);
        Assert.Equal(TorrentVersion.V1, ours.Version);
        Assert.Equal(PieceLength, ours.PieceLength);
        Assert.Equal(isPrivate, ours.IsPrivate);
        Assert.Equal(Comment, ours.Comment);
        Assert.StartsWith("Transmission/", ours.CreatedBy);
        // transmission-create puts every tracker in a tier of its own.
        Assert.Equal(trackers.Select(url => new[] { url }), ours.Trackers);
        Assert.Empty(ours.WebSeeds);
        // ...and leaves empty files out of the torrent.
        AssertFilesMatchPayload(ours, files.Where(f => f.Length > 0).ToList());
    }

    public void Dispose() => temp.Dispose();

    private async Task<(string Payload, IReadOnlyList<PayloadFile> Files)> CreatePayloadAsync(Layout layout)
    {
        var dir = temp.CreateSubdirectory("payload");
        // The file tree sorts names, so the letters fix the order in v2 torrents as well.
        var spec = layout switch
        {
            Layout.SingleFile => PayloadSpec.SingleFile("single file.bin", 3L * PieceLength + 123),
            Layout.TinyFile => PayloadSpec.SingleFile("tiny.txt", 100),
            Layout.MultiFile => PayloadSpec.MultiFileEdgeCases("multi", PieceLength),
            Layout.EndsWithEmptyFile => new PayloadSpec("align",
            [
                new("multi/a-empty", 0),
                new("multi/b-piece", PieceLength),
                new("multi/c-empty", 0),
                new("multi/d-odd", 5),
                new("multi/e/empty-after-padding", 0),
                new("multi/f-odd", PieceLength + 7),
                new("multi/g-empty-last", 0),
            ]),
            _ => new PayloadSpec("align",
            [
                new("multi/a-odd", 3),
                new("multi/b-empty", 0),
                new("multi/c-two-pieces", 2L * PieceLength),
            ]),
        };
        var files = await Payload.CreateAsync(dir, spec);
        var payload = spec.Files.Count > 1 ? Path.Combine(dir, "multi") : files[0].FullPath;
        return (payload, files);
    }

    private static async Task<(TorrentMetainfo Ours, LibtorrentTorrentDump Libtorrent)> ReadBothAsync(string torrent)
    {
        var reference = await LibtorrentTool.DumpAsync(torrent);
        var ours = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(torrent));
        return (ours, reference);
    }

    private static void AssertSameAsLibtorrent(TorrentMetainfo ours, LibtorrentTorrentDump lt)
    {
        Assert.Equal(lt.Name, ours.Name);
        Assert.Equal(lt.InfoHashV1, ours.InfoHashV1?.ToHex());
        Assert.Equal(lt.InfoHashV2, ours.InfoHashV2?.ToHex());
        Assert.Equal(lt.PieceLength, ours.PieceLength);
        Assert.Equal(lt.PieceCount, ours.PieceCount);
        Assert.Equal(lt.IsMultiFile, ours.IsMultiFile);
        Assert.Equal(lt.IsPrivate, ours.IsPrivate);
        Assert.Equal(NullIfEmpty(lt.Comment), ours.Comment);
        Assert.Equal(NullIfEmpty(lt.Creator), ours.CreatedBy);
        Assert.Equal(lt.CreationDate == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(lt.CreationDate), ours.CreationDate);

        // Sizes: TotalSize leaves padding out; the piece space (libtorrent's total_size) keeps it.
        Assert.Equal(lt.DataFiles.Sum(f => f.Size), ours.TotalSize);

        // A v2-only torrent has no padding in the file: both sides make it up, and must agree (BEP 53 so= indices
        // count padding), including the padding libtorrent puts after the last file.
        Assert.Equal(lt.TotalSize, ours.PayloadSize);
        Assert.Equal(lt.Files.Sum(f => f.Size), ours.PayloadSize);

        // The user's files: same order, paths, lengths, places in the piece space and indices among all files.
        var prefix = lt.IsMultiFile ? lt.Name + "/" : "";
        var expectedFiles = lt.Files
            .Select((f, index) => (File: f, Index: index))
            .Where(f => !f.File.IsPadding)
            .Select(f => (Path: StripPrefix(f.File.Path, prefix), f.File.Size, f.File.Offset, f.Index, IsPadding: false))
            .ToList();
        var actualFiles = ours.Files.Select(f => (Path: string.Join('/', f.PathComponents), Size: f.Length, f.Offset, f.Index, f.IsPadding)).ToList();
        Assert.Equal(expectedFiles, actualFiles);
        Assert.All(ours.Files, f =>
        {
            Assert.False(f.IsPadding);
            Assert.Equal(string.Join(Path.DirectorySeparatorChar, f.PathComponents), f.Path);
        });

        // Every file, padding included, tiles the piece space as libtorrent lays it out, index for index. The
        // padding of a v2-only torrent is made up on both sides; libtorrent names that of a single file
        // "<name>/.pad/<n>", we ".pad/<n>" as everywhere else (padding is never written, so no path is at stake).
        string LtPath(LibtorrentFileEntry f) =>
            ours.Version == TorrentVersion.V2 && f.IsPadding ? f.Path[f.Path.LastIndexOf(".pad/", StringComparison.Ordinal)..] : StripPrefix(f.Path, prefix);
        Assert.Equal(
            lt.Files.Select((f, index) => (Path: LtPath(f), f.Size, f.Offset, f.IsPadding, Index: index)),
            ours.AllFiles.Select(f => (Path: string.Join('/', f.PathComponents), Size: f.Length, f.Offset, f.IsPadding, f.Index)));
        if (ours.Version == TorrentVersion.V2)
            Assert.All(ours.AllFiles.Where(f => f.IsPadding), f => Assert.Equal(".pad/" + f.Length, string.Join('/', f.PathComponents)));

        // Trackers: libtorrent shuffles URLs within a tier (BEP 12), so compare tier by tier as sets, and
        // the exact order against the raw announce-list.
        var ourTiers = ours.Trackers.Select(tier => tier.Order(StringComparer.Ordinal).ToList()).ToList();
        var ltTiers = lt.TrackerTiers.Select(tier => tier.Order(StringComparer.Ordinal).ToList()).ToList();
        Assert.Equal(ltTiers, ourTiers);
        var rawTiers = lt.RawAnnounceList.Count > 0
            ? lt.RawAnnounceList
            : lt.RawAnnounce is { Length: > 0 } announce ? [[announce]] : [];
        Assert.Equal(rawTiers, ours.Trackers);

        // Web seeds: the raw list is what the file says. libtorrent appends the '/' BEP 19 implies for a folder
        // whenever its own file list has more than one entry (so also for a v2 single file, given its tail padding).
        Assert.Equal(lt.RawUrlList, ours.WebSeeds);
        Assert.Equal(lt.WebSeeds, ours.WebSeeds.Select(url => lt.Files.Count > 1 && !url.EndsWith('/') ? url + "/" : url));
    }

    private static void AssertFilesMatchPayload(TorrentMetainfo ours, IReadOnlyList<PayloadFile> payload)
    {
        // The torrent lists exactly the files we wrote (order is the tool's), each with its real length.
        var prefix = ours.IsMultiFile ? ours.Name + "/" : "";
        var expected = payload.Select(f => (Path: StripPrefix(f.RelativePath, prefix), f.Length)).Order().ToList();
        var actual = ours.Files.Select(f => (Path: string.Join('/', f.PathComponents), f.Length)).Order().ToList();
        Assert.Equal(expected, actual);
        Assert.Equal(payload.Sum(f => f.Length), ours.TotalSize);
        var expectedPieces = ours.Version == TorrentVersion.V1
            ? (int)((ours.TotalSize + ours.PieceLength - 1) / ours.PieceLength)
            : ours.Files.Sum(f => (int)((f.Length + ours.PieceLength - 1) / ours.PieceLength));
        Assert.Equal(expectedPieces, ours.PieceCount);
    }

    private static string StripPrefix(string path, string prefix)
    {
        Assert.StartsWith(prefix, path, StringComparison.Ordinal);
        return path[prefix.Length..];
    }

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;
}
