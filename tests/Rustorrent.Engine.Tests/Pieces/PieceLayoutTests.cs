using Rustorrent.Pieces;

namespace Rustorrent.Engine.Tests.Pieces;

public sealed class PieceLayoutTests
{
    [Fact]
    public void Last_piece_and_its_last_block_are_short()
    {
        // 2 full pieces of 64 KiB, then 20,000 bytes: one 16 KiB block and one of 3,616 bytes.
        var layout = new PieceLayout(2 * 65536 + 20_000, 65536);

        Assert.Equal(3, layout.PieceCount);
        Assert.Equal(4, layout.BlocksPerPiece);
        Assert.Equal(20_000, layout.LastPieceLength);
        Assert.Equal(2, layout.BlockCount(2));
        Assert.Equal(new BlockInfo(2, 16384, 3616), layout.Block(2, 1));
        Assert.Equal(new BlockInfo(1, 49152, 16384), layout.Block(1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => layout.Block(2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => layout.PieceSize(3));
    }

    [Fact]
    public void Piece_length_not_a_multiple_of_the_block_size_ends_each_piece_with_a_short_block()
    {
        var layout = new PieceLayout(100_000, 40_000);

        Assert.Equal(3, layout.PieceCount);
        Assert.Equal(3, layout.BlockCount(0));
        Assert.Equal(new BlockInfo(0, 32768, 7232), layout.Block(0, 2));
        Assert.Equal(new BlockInfo(2, 16384, 3616), layout.Block(2, 1));
    }

    [Theory]
    [InlineData(0, 0, 16384, true)]
    [InlineData(2, 16384, 3616, true)]
    [InlineData(2, 16384, 16384, false)]   // longer than the short last block
    [InlineData(0, 100, 16384, false)]     // not on a block boundary
    [InlineData(0, 65536, 16384, false)]   // past the end of the piece
    [InlineData(3, 0, 16384, false)]       // no such piece
    [InlineData(0, 0, 8192, false)]        // a partial block
    [InlineData(-1, 0, 16384, false)]
    public void Recognises_exactly_the_torrents_blocks(int piece, int offset, int length, bool valid)
    {
        var layout = new PieceLayout(2 * 65536 + 20_000, 65536);

        Assert.Equal(valid, layout.TryGetBlockIndex(new BlockInfo(piece, offset, length), out var index));
        Assert.Equal(valid ? offset / 16384 : -1, index);
    }

    [Fact]
    public void Empty_torrent_has_no_pieces()
    {
        var layout = new PieceLayout(0, 16384);
        Assert.Equal(0, layout.PieceCount);
    }
}
