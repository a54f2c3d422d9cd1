using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Rustorrent.Metadata;
using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.Peers.Extensions;
using Rustorrent.Peers.Wire;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Metadata;

/// <summary>
/// ut_metadata (BEP 9) against libtorrent on 127.0.0.1, both ways: we fetch a torrent's info dictionary from
/// libtorrent seeders knowing only its info hash, and a libtorrent leecher given only a magnet link fetches it
/// from us (libtorrent checks it against the info hash before it says it has it).
/// </summary>
public sealed class MetadataInteropTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory temp = new("metadata-interop");

    [SkippableTheory]
    [InlineData(LibtorrentTorrentVersion.V1, false, 2)]
    [InlineData(LibtorrentTorrentVersion.Hybrid, false, 1)]
    [InlineData(LibtorrentTorrentVersion.Hybrid, true, 1)]
    [InlineData(LibtorrentTorrentVersion.V2, true, 1)]
    public async Task We_fetch_the_info_dictionary_from_libtorrent_given_only_the_info_hash(LibtorrentTorrentVersion version, bool byV2Hash, int seeders)
    {
        RequiredTool.PythonWithLibtorrent();
        var (path, torrent) = await MetadataInteropFixture.CreateTorrentAsync(temp, version);
        var running = new List<LibtorrentSeeder>();
        try
        {
            for (var i = 0; i < seeders; i++)
                running.Add(await LibtorrentSeeder.StartAsync(path, temp.Combine("seed")));
            using var timeout = new CancellationTokenSource(Patience);
            var hash = byV2Hash ? torrent.InfoHashV2!.Value : torrent.InfoHashV1!.Value;
            string[][] trackers = [["http://127.0.0.1:1/announce"], ["udp://127.0.0.1:2"]];

            var result = await MetadataFetcher.FetchAsync(
                hash, PeerId.Create(), listenPort: 0,
                MetadataInteropFixture.Peers([.. running.Select(s => new PeerEndpoint(IPAddress.Loopback, s.Port))]),
                trackers, cancellationToken: timeout.Token);

            Assert.Equal(Convert.ToHexString(torrent.InfoDictionary.Span), Convert.ToHexString(result.InfoDictionary.Span));
            Assert.Equal(torrent.InfoHashV1, result.Metainfo.InfoHashV1);
            Assert.Equal(torrent.InfoHashV2, result.Metainfo.InfoHashV2);
            Assert.Equal(torrent.Name, result.Metainfo.Name);
            Assert.Equal(torrent.PieceCount, result.Metainfo.PieceCount);
            Assert.Equal(trackers, result.Metainfo.Trackers);
            Assert.NotEmpty(result.Sources);
            Assert.Empty(result.Liars);
        }
        finally
        {
            foreach (var seeder in running)
                await seeder.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task A_magnets_peers_are_dialled_and_its_trackers_kept()
    {
        RequiredTool.PythonWithLibtorrent();
        var (path, torrent) = await MetadataInteropFixture.CreateTorrentAsync(temp, LibtorrentTorrentVersion.Hybrid);
        await using var seeder = await LibtorrentSeeder.StartAsync(path, temp.Combine("seed"));
        // The seeder is named only by the magnet's x.pe (BEP 9); the candidate stream is empty.
        var magnet = MagnetLink.Parse(torrent.ToMagnetUri() + $"&tr=http%3A%2F%2F127.0.0.1%3A1%2Fannounce&tr=udp%3A%2F%2F127.0.0.1%3A2&x.pe=127.0.0.1:{seeder.Port}");
        using var timeout = new CancellationTokenSource(Patience);

        var result = await MetadataFetcher.FetchAsync(magnet, PeerId.Create(), 0, MetadataInteropFixture.Peers(), cancellationToken: timeout.Token);

        Assert.Equal(torrent.InfoHashV2, result.Metainfo.InfoHashV2);
        Assert.Equal([["http://127.0.0.1:1/announce"], ["udp://127.0.0.1:2"]], result.Metainfo.Trackers);
    }

    [SkippableTheory]
    [InlineData(LibtorrentTorrentVersion.V1)]
    [InlineData(LibtorrentTorrentVersion.Hybrid)]
    [InlineData(LibtorrentTorrentVersion.V2)]
    public async Task A_libtorrent_leecher_with_only_a_magnet_fetches_the_metadata_from_us(LibtorrentTorrentVersion version)
    {
        RequiredTool.PythonWithLibtorrent();
        var (_, torrent) = await MetadataInteropFixture.CreateTorrentAsync(temp, version);
        var responder = MetadataResponder.For(torrent);
        var limits = WireLimits.ForTorrent(torrent);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var timeout = new CancellationTokenSource(Patience);
        var ct = timeout.Token;
        // libtorrent dials with MSE/PE first unless told not to; we speak plain BEP 3.
        await using var leecher = await LibtorrentLeecher.StartAsync(torrent.ToMagnetUri(), temp.Combine("leech"), peers: [(IPEndPoint)listener.LocalEndpoint],
            settings: new Dictionary<string, string> { ["out_enc_policy"] = "2" });

        var wireHashes = new[] { torrent.InfoHashV1, torrent.InfoHashV2 is { } v2 ? new InfoHash(v2.Truncated) : (InfoHash?)null };
        await using var peer = await PeerConnection.AcceptAsync(
            await listener.AcceptSocketAsync(ct), PeerId.Create(), PeerReservedBits.ExtensionProtocol | PeerReservedBits.FastExtension,
            h => wireHashes.Contains(h) ? limits : null, cancellationToken: ct);
        var serving = ServeMetadataAsync(peer, responder, ct);

        var line = await leecher.Process.WaitForOutputAsync(l => l.StartsWith("METADATA ", StringComparison.Ordinal), Patience, ct);

        // libtorrent's own info section, byte for byte ours: same SHA-1, and the name it read from it.
        Assert.Equal($"METADATA {Convert.ToHexStringLower(SHA1.HashData(torrent.InfoDictionary.Span))} {torrent.Name}", line);
        Assert.False(serving.IsFaulted, serving.Exception?.ToString());
        Assert.True(servedPieces >= (torrent.InfoDictionary.Length + 16383) / 16384, $"served {servedPieces} pieces");
    }

    private int servedPieces;

    // A peer session that only speaks BEP 10 and serves the metadata, as the download's session would with PeerExtensions.
    private async Task ServeMetadataAsync(PeerConnection peer, MetadataResponder responder, CancellationToken ct)
    {
        var extensions = new PeerExtensions(peer.RemoteEndPoint, responder);
        await peer.SendExtendedAsync(ExtensionNames.HandshakeId, extensions.CreateHandshake("Rustorrent tests"), ct);
        await peer.SendAsync(PeerMessageId.HaveNone, ct);
        try
        {
            while (await peer.ReceiveAsync(ct))
            {
                var message = peer.Current;
                if (message.Id != PeerMessageId.Extended)
                    continue;
                var outcome = extensions.Receive(message.ExtendedId, message.Payload);
                Assert.True(outcome.Kind is not ExtensionEventKind.Malformed, outcome.Problem);
                if (outcome.Kind == ExtensionEventKind.MetadataRequest)
                {
                    await peer.SendExtendedAsync(outcome.ReplyId, outcome.Reply, ct);
                    Interlocked.Increment(ref servedPieces);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or PeerProtocolException or IOException or ObjectDisposedException)
        {
            // The test is over, or libtorrent went away with its metadata.
        }
    }

    public void Dispose() => temp.Dispose();
}
