using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Rustorrent.Pieces;

namespace Rustorrent.Engine.Tests.Pieces;

/// <summary>
/// Random sessions against the picker: peers come and go, announce pieces, choke, reject, deliver (some
/// pieces fail their hash check), while a model tracks every request. After every step the picker must
/// agree with the model, and no block may ever be out to two peers unless the picker is in endgame. Then a
/// seed joins and the download must finish.
/// </summary>
public sealed class PiecePickerPropertyTests
{
    private const int Block = PieceLayout.BlockSize;

    [Property(MaxTest = 60)]
    public Property Requests_stay_consistent_and_the_download_finishes(int seed) => Run(seed).ToProperty();

    [Fact]
    public void Many_seeds_in_a_row() // a fixed sweep, so a regression shows up without FsCheck's luck
    {
        for (var seed = 0; seed < 40; seed++)
            Assert.True(Run(seed), $"seed {seed}");
    }

    private static bool Run(int seed)
    {
        var random = new Random(seed);
        var pieceLength = Block * random.Next(1, 5);
        var total = (long)pieceLength * random.Next(1, 12) + random.Next(0, pieceLength);
        var layout = new PieceLayout(Math.Max(total, 1), pieceLength);
        var picker = new PiecePicker(layout, new Random(seed));
        var model = new Model(picker);
        if (random.Next(3) == 0)
        {
            var wanted = new Bitfield(layout.PieceCount);
            for (var p = 0; p < layout.PieceCount; p++)
                wanted.Set(p, random.Next(3) > 0);
            picker.SetWanted(wanted.AsReadOnly());
        }
        for (var i = 0; i < 4; i++)
            model.AddPeer(random);

        for (var step = 0; step < 300; step++)
        {
            var peer = model.Peers[random.Next(model.Peers.Count)];
            switch (random.Next(10))
            {
                case 0 or 1 or 2:
                    model.Pick(peer, random.Next(1, 9));
                    break;
                case 3 or 4 or 5:
                    model.DeliverOne(peer, random);
                    break;
                case 6:
                    model.Choke(peer);
                    break;
                case 7:
                    model.RejectOne(peer, random);
                    break;
                case 8:
                    picker.PeerHasPiece(peer, random.Next(layout.PieceCount));
                    break;
                case 9:
                    model.Remove(peer);
                    model.AddPeer(random);
                    break;
            }
            model.Check();
        }

        // A seed joins; everything must now complete.
        var seedPeer = picker.AddPeer();
        picker.PeerHasAll(seedPeer);
        model.Peers.Add(seedPeer);
        for (var round = 0; round < 10_000 && !picker.IsFinished; round++)
        {
            foreach (var peer in model.Peers.ToList())
            {
                model.Pick(peer, 4);
                model.DeliverOne(peer, random);
            }
            model.Check();
        }
        Assert.True(picker.IsFinished, $"seed {seed}: not finished");
        Assert.Equal(picker.Wanted.Count, picker.Have.CountAnd(picker.Wanted));
        return true;
    }

    private sealed class Model(PiecePicker picker)
    {
        private readonly Dictionary<BlockInfo, List<PeerHandle>> requested = [];
        private readonly HashSet<BlockInfo> received = [];
        private readonly BlockInfo[] buffer = new BlockInfo[16];
        private bool everEndgame;

        public List<PeerHandle> Peers { get; } = [];

        public void AddPeer(Random random)
        {
            var peer = picker.AddPeer();
            var count = picker.PieceCount;
            switch (random.Next(4))
            {
                case 0:
                    picker.PeerHasAll(peer);
                    break;
                case 1:
                    break;
                default:
                    picker.PeerBitfield(peer, PiecePickerTests.Wire(count, _ => random.Next(2) == 0));
                    break;
            }
            Peers.Add(peer);
        }

        public void Pick(PeerHandle peer, int count)
        {
            var n = picker.PickBlocks(peer, buffer.AsSpan(0, count));
            var duplicated = false;
            for (var i = 0; i < n; i++)
            {
                var block = buffer[i];
                Assert.True(picker.PeerHas(peer, block.Piece));
                Assert.True(picker.Wanted.Get(block.Piece));
                Assert.False(picker.Have.Get(block.Piece));
                Assert.DoesNotContain(block, received);
                Assert.True(picker.Layout.TryGetBlockIndex(block, out _));
                if (!requested.TryGetValue(block, out var by))
                    requested[block] = by = [];
                Assert.DoesNotContain(peer, by);
                by.Add(peer);
                Assert.True(by.Count <= PiecePicker.MaxRequestersPerBlock);
                duplicated |= by.Count > 1;
            }
            // Duplicates are handed out only in endgame, and taking them cannot end it.
            if (duplicated)
                Assert.True(picker.IsEndgame);
        }

        public void DeliverOne(PeerHandle peer, Random random)
        {
            var mine = requested.Where(r => r.Value.Contains(peer)).Select(r => r.Key).ToList();
            if (mine.Count == 0)
                return;
            var block = mine[random.Next(mine.Count)];
            var others = requested[block].Where(p => p != peer).ToList();
            var receipt = picker.BlockReceived(peer, block);
            Assert.Equal(BlockReceiptOutcome.Accepted, receipt.Outcome);
            Assert.Equal(others, new[] { receipt.CancelFirst, receipt.CancelSecond }.Where(p => !p.IsNone));
            requested.Remove(block);
            received.Add(block);
            if (!receipt.PieceComplete)
                return;
            var blocks = Enumerable.Range(0, picker.Layout.BlockCount(block.Piece)).Select(i => picker.Layout.Block(block.Piece, i)).ToList();
            Assert.All(blocks, b => Assert.Contains(b, received));
            if (random.Next(8) == 0)
            {
                var contributions = new List<BlockContribution>();
                picker.PieceFailed(block.Piece, contributions);
                Assert.Equal(blocks, contributions.Select(c => c.Block));
                Assert.Contains(contributions, c => c.Sender == peer);
                received.ExceptWith(blocks);
            }
            else
            {
                picker.PieceVerified(block.Piece);
            }
        }

        public void Choke(PeerHandle peer)
        {
            var mine = requested.Where(r => r.Value.Contains(peer)).ToList();
            Assert.Equal(mine.Count, picker.PeerChoked(peer));
            foreach (var (block, by) in mine)
            {
                by.Remove(peer);
                if (by.Count == 0)
                    requested.Remove(block);
            }
        }

        public void RejectOne(PeerHandle peer, Random random)
        {
            var mine = requested.Where(r => r.Value.Contains(peer)).ToList();
            if (mine.Count == 0)
                return;
            var (block, by) = mine[random.Next(mine.Count)];
            Assert.True(picker.ReleaseRequest(peer, block));
            by.Remove(peer);
            if (by.Count == 0)
                requested.Remove(block);
        }

        public void Remove(PeerHandle peer)
        {
            Choke(peer);
            picker.RemovePeer(peer);
            Peers.Remove(peer);
        }

        public void Check()
        {
            foreach (var peer in Peers)
                Assert.Equal(requested.Count(r => r.Value.Contains(peer)), picker.OutstandingRequests(peer));
            // Until endgame first begins, nothing is out twice.
            everEndgame |= picker.IsEndgame;
            if (!everEndgame)
                Assert.All(requested.Values, by => Assert.Single(by));
        }
    }
}
