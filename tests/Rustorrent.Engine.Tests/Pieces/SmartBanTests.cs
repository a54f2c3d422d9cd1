using System.Net;
using Rustorrent.Pieces;

namespace Rustorrent.Engine.Tests.Pieces;

public sealed class SmartBanTests
{
    private const int Block = PieceLayout.BlockSize;
    private static readonly IPAddress Honest1 = IPAddress.Parse("127.0.0.1");
    private static readonly IPAddress Poisoner = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Honest2 = IPAddress.Parse("::1");

    [Fact]
    public void Identifies_the_peer_whose_block_differs_once_the_piece_passes()
    {
        // Driven through the picker: a piece of four blocks, the poisoner sends block 2 wrong.
        var good = PieceData(4 * Block, seed: 1);
        var picker = PiecePickerTests.NewPicker(1, 4 * Block, seed: 1);
        var addresses = new Dictionary<PeerHandle, IPAddress>();
        var a = Connect(picker, addresses, Honest1);
        var b = Connect(picker, addresses, Poisoner);
        var c = Connect(picker, addresses, Honest2);
        var received = new byte[good.Length];
        var ban = new SmartBan();
        var reputation = new PeerReputation();

        Deliver(picker, a, 2, good, received, corrupt: false);
        Deliver(picker, b, 1, good, received, corrupt: true);
        Deliver(picker, c, 1, good, received, corrupt: false);
        Assert.False(received.AsSpan().SequenceEqual(good));
        var contributions = new List<BlockContribution>();
        picker.PieceFailed(0, contributions);
        var senders = contributions.Select(x => new BlockSender(x.Block.Index, addresses[x.Sender])).ToList();
        var toBan = new List<IPAddress>();
        ban.PieceFailed(0, received, senders, toBan);
        reputation.PieceFailed(senders.Select(s => s.Address).Distinct(), toBan);
        Assert.Empty(toBan);
        Assert.True(ban.HasRecords(0));
        Assert.Equal(4, ban.RecordCount);

        // The second time, honest peers send it all.
        Deliver(picker, a, 3, good, received, corrupt: false);
        Deliver(picker, c, 1, good, received, corrupt: false);
        Assert.True(received.AsSpan().SequenceEqual(good));
        picker.PieceVerified(0);
        ban.PiecePassed(0, received, toBan);

        Assert.Equal([Poisoner], toBan);
        Assert.False(ban.HasRecords(0));
        Assert.Equal(0, ban.RecordCount);
    }

    [Fact]
    public void A_peer_that_sends_two_versions_of_a_block_is_banned_at_once()
    {
        var first = PieceData(2 * Block, seed: 1);
        var second = (byte[])first.Clone();
        second[Block + 5] ^= 1;
        var ban = new SmartBan();
        var toBan = new List<IPAddress>();

        ban.PieceFailed(3, first, [new BlockSender(0, Honest1), new BlockSender(1, Poisoner)], toBan);
        Assert.Empty(toBan);
        ban.PieceFailed(3, second, [new BlockSender(0, Honest1), new BlockSender(1, Poisoner)], toBan);

        Assert.Equal([Poisoner], toBan);
        Assert.Equal(2, ban.RecordCount); // the repeat of identical data added nothing
    }

    [Fact]
    public void Hashes_the_short_last_block_exactly()
    {
        var good = PieceData(Block + 100, seed: 2);
        var bad = (byte[])good.Clone();
        bad[Block + 99] ^= 0x80; // the very last byte
        var ban = new SmartBan();
        var toBan = new List<IPAddress>();

        ban.PieceFailed(7, bad, [new BlockSender(0, Honest1), new BlockSender(1, Poisoner)], toBan);
        ban.PiecePassed(7, good, toBan);

        Assert.Equal([Poisoner], toBan);
        Assert.Throws<ArgumentOutOfRangeException>(() => ban.PieceFailed(7, good, [new BlockSender(2, Honest1)], toBan));
    }

    [Fact]
    public void Records_are_bounded_by_dropping_the_oldest_pieces()
    {
        var data = PieceData(2 * Block, seed: 3);
        var ban = new SmartBan(maxRecords: 5);
        var toBan = new List<IPAddress>();
        for (var piece = 0; piece < 4; piece++)
            ban.PieceFailed(piece, data, [new BlockSender(0, Honest1), new BlockSender(1, Poisoner)], toBan);

        Assert.InRange(ban.RecordCount, 1, 5);
        Assert.False(ban.HasRecords(0));
        Assert.True(ban.HasRecords(3));
    }

    [Fact]
    public void A_piece_with_no_records_bans_nobody()
    {
        var ban = new SmartBan();
        var toBan = new List<IPAddress>();
        ban.PiecePassed(1, PieceData(Block, seed: 4), toBan);
        Assert.Empty(toBan);
    }

    private static PeerHandle Connect(PiecePicker picker, Dictionary<PeerHandle, IPAddress> addresses, IPAddress address)
    {
        var peer = picker.AddPeer();
        picker.PeerHasAll(peer);
        addresses[peer] = address;
        return peer;
    }

    private static void Deliver(PiecePicker picker, PeerHandle peer, int count, byte[] good, byte[] received, bool corrupt)
    {
        foreach (var block in PiecePickerTests.Pick(picker, peer, count))
        {
            Assert.True(picker.BlockReceived(peer, block).IsAccepted);
            good.AsSpan(block.Offset, block.Length).CopyTo(received.AsSpan(block.Offset));
            if (corrupt)
                received[block.Offset + 1000] ^= 0xff;
        }
    }

    private static byte[] PieceData(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
