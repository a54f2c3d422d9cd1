using Rustorrent.Dht;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Dht;

/// <summary>The engine keeps its DHT routing table between sessions: saved once bootstrapped, reloaded by the
/// next engine over the same data folder, which then knows nodes without any router.</summary>
public sealed class EngineDhtStateTests : IDisposable
{
    private readonly TempDirectory temp = new("engine-dht-state");

    public void Dispose() => temp.Dispose();

    [SkippableFact]
    public async Task A_new_engine_starts_from_the_nodes_the_last_one_saved()
    {
        await using var dht = await LibtorrentDhtNode.StartAsync(nodes: 3);
        var routers = dht.EndPoints.Select(e => e.ToString()).ToList();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        await using (var first = new TorrentEngine(port: 0, dht: new DhtSettings { Routers = routers, DataFolder = temp.Path }))
        {
            var node = await first.GetDhtAsync([], timeout.Token);
            Assert.NotNull(node);
            await node.Bootstrap.WaitAsync(timeout.Token);
            Assert.True(node.NodeCount >= 3, $"{node.NodeCount} nodes after bootstrapping off 3");
            // Saved without waiting for the 10-minute save or the end of the process.
            for (var i = 0; i < 100 && !File.Exists(Path.Combine(temp.Path, "dht.dat")); i++)
                await Task.Delay(50, timeout.Token);
            Assert.True(File.Exists(Path.Combine(temp.Path, "dht.dat")), "the routing table was not saved after the bootstrap");
        }

        await using var second = new TorrentEngine(port: 0, dht: new DhtSettings { Routers = [], DataFolder = temp.Path });
        var reloaded = await second.GetDhtAsync([], timeout.Token);
        Assert.NotNull(reloaded);
        Assert.True(reloaded.NodeCount >= 3, $"{reloaded.NodeCount} nodes reloaded with no router to ask");
    }
}
