using System.Net;
using System.Runtime.CompilerServices;
using Rustorrent.Metadata;
using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Metadata;

/// <summary>
/// Peers that lie or send garbage, written with raw bytes, next to an honest libtorrent seeder: the fetcher
/// drops each hostile peer by itself (the raw peer sees its connection closed before the honest one is even
/// offered), and then gets the right metadata from libtorrent.
/// </summary>
public sealed class HostileMetadataPeerTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory temp = new("metadata-hostile");

    public enum Hostility
    {
        TwoGigabyteMetadataSize,
        WrongMetadata,
        HandshakeNotBencode,
        HandshakeMNotADictionary,
        NoUtMetadata,
        NoMetadataSize,
        DataNotBencode,
        PieceLongerThan16KiB,
        PieceOfTheWrongLength,
        UnaskedPiece,
        TotalSizeDiffersFromTheClaim,
        NoExtensionProtocol,
        Silent,
    }

    [Fact]
    public async Task A_metadata_size_of_2_GB_is_refused_without_allocating_it()
    {
        var info = MetadataTestData.InfoDictionary();
        var hash = MetadataTestData.V1Hash(info);
        await using var liar = new ScriptedMetadataPeer();
        liar.Start(hash, ScriptedMetadataPeer.Handshake(2_147_483_648L), (_, _) => null);
        using var timeout = new CancellationTokenSource(Patience);
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var error = await Assert.ThrowsAsync<MetadataFetchException>(() =>
            MetadataFetcher.FetchAsync(hash, PeerId.Create(), 0, MetadataInteropFixture.Peers(liar.EndPoint), cancellationToken: timeout.Token));

        // Other tests may run meanwhile; a 2 GB buffer would still stand out by far.
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 512L * 1024 * 1024);
        var failure = Assert.Single(error.PeerFailures);
        Assert.Equal(liar.EndPoint, failure.Key);
        Assert.Contains("metadata_size of 2,147,483,648 bytes", failure.Value);
        Assert.Contains("1 tried", error.Message);
        await liar.Ended.WaitAsync(Patience);
        Assert.True(liar.ClosedByFetcher);
        Assert.Empty(liar.Requests);
    }

    [SkippableTheory]
    [InlineData(Hostility.TwoGigabyteMetadataSize, "metadata_size of 2,147,483,648 bytes")]
    [InlineData(Hostility.WrongMetadata, "does not hash to the info hash")]
    [InlineData(Hostility.HandshakeNotBencode, "malformed extension handshake")]
    [InlineData(Hostility.HandshakeMNotADictionary, "\"m\" is not a dictionary")]
    [InlineData(Hostility.NoUtMetadata, "does not speak ut_metadata")]
    [InlineData(Hostility.NoMetadataSize, "gives no metadata_size")]
    [InlineData(Hostility.DataNotBencode, "malformed ut_metadata message")]
    [InlineData(Hostility.PieceLongerThan16KiB, "pieces are at most 16,384")]
    [InlineData(Hostility.PieceOfTheWrongLength, "not the piece's length")]
    [InlineData(Hostility.UnaskedPiece, "which we did not ask it for")]
    [InlineData(Hostility.TotalSizeDiffersFromTheClaim, "after claiming")]
    [InlineData(Hostility.NoExtensionProtocol, "does not speak the extension protocol")]
    [InlineData(Hostility.Silent, "did not answer a metadata request within 2 s")]
    public async Task A_hostile_peer_is_dropped_and_an_honest_libtorrent_seeder_gives_the_metadata(Hostility hostility, string reason)
    {
        RequiredTool.PythonWithLibtorrent();
        var (path, torrent) = await MetadataInteropFixture.CreateTorrentAsync(temp, LibtorrentTorrentVersion.V1);
        await using var seeder = await LibtorrentSeeder.StartAsync(path, temp.Combine("seed"));
        var info = torrent.InfoDictionary.ToArray();
        var size = info.Length;
        await using var hostile = new ScriptedMetadataPeer();
        var (handshake, answer) = Script(hostility, info);
        hostile.Start(torrent.InfoHashV1!.Value, handshake, answer);
        using var timeout = new CancellationTokenSource(Patience);

        var result = await MetadataFetcher.FetchAsync(
            torrent.InfoHashV1!.Value, PeerId.Create(), 0,
            HostileFirst(hostile, new PeerEndpoint(IPAddress.Loopback, seeder.Port), timeout.Token),
            options: new MetadataFetcherOptions { RequestTimeout = TimeSpan.FromSeconds(2) },
            cancellationToken: timeout.Token);

        Assert.Equal(Convert.ToHexString(info), Convert.ToHexString(result.InfoDictionary.Span));
        Assert.True(hostile.ClosedByFetcher, "the fetcher closed the hostile peer's connection");
        Assert.Equal([new PeerEndpoint(IPAddress.Loopback, seeder.Port)], result.Sources);
        var failure = Assert.Single(result.PeerFailures, f => f.Key == hostile.EndPoint);
        Assert.Contains(reason, failure.Value);
        Assert.Equal(hostility is Hostility.WrongMetadata or Hostility.PieceOfTheWrongLength ? [hostile.EndPoint] : [], result.Liars);
        Assert.Equal(size, result.Metainfo.InfoDictionary.Length);
    }

    [SkippableFact]
    public async Task Liars_and_an_honest_seeder_at_once_the_metadata_is_right_and_only_liars_are_blamed()
    {
        RequiredTool.PythonWithLibtorrent();
        var (path, torrent) = await MetadataInteropFixture.CreateTorrentAsync(temp, LibtorrentTorrentVersion.V1);
        await using var seeder = await LibtorrentSeeder.StartAsync(path, temp.Combine("seed"));
        var info = torrent.InfoDictionary.ToArray();
        await using var liar1 = new ScriptedMetadataPeer();
        await using var liar2 = new ScriptedMetadataPeer();
        foreach (var liar in new[] { liar1, liar2 })
        {
            var (handshake, answer) = Script(Hostility.WrongMetadata, info);
            liar.Start(torrent.InfoHashV1!.Value, handshake, answer);
        }
        var honest = new PeerEndpoint(IPAddress.Loopback, seeder.Port);
        using var timeout = new CancellationTokenSource(Patience);

        // One request per peer at a time, so that pieces are spread over liars and the seeder, whatever the order.
        var result = await MetadataFetcher.FetchAsync(
            torrent.InfoHashV1!.Value, PeerId.Create(), 0, MetadataInteropFixture.Peers(liar1.EndPoint, honest, liar2.EndPoint),
            options: new MetadataFetcherOptions { MaxRequestsPerPeer = 1 }, cancellationToken: timeout.Token);

        Assert.Equal(Convert.ToHexString(info), Convert.ToHexString(result.InfoDictionary.Span));
        Assert.DoesNotContain(honest, result.Liars);
        Assert.All(result.Liars, l => Assert.Contains(l, new[] { liar1.EndPoint, liar2.EndPoint }));
        Assert.Equal([honest], result.Sources);
    }

    [SkippableFact]
    public async Task A_peer_without_the_metadata_tells_us_through_PEX_of_one_that_has_it()
    {
        RequiredTool.PythonWithLibtorrent();
        var (path, torrent) = await MetadataInteropFixture.CreateTorrentAsync(temp, LibtorrentTorrentVersion.V1);
        await using var seeder = await LibtorrentSeeder.StartAsync(path, temp.Combine("seed"));
        var seederAt = new PeerEndpoint(IPAddress.Loopback, seeder.Port);
        await using var pointer = new ScriptedMetadataPeer();
        // It claims the metadata, names the seeder in a ut_pex message (libtorrent's format, by hand), then rejects every request.
        byte[] pex = [.. "d5:added6:"u8, .. seederAt.ToCompact(), .. "7:added.f1:"u8, 0x12, .. "7:dropped0:e"u8];
        pointer.Start(torrent.InfoHashV1!.Value, ScriptedMetadataPeer.Handshake(torrent.InfoDictionary.Length),
            (piece, id) => ScriptedMetadataPeer.Extended(id, System.Text.Encoding.ASCII.GetBytes($"d8:msg_typei2e5:piecei{piece}ee")), pex);
        using var timeout = new CancellationTokenSource(Patience);

        var result = await MetadataFetcher.FetchAsync(
            torrent.InfoHashV1!.Value, PeerId.Create(), 0, MetadataInteropFixture.Peers(pointer.EndPoint), cancellationToken: timeout.Token);

        Assert.Equal(Convert.ToHexString(torrent.InfoDictionary.Span), Convert.ToHexString(result.InfoDictionary.Span));
        Assert.Equal([seederAt], result.LearnedPeers);
        Assert.Equal([seederAt], result.Sources);
        Assert.Equal(2, result.PeersTried);
        Assert.Contains(result.PeerFailures, f => f.Key == pointer.EndPoint && f.Value.Contains("rejected", StringComparison.Ordinal));
    }

    // The honest seeder is offered only once the fetcher has dropped the hostile peer, so that the hostile
    // peer's part is played out whatever the timing.
    private static async IAsyncEnumerable<PeerEndpoint> HostileFirst(ScriptedMetadataPeer hostile, PeerEndpoint honest, [EnumeratorCancellation] CancellationToken ct)
    {
        yield return hostile.EndPoint;
        await hostile.Ended.WaitAsync(Patience, ct);
        yield return honest;
    }

    private static (byte[] Handshake, Func<int, byte, byte[]?> Answer) Script(Hostility hostility, byte[] info)
    {
        var size = info.Length;
        var honestHandshake = ScriptedMetadataPeer.Handshake(size);
        byte[] Piece(int piece) => info.AsSpan(piece * 16384, Math.Min(16384, size - piece * 16384)).ToArray();
        return hostility switch
        {
            Hostility.TwoGigabyteMetadataSize => (ScriptedMetadataPeer.Handshake(2_147_483_648L), (_, _) => null),
            Hostility.WrongMetadata => (honestHandshake, (piece, id) =>
            {
                var lie = Piece(piece);
                Array.Reverse(lie);
                return ScriptedMetadataPeer.DataMessage(id, piece, size, lie);
            }),
            Hostility.HandshakeNotBencode => ("d1:md11:ut_metadatai3e"u8.ToArray(), (_, _) => null),
            Hostility.HandshakeMNotADictionary => ("d1:ml11:ut_metadatai3ee13:metadata_sizei100ee"u8.ToArray(), (_, _) => null),
            Hostility.NoUtMetadata => (System.Text.Encoding.ASCII.GetBytes($"d1:md6:ut_pexi1ee13:metadata_sizei{size}ee"), (_, _) => null),
            Hostility.NoMetadataSize => ("d1:md11:ut_metadatai3eee"u8.ToArray(), (_, _) => null),
            Hostility.DataNotBencode => (honestHandshake, (_, id) => ScriptedMetadataPeer.Extended(id, "d8:msg_typei1e5:piece"u8.ToArray())),
            Hostility.PieceLongerThan16KiB => (honestHandshake, (piece, id) => ScriptedMetadataPeer.DataMessage(id, piece, size, new byte[16385])),
            Hostility.PieceOfTheWrongLength => (honestHandshake, (piece, id) => ScriptedMetadataPeer.DataMessage(id, piece, size, new byte[100])),
            Hostility.UnaskedPiece => (honestHandshake, (_, id) => ScriptedMetadataPeer.DataMessage(id, 2047, size, new byte[100])),
            Hostility.TotalSizeDiffersFromTheClaim => (honestHandshake, (piece, id) => ScriptedMetadataPeer.DataMessage(id, piece, size + 1, Piece(piece))),
            Hostility.NoExtensionProtocol => ([], (_, _) => null),
            Hostility.Silent => (honestHandshake, (_, _) => null),
            _ => throw new ArgumentOutOfRangeException(nameof(hostility)),
        };
    }

    public void Dispose() => temp.Dispose();
}
