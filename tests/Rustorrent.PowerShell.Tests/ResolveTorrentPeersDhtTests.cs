using System.Globalization;
using Rustorrent.PowerShell.Tests.Infrastructure;
using Rustorrent.TestKit;

namespace Rustorrent.PowerShell.Tests;

/// <summary>Resolve-TorrentPeers on a bare info hash: no tracker, only a small DHT of python3-libtorrent nodes
/// on 127.0.0.1 (one of them announced as a peer of the torrent), joined through -DhtBootstrap.</summary>
public sealed class ResolveTorrentPeersDhtTests : IDisposable
{
    private readonly TempDirectory temp = new("resolve-dht");

    public void Dispose() => temp.Dispose();

    [SkippableFact]
    public async Task A_bare_info_hash_resolves_through_the_dht_alone()
    {
        RequiredTool.PythonWithLibtorrent();
        var infoHash = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20)).ToLowerInvariant();
        await using var dht = await LibtorrentDhtNode.StartAsync(nodes: 3, announceHex: infoHash);
        using var shell = new PowerShellSession(temp.Path);
        var bootstrap = string.Join(',', dht.Ports.Select(p => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture)));

        var result = shell.Invoke("Resolve-TorrentPeers -InfoHash $args[0] -DhtBootstrap ($args[1] -split ',') -Timeout 20", infoHash, bootstrap);

        var peer = Assert.Single(result.OutputOf("TorrentPeer"), p => (int)p.Port == dht.AnnouncingPort);
        Assert.Equal("Dht", peer.Source.ToString());
        Assert.Empty(result.Errors);
    }
}
