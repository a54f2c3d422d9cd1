using Rustorrent.Pieces;

namespace Rustorrent.Engine.Tests.Pieces;

public sealed class PiecePickerTests
{
    private const int Block = PieceLayout.BlockSize;

    [Fact]
    public void Picks_rarest_first_once_the_random_phase_is_over()
    {
        // Pieces 0-3 are ours; availabilities of pieces 4..9 are 5, 1, 4, 2, 6, 3 (one-block pieces).
        var picker = NewPicker(10, Block, seed: 1);
        for (var p = 0; p < PiecePicker.RandomFirstPieces; p++)
            picker.MarkHave(p);
        int[] availability = [0, 0, 0, 0, 5, 1, 4, 2, 6, 3];
        for (var i = 0; i < 6; i++)
        {
            var peer = picker.AddPeer();
            picker.PeerBitfield(peer, Wire(10, p => availability[p] > i));
        }
        var asker = picker.AddPeer();
        picker.PeerBitfield(asker, Wire(10, p => p >= 4 && p != 8));

        var picked = PickOneByOne(picker, asker);

        // The asker itself adds one to each piece it has; piece 8 it lacks.
        Assert.Equal([5, 7, 9, 6, 4], picked.Select(b => b.Piece));
        Assert.Equal(2, picker.Availability(5));
        Assert.Equal(6, picker.Availability(8));
    }

    [Fact]
    public void Breaks_ties_at_random_and_repeatably_for_a_seed()
    {
        var firsts = new HashSet<int>();
        for (var seed = 0; seed < 40; seed++)
        {
            var picker = NewPicker(20, Block, seed);
            for (var p = 0; p < PiecePicker.RandomFirstPieces; p++)
                picker.MarkHave(p);
            var peer = picker.AddPeer();
            picker.PeerBitfield(peer, Wire(20, _ => true));
            var first = PickOneByOne(picker, peer).Select(b => b.Piece).ToList();

            Assert.Equal(Enumerable.Range(4, 16), first.Order());
            firsts.Add(first[0]);

            var again = NewPicker(20, Block, seed);
            for (var p = 0; p < PiecePicker.RandomFirstPieces; p++)
                again.MarkHave(p);
            var samePeer = again.AddPeer();
            again.PeerBitfield(samePeer, Wire(20, _ => true));
            Assert.Equal(first, PickOneByOne(again, samePeer).Select(b => b.Piece));
        }
        Assert.True(firsts.Count >= 5, $"only {firsts.Count} different first picks in 40 seeds");
    }

    [Fact]
    public void First_pieces_are_random_not_rarest()
    {
        // Piece 0 is the rarest; during the random phase it must not always be the first pick.
        var firsts = new HashSet<int>();
        for (var seed = 0; seed < 40; seed++)
        {
            var picker = NewPicker(16, Block, seed);
            var common = picker.AddPeer();
            picker.PeerBitfield(common, Wire(16, p => p != 0));
            var asker = picker.AddPeer();
            picker.PeerHasAll(asker);
            firsts.Add(Pick(picker, asker, 1).Single().Piece);
        }
        Assert.True(firsts.Count >= 5, $"only {firsts.Count} different first picks in 40 seeds");
    }

    [Fact]
    public void Random_phase_ends_after_four_pieces()
    {
        for (var seed = 0; seed < 10; seed++)
        {
            var picker = NewPicker(16, Block, seed);
            var common = picker.AddPeer();
            picker.PeerBitfield(common, Wire(16, p => p != 11));
            var asker = picker.AddPeer();
            picker.PeerBitfield(asker, Wire(16, p => p != 11));
            for (var i = 0; i < PiecePicker.RandomFirstPieces; i++)
            {
                var block = Pick(picker, asker, 1).Single();
                Receive(picker, asker, block);
                picker.PieceVerified(block.Piece);
            }

            // Now the asker gets piece 11, which only it has: the rarest, so the next pick.
            Assert.True(picker.PeerHasPiece(asker, 11));
            Assert.Equal(1, picker.Availability(11));
            Assert.Equal(11, Pick(picker, asker, 1).Single().Piece);
        }
    }

    [Fact]
    public void Finishes_a_started_piece_before_starting_a_rarer_one()
    {
        var picker = NewPicker(6, 4 * Block, seed: 7);
        for (var p = 0; p < PiecePicker.RandomFirstPieces; p++)
            picker.MarkHave(p);
        var a = picker.AddPeer();
        picker.PeerBitfield(a, Wire(6, p => p == 4));
        var b = picker.AddPeer();
        picker.PeerBitfield(b, Wire(6, p => p >= 4));
        var c = picker.AddPeer();
        picker.PeerBitfield(c, Wire(6, p => p == 4));

        Assert.Equal([B(4, 0), B(4, 1)], Pick(picker, a, 2));
        // Piece 5 is rarer (only b has it), but piece 4 is started: b finishes it first.
        Assert.Equal([B(4, 2), B(4, 3), B(5, 0)], Pick(picker, b, 3));
    }

    [Fact]
    public void Never_asks_for_a_block_twice_outside_endgame()
    {
        var picker = NewPicker(3, 2 * Block, seed: 2);
        var a = picker.AddPeer();
        var b = picker.AddPeer();
        var c = picker.AddPeer();
        picker.PeerBitfield(a, Wire(3, p => p < 2));
        picker.PeerBitfield(b, Wire(3, p => p == 0));
        picker.PeerBitfield(c, Wire(3, p => p == 2));

        var forA = Pick(picker, a, 8);
        Assert.Equal([B(0, 0), B(0, 1), B(1, 0), B(1, 1)], forA.Order(BlockOrder));
        // Piece 2 is still free (c has it), so this is not endgame: b, which has only piece 0, gets nothing.
        Assert.False(picker.IsEndgame);
        Assert.Empty(Pick(picker, b, 8));

        Assert.Equal([B(2, 0), B(2, 1)], Pick(picker, c, 8));
        // Now everything is requested: b may double a's requests of piece 0.
        Assert.True(picker.IsEndgame);
        Assert.Equal([B(0, 0), B(0, 1)], Pick(picker, b, 8));
    }

    [Fact]
    public void Endgame_duplicates_the_last_requests_and_names_whom_to_cancel()
    {
        var picker = NewPicker(2, 2 * Block, seed: 5);
        var a = picker.AddPeer();
        var b = picker.AddPeer();
        var c = picker.AddPeer();
        picker.PeerHasAll(a);
        picker.PeerHasAll(b);
        picker.PeerHasAll(c);

        var forA = Pick(picker, a, 10);
        Assert.Equal(4, forA.Count);
        Assert.True(picker.IsEndgame);

        var forB = Pick(picker, b, 10);
        Assert.Equal(forA.Order(BlockOrder), forB.Order(BlockOrder));
        Assert.Empty(Pick(picker, c, 10)); // at most two requesters per block
        Assert.Empty(Pick(picker, a, 10)); // a never gets its own blocks twice

        var receipt = picker.BlockReceived(b, forA[0]);
        Assert.Equal(BlockReceiptOutcome.Accepted, receipt.Outcome);
        Assert.Equal(a, receipt.CancelFirst);
        Assert.True(receipt.CancelSecond.IsNone);
        Assert.Equal(3, picker.OutstandingRequests(a));
        Assert.Equal(3, picker.OutstandingRequests(b));

        // a's copy arrives after all: dropped.
        Assert.Equal(BlockReceiptOutcome.Duplicate, picker.BlockReceived(a, forA[0]).Outcome);
        Assert.Equal(3, picker.OutstandingRequests(a));
    }

    [Fact]
    public void Pieces_nobody_has_do_not_hold_off_endgame()
    {
        var picker = NewPicker(3, Block, seed: 5);
        var a = picker.AddPeer();
        var b = picker.AddPeer();
        picker.PeerBitfield(a, Wire(3, p => p == 1));
        picker.PeerBitfield(b, Wire(3, p => p == 1));

        Assert.Equal([B(1, 0)], Pick(picker, a, 4));
        Assert.True(picker.IsEndgame);
        Assert.Equal([B(1, 0)], Pick(picker, b, 4));
    }

    [Fact]
    public void Unrequested_block_cancels_both_requesters()
    {
        var picker = NewPicker(1, Block, seed: 5);
        var a = picker.AddPeer();
        var b = picker.AddPeer();
        var c = picker.AddPeer();
        picker.PeerHasAll(a);
        picker.PeerHasAll(b);
        picker.PeerHasAll(c);
        Pick(picker, a, 1);
        Pick(picker, b, 1);

        var receipt = picker.BlockReceived(c, B(0, 0));

        Assert.True(receipt.IsAccepted);
        Assert.True(receipt.PieceComplete);
        Assert.Equal(2, receipt.CancelCount);
        Assert.Equal([a, b], new[] { receipt.CancelFirst, receipt.CancelSecond }.OrderBy(p => p.Slot));
        Assert.Equal(0, picker.OutstandingRequests(a) + picker.OutstandingRequests(b) + picker.OutstandingRequests(c));
    }

    [Fact]
    public void A_choked_peers_requests_go_back_to_the_pool()
    {
        var picker = NewPicker(2, 2 * Block, seed: 9);
        var a = picker.AddPeer();
        var b = picker.AddPeer();
        picker.PeerHasAll(a);
        picker.PeerHasAll(b);
        var forA = Pick(picker, a, 3);

        Assert.Equal(3, picker.PeerChoked(a));
        Assert.Equal(0, picker.OutstandingRequests(a));
        Assert.False(picker.IsEndgame);

        var forB = Pick(picker, b, 4);
        Assert.Equal(4, forB.Count);
        Assert.Subset(forB.ToHashSet(), forA.ToHashSet());
    }

    [Fact]
    public void A_departed_peer_frees_its_requests_and_its_availability()
    {
        var picker = NewPicker(4, Block, seed: 9);
        var a = picker.AddPeer();
        var b = picker.AddPeer();
        picker.PeerBitfield(a, Wire(4, p => p < 2));
        picker.PeerBitfield(b, Wire(4, p => p < 3));
        var forA = Pick(picker, a, 2);
        Assert.Equal(2, picker.Availability(0));

        picker.RemovePeer(a);

        Assert.Equal(1, picker.Availability(0));
        Assert.Equal(0, picker.Availability(3));
        Assert.Equal(1, picker.PeerCount);
        Assert.Throws<ArgumentException>(() => picker.PickBlocks(a, new BlockInfo[1]));
        var forB = Pick(picker, b, 3);
        Assert.Subset(forB.ToHashSet(), forA.ToHashSet());

        // The slot is reused under a new handle; the old handle stays dead.
        var c = picker.AddPeer();
        Assert.NotEqual(a, c);
        Assert.Throws<ArgumentException>(() => picker.OutstandingRequests(a));
    }

    [Fact]
    public void Rejected_request_goes_back_to_the_pool()
    {
        var picker = NewPicker(1, 2 * Block, seed: 9);
        var a = picker.AddPeer();
        picker.PeerHasAll(a);
        var blocks = Pick(picker, a, 2);

        Assert.True(picker.ReleaseRequest(a, blocks[1]));
        Assert.False(picker.ReleaseRequest(a, blocks[1]));
        Assert.Equal(1, picker.OutstandingRequests(a));
        Assert.Equal([blocks[1]], Pick(picker, a, 2));
    }

    [Fact]
    public void A_failed_piece_reports_who_sent_each_block_and_is_picked_again()
    {
        var picker = NewPicker(2, 3 * Block, seed: 4);
        var a = picker.AddPeer();
        var b = picker.AddPeer();
        picker.PeerHasAll(a);
        picker.PeerHasAll(b);
        picker.MarkHave(1);

        var forA = Pick(picker, a, 2);
        var forB = Pick(picker, b, 1);
        Assert.Equal([B(0, 0), B(0, 1)], forA);
        Assert.Equal([B(0, 2)], forB);
        Receive(picker, a, forA[0]);
        Receive(picker, b, forB[0]);
        Assert.True(picker.BlockReceived(a, forA[1]).PieceComplete);

        var contributions = new List<BlockContribution>();
        picker.PieceFailed(0, contributions);

        Assert.Equal([new BlockContribution(B(0, 0), a), new BlockContribution(B(0, 1), a), new BlockContribution(B(0, 2), b)], contributions);
        Assert.False(picker.Have.Get(0));
        Assert.Equal([B(0, 0), B(0, 1), B(0, 2)], Pick(picker, b, 5));
    }

    [Fact]
    public void Verified_pieces_are_ours_and_never_picked_again()
    {
        var picker = NewPicker(2, Block, seed: 4);
        var a = picker.AddPeer();
        picker.PeerHasAll(a);
        var first = Pick(picker, a, 1).Single();
        Receive(picker, a, first);
        picker.PieceVerified(first.Piece);

        Assert.True(picker.Have.Get(first.Piece));
        Assert.Equal(1 - first.Piece, Pick(picker, a, 5).Single().Piece);
        Assert.Equal(BlockReceiptOutcome.Duplicate, picker.BlockReceived(a, first).Outcome);
        Assert.Throws<InvalidOperationException>(() => picker.PieceVerified(first.Piece));
    }

    [Fact]
    public void Only_wanted_pieces_are_picked()
    {
        var picker = NewPicker(8, Block, seed: 4);
        var wanted = new Bitfield(8);
        wanted.Set(2);
        wanted.Set(5);
        picker.SetWanted(wanted.AsReadOnly());
        var a = picker.AddPeer();
        var b = picker.AddPeer();
        picker.PeerHasAll(a);
        picker.PeerBitfield(b, Wire(8, p => p is 0 or 7));

        Assert.False(picker.IsInteresting(b));
        Assert.True(picker.IsInteresting(a));
        Assert.False(picker.PeerHasPiece(b, 1));
        Assert.True(picker.PeerHasPiece(b, 5));
        Assert.True(picker.IsInteresting(b));

        var blocks = Pick(picker, a, 8);
        Assert.Equal([2, 5], blocks.Select(x => x.Piece).Order());
        foreach (var block in blocks)
        {
            Receive(picker, a, block);
            picker.PieceVerified(block.Piece);
        }
        Assert.True(picker.IsFinished);
        Assert.False(picker.IsEndgame);
        Assert.Empty(Pick(picker, a, 8));
        Assert.False(picker.IsInteresting(a));
    }

    [Fact]
    public void Unwanting_a_started_piece_stops_picking_it()
    {
        var picker = NewPicker(2, 4 * Block, seed: 4);
        var a = picker.AddPeer();
        picker.PeerBitfield(a, Wire(2, p => p == 0));
        var first = Pick(picker, a, 1).Single();

        picker.SetWanted(0, false);

        Assert.Empty(Pick(picker, a, 4));
        Assert.True(picker.BlockReceived(a, first).IsAccepted); // data already asked for is still welcome
        Assert.False(picker.IsFinished);
        picker.SetWanted(1, false);
        Assert.True(picker.IsFinished);
    }

    [Fact]
    public void The_last_block_of_the_last_piece_is_short()
    {
        var picker = NewPicker(total: 2 * 32768 + 20_000, pieceLength: 32768, seed: 1);
        var a = picker.AddPeer();
        picker.PeerHasAll(a);
        picker.MarkHave(0);
        picker.MarkHave(1);

        Assert.Equal([new BlockInfo(2, 0, Block), new BlockInfo(2, Block, 20_000 - Block)], Pick(picker, a, 10));
        Assert.Equal(BlockReceiptOutcome.Invalid, picker.BlockReceived(a, new BlockInfo(2, Block, Block)).Outcome);
        Assert.True(picker.BlockReceived(a, new BlockInfo(2, Block, 20_000 - Block)).IsAccepted);
    }

    [Fact]
    public void Blocks_of_pieces_not_in_flight_are_unexpected()
    {
        var picker = NewPicker(2, Block, seed: 1);
        var a = picker.AddPeer();
        picker.PeerHasAll(a);

        Assert.Equal(BlockReceiptOutcome.Unexpected, picker.BlockReceived(a, B(1, 0)).Outcome);
        Assert.Equal(BlockReceiptOutcome.Invalid, picker.BlockReceived(a, new BlockInfo(9, 0, Block)).Outcome);
    }

    [Fact]
    public void A_bad_bitfield_changes_nothing()
    {
        var picker = NewPicker(10, Block, seed: 1);
        var a = picker.AddPeer();
        picker.PeerBitfield(a, Wire(10, p => p == 3));

        Assert.Throws<InvalidDataException>(() => picker.PeerBitfield(a, [0xff, 0xff]));
        Assert.Throws<InvalidDataException>(() => picker.PeerBitfield(a, [0xff]));
        Assert.Equal(1, picker.Availability(3));
        Assert.Equal(0, picker.Availability(0));
    }

    [Fact]
    public void Have_messages_that_complete_a_peer_make_it_a_seed()
    {
        var picker = NewPicker(3, Block, seed: 1);
        var a = picker.AddPeer();
        var b = picker.AddPeer();
        picker.PeerBitfield(b, Wire(3, p => p == 0));
        picker.PeerHasPiece(a, 0);
        picker.PeerHasPiece(a, 1);
        Assert.Equal(0, picker.SeedCount);
        Assert.Equal(2, picker.Availability(0));

        picker.PeerHasPiece(a, 2);

        Assert.Equal(1, picker.SeedCount);
        Assert.Equal([2, 1, 1], Enumerable.Range(0, 3).Select(picker.Availability));
        picker.RemovePeer(a);
        Assert.Equal(0, picker.SeedCount);
        Assert.Equal([1, 0, 0], Enumerable.Range(0, 3).Select(picker.Availability));
    }

    [Fact]
    public void A_second_bitfield_replaces_the_first()
    {
        var picker = NewPicker(4, Block, seed: 1);
        var a = picker.AddPeer();
        picker.PeerBitfield(a, Wire(4, p => p < 2));
        picker.PeerBitfield(a, Wire(4, p => p >= 2));
        Assert.Equal([0, 0, 1, 1], Enumerable.Range(0, 4).Select(picker.Availability));
        picker.PeerHasNone(a);
        Assert.Equal([0, 0, 0, 0], Enumerable.Range(0, 4).Select(picker.Availability));
        Assert.False(picker.IsInteresting(a));
    }

    [Fact]
    public void Picking_receiving_and_choking_allocate_nothing_once_warm()
    {
        var picker = NewPicker(1000, 4 * Block, seed: 8);
        var random = new Random(8);
        var peers = new PeerHandle[20];
        for (var i = 0; i < peers.Length; i++)
        {
            peers[i] = picker.AddPeer();
            picker.PeerBitfield(peers[i], Wire(1000, _ => random.Next(3) > 0));
        }
        var buffer = new BlockInfo[32];
        void Round()
        {
            foreach (var peer in peers)
            {
                var n = picker.PickBlocks(peer, buffer);
                for (var i = 0; i < n; i += 2)
                {
                    if (picker.BlockReceived(peer, buffer[i]).PieceComplete)
                        picker.PieceVerified(buffer[i].Piece);
                }
                picker.PeerChoked(peer);
            }
        }
        for (var i = 0; i < 3; i++)
            Round();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5; i++)
            Round();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.False(picker.IsFinished);
        Assert.Equal(0, allocated);
    }

    internal static PiecePicker NewPicker(int pieces, int pieceLength, int seed) =>
        new(new PieceLayout((long)pieces * pieceLength, pieceLength), new Random(seed));

    internal static PiecePicker NewPicker(long total, int pieceLength, int seed) =>
        new(new PieceLayout(total, pieceLength), new Random(seed));

    internal static byte[] Wire(int pieces, Func<int, bool> has)
    {
        var bits = new Bitfield(pieces);
        for (var p = 0; p < pieces; p++)
            bits.Set(p, has(p));
        return bits.ToWire();
    }

    internal static List<BlockInfo> Pick(PiecePicker picker, PeerHandle peer, int count)
    {
        var into = new BlockInfo[count];
        var n = picker.PickBlocks(peer, into);
        return [.. into.AsSpan(0, n)];
    }

    private static List<BlockInfo> PickOneByOne(PiecePicker picker, PeerHandle peer)
    {
        var picked = new List<BlockInfo>();
        while (Pick(picker, peer, 1) is [var block])
            picked.Add(block);
        return picked;
    }

    private static void Receive(PiecePicker picker, PeerHandle peer, BlockInfo block) =>
        Assert.Equal(BlockReceiptOutcome.Accepted, picker.BlockReceived(peer, block).Outcome);

    private static BlockInfo B(int piece, int index) => new(piece, index * Block, Block);

    private static readonly Comparer<BlockInfo> BlockOrder = Comparer<BlockInfo>.Create((x, y) => (x.Piece, x.Offset).CompareTo((y.Piece, y.Offset)));
}
