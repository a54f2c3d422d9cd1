using BenchmarkDotNet.Attributes;
using Rustorrent.Pieces;

namespace Rustorrent.Benchmarks;

/// <summary>
/// The piece picker on a 4,000-piece torrent (256 KiB pieces, 1 GB) with 50 peers: 10 seeds and 40 peers
/// holding a random 50-90 % of the pieces. Picking should allocate nothing once warm.
/// </summary>
[MemoryDiagnoser]
public class PiecePickerBenchmarks
{
    private const int Pieces = 4000;
    private const int PieceLength = 256 * 1024;
    private const int PeerCount = 50;
    private const int Batch = 32;

    private readonly BlockInfo[] buffer = new BlockInfo[Batch];
    private PiecePicker steady = null!;
    private PeerHandle[] steadyPeers = [];
    private PiecePicker download = null!;
    private PeerHandle[] downloadPeers = [];

    [GlobalSetup]
    public void Setup()
    {
        (steady, steadyPeers) = NewSwarm(seed: 1);
        // Past the random-first phase, so rarest-first is what gets measured.
        for (var p = 0; p < PiecePicker.RandomFirstPieces; p++)
            steady.MarkHave(p);
        Pick_32_blocks_for_50_peers_then_choke(); // warm the piece pool
    }

    [IterationSetup(Target = nameof(Download_whole_torrent_50_peers))]
    public void SetupDownload() => (download, downloadPeers) = NewSwarm(seed: 2);

    /// <summary>50 picks of 32 blocks (1,600 blocks), then every peer chokes and the blocks return.</summary>
    [Benchmark]
    public int Pick_32_blocks_for_50_peers_then_choke()
    {
        var picked = 0;
        foreach (var peer in steadyPeers)
            picked += steady.PickBlocks(peer, buffer);
        foreach (var peer in steadyPeers)
            steady.PeerChoked(peer);
        return picked;
    }

    /// <summary>All 64,000 blocks: pick 32 per peer in turn, receive them at once, verify completed pieces.</summary>
    [Benchmark]
    public int Download_whole_torrent_50_peers()
    {
        var blocks = 0;
        while (!download.IsFinished)
        {
            foreach (var peer in downloadPeers)
            {
                var n = download.PickBlocks(peer, buffer);
                for (var i = 0; i < n; i++)
                {
                    var receipt = download.BlockReceived(peer, buffer[i]);
                    if (receipt.IsAccepted)
                        blocks++;
                    if (receipt.PieceComplete)
                        download.PieceVerified(buffer[i].Piece);
                }
            }
        }
        return blocks;
    }

    private static (PiecePicker, PeerHandle[]) NewSwarm(int seed)
    {
        var random = new Random(seed);
        var picker = new PiecePicker(new PieceLayout((long)Pieces * PieceLength, PieceLength), new Random(seed));
        var peers = new PeerHandle[PeerCount];
        var bits = new Bitfield(Pieces);
        for (var i = 0; i < PeerCount; i++)
        {
            peers[i] = picker.AddPeer();
            if (i < 10)
            {
                picker.PeerHasAll(peers[i]);
                continue;
            }
            var share = 0.5 + random.NextDouble() * 0.4;
            for (var p = 0; p < Pieces; p++)
                bits.Set(p, random.NextDouble() < share);
            picker.PeerBitfield(peers[i], bits.ToWire());
        }
        return (picker, peers);
    }
}
