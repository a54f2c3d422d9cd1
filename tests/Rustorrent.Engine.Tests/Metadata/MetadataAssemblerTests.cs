using Rustorrent.Metadata;
using Rustorrent.Peers.Extensions;

namespace Rustorrent.Engine.Tests.Metadata;

public sealed class MetadataAssemblerTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Assembles_pieces_in_any_order_and_verifies_against_the_info_hash(bool v2)
    {
        var info = MetadataTestData.InfoDictionary();
        var hash = v2 ? MetadataTestData.V2Hash(info) : MetadataTestData.V1Hash(info);
        var assembler = new MetadataAssembler(hash, info.Length);
        Assert.Equal(3, assembler.PieceCount);
        Assert.Equal(info.Length - 2 * MetadataMessage.PieceSize, assembler.PieceLength(2));

        Assert.Equal(MetadataPieceOutcome.Accepted, assembler.Add(2, info.AsSpan(2 * MetadataMessage.PieceSize)));
        Assert.Equal(MetadataPieceOutcome.Accepted, assembler.Add(0, info.AsSpan(0, MetadataMessage.PieceSize)));
        Assert.Equal(MetadataPieceOutcome.Duplicate, assembler.Add(0, info.AsSpan(0, MetadataMessage.PieceSize)));
        Assert.False(assembler.IsComplete);
        Assert.Throws<InvalidOperationException>(() => assembler.Verify());
        Assert.Equal(MetadataPieceOutcome.Complete, assembler.Add(1, info.AsSpan(MetadataMessage.PieceSize, MetadataMessage.PieceSize)));

        Assert.Equal(info, assembler.Verify());
    }

    [Fact]
    public void A_wrong_piece_fails_verification()
    {
        var info = MetadataTestData.InfoDictionary(pieces: 100);
        var assembler = new MetadataAssembler(MetadataTestData.V1Hash(info), info.Length);
        var wrong = (byte[])info.Clone();
        wrong[^10] ^= 1;

        Assert.Equal(MetadataPieceOutcome.Complete, assembler.Add(0, wrong));
        Assert.Null(assembler.Verify());
        assembler.Clear();
        Assert.Equal(0, assembler.ReceivedCount);
        Assert.Equal(MetadataPieceOutcome.Complete, assembler.Add(0, info));
        Assert.Equal(info, assembler.Verify());
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(0, 16385)]
    [InlineData(2, 16384)]
    [InlineData(3, 10)]
    [InlineData(-1, 10)]
    public void Refuses_a_piece_of_the_wrong_length_or_index(int piece, int length)
    {
        var assembler = new MetadataAssembler(MetadataTestData.V1Hash([1]), 40_000);
        Assert.Equal(MetadataPieceOutcome.Invalid, assembler.Add(piece, new byte[length]));
        Assert.Equal(0, assembler.ReceivedCount);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(MetadataMessage.MaxMetadataSize + 1L)]
    [InlineData(2_147_483_648L)]
    [InlineData(long.MaxValue)]
    public void Refuses_sizes_beyond_the_cap_before_allocating(long size)
    {
        Assert.False(MetadataAssembler.IsAcceptableSize(size));
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<ArgumentOutOfRangeException>(() => new MetadataAssembler(MetadataTestData.V1Hash([1]), size));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024 * 1024);
    }

    [Fact]
    public void Allocates_only_for_the_pieces_that_came()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var assembler = new MetadataAssembler(MetadataTestData.V1Hash([1]), MetadataMessage.MaxMetadataSize);
        assembler.Add(7, new byte[MetadataMessage.PieceSize]);
        // A 2,048-slot table and one 16 KiB piece, not 32 MiB.
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 256 * 1024);
        Assert.Equal(2048, assembler.PieceCount);
    }
}
