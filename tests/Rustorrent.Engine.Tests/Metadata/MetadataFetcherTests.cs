using System.Runtime.CompilerServices;
using Rustorrent.Metadata;
using Rustorrent.Peers;

namespace Rustorrent.Engine.Tests.Metadata;

/// <summary><see cref="MetadataFetcher"/> against scripted peers in this process (the libtorrent cases are in
/// <see cref="MetadataInteropTests"/> and <see cref="HostileMetadataPeerTests"/>).</summary>
public sealed class MetadataFetcherTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly byte[] info = MetadataTestData.InfoDictionary();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Fetches_from_several_peers_at_once_and_verifies_by_v1_or_v2_hash(bool v2)
    {
        var hash = v2 ? MetadataTestData.V2Hash(info) : MetadataTestData.V1Hash(info);
        var peers = new[] { new ScriptedMetadataPeer(), new ScriptedMetadataPeer(), new ScriptedMetadataPeer() };
        try
        {
            foreach (var peer in peers)
                peer.Start(hash, ScriptedMetadataPeer.Handshake(info.Length), Honest);
            using var timeout = new CancellationTokenSource(Patience);

            var result = await MetadataFetcher.FetchAsync(
                hash, PeerId.Create(), 6881, MetadataInteropFixture.Peers([.. peers.Select(p => p.EndPoint)]),
                options: new MetadataFetcherOptions { MaxRequestsPerPeer = 1 }, cancellationToken: timeout.Token);

            Assert.Equal(info, result.InfoDictionary.ToArray());
            Assert.Equal("file.bin", result.Metainfo.Name);
            Assert.Equal(MetadataTestData.V1Hash(info), result.Metainfo.InfoHashV1);
            Assert.InRange(result.PeersTried, 1, 3); // the fetch may be done before the last is dialled
            Assert.Empty(result.Liars);
            // Each piece was asked once: no peer is asked for what another already gave.
            Assert.Equal(3, peers.Sum(p => p.Requests.Count));
            Assert.All(result.Sources, s => Assert.Contains(s, peers.Select(p => p.EndPoint)));
        }
        finally
        {
            foreach (var peer in peers)
                await peer.DisposeAsync();
        }
    }

    [Fact]
    public async Task When_every_peer_fails_the_error_names_each_one_and_the_sources_failure()
    {
        var hash = MetadataTestData.V1Hash(info);
        await using var silent = new ScriptedMetadataPeer();
        await using var noSize = new ScriptedMetadataPeer();
        silent.Start(hash, ScriptedMetadataPeer.Handshake(info.Length), (_, _) => null);
        noSize.Start(hash, "d1:md11:ut_metadatai3eee"u8.ToArray(), (_, _) => null);
        using var timeout = new CancellationTokenSource(Patience);

        var error = await Assert.ThrowsAsync<MetadataFetchException>(() => MetadataFetcher.FetchAsync(
            hash, PeerId.Create(), 0, ThenFail([silent.EndPoint, noSize.EndPoint]),
            options: new MetadataFetcherOptions { RequestTimeout = TimeSpan.FromSeconds(1) }, cancellationToken: timeout.Token));

        Assert.Contains("2 tried", error.Message);
        Assert.Contains("the peer source failed: the tracker went away", error.Message);
        Assert.Contains(error.PeerFailures, f => f.Key == silent.EndPoint && f.Value.Contains("did not answer", StringComparison.Ordinal));
        Assert.Contains(error.PeerFailures, f => f.Key == noSize.EndPoint && f.Value.Contains("no metadata_size", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancelling_closes_every_connection()
    {
        var hash = MetadataTestData.V1Hash(info);
        await using var silent = new ScriptedMetadataPeer();
        silent.Start(hash, ScriptedMetadataPeer.Handshake(info.Length), (_, _) => null);
        using var cancel = new CancellationTokenSource();

        var fetch = MetadataFetcher.FetchAsync(hash, PeerId.Create(), 0, MetadataInteropFixture.Peers(silent.EndPoint), cancellationToken: cancel.Token);
        await silent.FirstRequest.WaitAsync(Patience);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fetch.WaitAsync(Patience));
        await silent.Ended.WaitAsync(Patience);
        Assert.True(silent.ClosedByFetcher);
    }

    [Fact]
    public async Task The_same_peer_offered_twice_is_dialled_once()
    {
        var hash = MetadataTestData.V1Hash(info);
        await using var peer = new ScriptedMetadataPeer();
        peer.Start(hash, ScriptedMetadataPeer.Handshake(info.Length), Honest);
        using var timeout = new CancellationTokenSource(Patience);

        var result = await MetadataFetcher.FetchAsync(hash, PeerId.Create(), 0, MetadataInteropFixture.Peers(peer.EndPoint, peer.EndPoint, peer.EndPoint), cancellationToken: timeout.Token);

        Assert.Equal(1, result.PeersTried);
        Assert.Equal([peer.EndPoint], result.Sources);
    }

    [Fact]
    public async Task An_endless_source_of_dead_peers_ends_after_the_most_peers_tried()
    {
        using var timeout = new CancellationTokenSource(Patience);

        var error = await Assert.ThrowsAsync<MetadataFetchException>(() => MetadataFetcher.FetchAsync(
            MetadataTestData.V1Hash(info), PeerId.Create(), 0, ClosedPortsForever(timeout.Token),
            options: new MetadataFetcherOptions { MaxPeersTried = 5 }, cancellationToken: timeout.Token));

        Assert.Contains("5 tried", error.Message);
        Assert.Equal(5, error.PeerFailures.Count);
    }

    private static async IAsyncEnumerable<PeerEndpoint> ClosedPortsForever([EnumeratorCancellation] CancellationToken ct = default)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            // A port that was just free and is closed again: the dial is refused at once.
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            await Task.Yield();
            yield return new PeerEndpoint(System.Net.IPAddress.Loopback, port);
        }
    }

    private byte[] Honest(int piece, byte fetchersId) =>
        ScriptedMetadataPeer.DataMessage(fetchersId, piece, info.Length, info.AsSpan(piece * 16384, Math.Min(16384, info.Length - piece * 16384)));

    private static async IAsyncEnumerable<PeerEndpoint> ThenFail(PeerEndpoint[] peers, [EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var peer in peers)
        {
            await Task.Yield();
            yield return peer;
        }
        await Task.Delay(10, ct);
        throw new InvalidOperationException("the tracker went away");
    }
}
