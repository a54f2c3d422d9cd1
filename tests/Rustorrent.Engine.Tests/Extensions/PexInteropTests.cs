using System.Net;
using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.Peers.Extensions;
using Rustorrent.Peers.Wire;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Extensions;

/// <summary>
/// ut_pex (BEP 11) with libtorrent on 127.0.0.1, both ways: a libtorrent seeder tells us of the libtorrent
/// leecher it is connected to, and a libtorrent leecher with no peers downloads the torrent from the seeder
/// it learned of only from our PEX message.
/// </summary>
public sealed class PexInteropTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // Two libtorrent seeds would otherwise drop their connection to each other as soon as the leecher is done.
    private static readonly Dictionary<string, string> KeepSeedsConnected = new() { ["close_redundant_connections"] = "false" };

    private readonly TempDirectory temp = new("pex-interop");

    [SkippableFact]
    public async Task Libtorrent_tells_us_of_the_other_peer_it_is_connected_to()
    {
        RequiredTool.PythonWithLibtorrent();
        var (path, torrent) = await CreateTorrentAsync();
        await using var seeder = await LibtorrentSeeder.StartAsync(path, temp.Combine("seed"), settings: KeepSeedsConnected);
        await using var leecher = await LibtorrentLeecher.StartAsync(path, temp.Combine("leech"), peers: [seeder.EndPoint], settings: KeepSeedsConnected);
        await leecher.WaitForDoneAsync(Patience);
        using var timeout = new CancellationTokenSource(Patience);
        var ct = timeout.Token;

        await using var peer = await PeerConnection.ConnectAsync(
            new PeerEndpoint(IPAddress.Loopback, seeder.Port), new PeerHandshake(torrent.InfoHashV1!.Value, PeerId.Create(), PeerReservedBits.ExtensionProtocol),
            WireLimits.ForTorrent(torrent), cancellationToken: ct);
        var ids = new ExtensionIdMap();
        await peer.SendExtendedAsync(ExtensionNames.HandshakeId, new ExtensionHandshake { Messages = ids.Local, ClientName = "Rustorrent tests" }.Encode(), ct);

        var leecherAt = new PeerEndpoint(IPAddress.Loopback, leecher.Port);
        PexMessage? told = null;
        var inbox = new PexInbox();
        while (told is null)
        {
            Assert.True(await peer.ReceiveAsync(ct), "libtorrent closed the connection before sending ut_pex");
            var message = peer.Current;
            if (message.Id != PeerMessageId.Extended)
                continue;
            if (message.ExtendedId == ExtensionNames.HandshakeId)
            {
                Assert.True(ExtensionHandshake.TryParse(message.Payload, out var theirs, out var error), error);
                Assert.True(theirs!.Supports(ExtensionNames.Pex), "libtorrent offers ut_pex");
                Assert.Equal(IPAddress.Loopback, theirs.YourIp);
                ids.Update(theirs);
            }
            else if (ids.LocalName(message.ExtendedId) == ExtensionNames.Pex)
            {
                Assert.True(PexMessage.TryParse(message.Payload, out told, out var error), error);
                // The same bytes through the bounded inbox give the same peers.
                Assert.Equal(told!.Added, inbox.Receive(message.Payload, out _, out _));
            }
        }

        var added = Assert.Single(told.Added, p => p.EndPoint == leecherAt);
        // The leecher finished before we came: libtorrent flags it a seed (BEP 11 0x02).
        Assert.True(added.Flags.HasFlag(PexFlags.Seed), $"flags {added.Flags}");
        Assert.Empty(told.Dropped);
    }

    [SkippableFact]
    public async Task A_libtorrent_leecher_downloads_from_a_seeder_it_learned_of_from_our_pex_message()
    {
        RequiredTool.PythonWithLibtorrent();
        var (path, torrent) = await CreateTorrentAsync();
        await using var seeder = await LibtorrentSeeder.StartAsync(path, temp.Combine("seed"));
        // No peers and no trackers: the only way it can find the seeder is our message.
        await using var leecher = await LibtorrentLeecher.StartAsync(path, temp.Combine("leech"));
        using var timeout = new CancellationTokenSource(Patience);
        var ct = timeout.Token;

        await using var peer = await ConnectWhenReadyAsync(new PeerEndpoint(IPAddress.Loopback, leecher.Port), torrent, ct);
        var extensions = new PeerExtensions(peer.RemoteEndPoint);
        await peer.SendExtendedAsync(ExtensionNames.HandshakeId, extensions.CreateHandshake("Rustorrent tests"), ct);
        while (extensions.RemoteHandshake is null)
        {
            Assert.True(await peer.ReceiveAsync(ct), "libtorrent closed the connection before its extension handshake");
            if (peer.Current.Id == PeerMessageId.Extended)
                Assert.NotEqual(ExtensionEventKind.Malformed, extensions.Receive(peer.Current.ExtendedId, peer.Current.Payload).Kind);
        }
        Assert.True(extensions.RemoteHandshake.Supports(ExtensionNames.Pex), "libtorrent offers ut_pex");

        PexPeer[] connected = [new PexPeer(new PeerEndpoint(IPAddress.Loopback, seeder.Port), PexFlags.Seed | PexFlags.Reachable)];
        Assert.True(extensions.TryCreatePex(connected, out var pexId, out var pex));
        await peer.SendExtendedAsync(pexId, pex, ct);
        Assert.False(extensions.TryCreatePex(connected, out _, out _), "one message a minute (BEP 11)");
        // Keep reading (and so the connection open) while libtorrent dials the seeder.
        var draining = Task.Run(async () =>
        {
            while (await peer.ReceiveAsync(ct))
            {
            }
        }, ct);

        Assert.Equal(torrent.TotalSize, await leecher.WaitForDoneAsync(Patience, ct));
        Assert.False(draining.IsFaulted, draining.Exception?.ToString());
    }

    public void Dispose() => temp.Dispose();

    // A torrent libtorrent has just added refuses connections until it has checked its (empty) files; it says
    // READY as soon as it listens, so the first dials may be closed at the handshake.
    private static async Task<PeerConnection> ConnectWhenReadyAsync(PeerEndpoint endpoint, TorrentMetainfo torrent, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await PeerConnection.ConnectAsync(
                    endpoint, new PeerHandshake(torrent.InfoHashV1!.Value, PeerId.Create(), PeerReservedBits.ExtensionProtocol), WireLimits.ForTorrent(torrent), cancellationToken: ct);
            }
            catch (PeerProtocolException) when (attempt < 20)
            {
                await Task.Delay(250, ct);
            }
        }
    }

    private async Task<(string Path, TorrentMetainfo Torrent)> CreateTorrentAsync()
    {
        var files = await Payload.CreateAsync(temp.CreateSubdirectory("seed"), PayloadSpec.SingleFile("pex.bin", 256 * 1024, seed: "pex"));
        var path = await LibtorrentTool.CreateTorrentAsync(new LibtorrentCreateOptions(files[0].FullPath, temp.Combine("pex.torrent"))
        {
            Version = LibtorrentTorrentVersion.V1,
            PieceLength = 16 * 1024,
        });
        return (path, TorrentMetainfo.Parse(await File.ReadAllBytesAsync(path)));
    }
}
