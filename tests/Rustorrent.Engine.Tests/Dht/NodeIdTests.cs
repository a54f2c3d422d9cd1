using Rustorrent.Dht;

namespace Rustorrent.Engine.Tests.Dht;

public sealed class NodeIdTests
{
    [Fact]
    public void Common_prefix_length_counts_the_leading_bits_two_ids_share()
    {
        var zero = Id("0000000000000000000000000000000000000000");
        Assert.Equal(160, NodeId.CommonPrefixLength(zero, zero));
        Assert.Equal(0, NodeId.CommonPrefixLength(zero, Id("8000000000000000000000000000000000000000")));
        Assert.Equal(7, NodeId.CommonPrefixLength(zero, Id("0100000000000000000000000000000000000000")));
        Assert.Equal(9, NodeId.CommonPrefixLength(zero, Id("0040000000000000000000000000000000000000")));
        Assert.Equal(159, NodeId.CommonPrefixLength(zero, Id("0000000000000000000000000000000000000001")));
    }

    [Fact]
    public void Distance_is_xor_read_as_a_big_endian_number()
    {
        var target = Id("00000000000000000000000000000000000000ff");
        var near = Id("00000000000000000000000000000000000000f0"); // distance 0x0f
        var far = Id("0000000000000000000000000000000000000100");  // distance 0x01ff
        Assert.True(NodeId.CompareDistance(near, far, target) < 0);
        Assert.True(NodeId.CompareDistance(far, near, target) > 0);
        Assert.Equal(0, NodeId.CompareDistance(near, near, target));
        Assert.Equal(Convert.FromHexString("000000000000000000000000000000000000000f"), near.DistanceTo(target));
        // A high bit outweighs every lower one.
        Assert.True(NodeId.CompareDistance(Id("7fffffffffffffffffffffffffffffffffffffff"), Id("8000000000000000000000000000000000000000"),
            Id("0000000000000000000000000000000000000000")) < 0);
    }

    [Fact]
    public void A_random_id_in_bucket_i_shares_exactly_i_leading_bits_with_ours()
    {
        var self = NodeId.Random();
        for (var i = 0; i < NodeId.Bits; i++)
            Assert.Equal(i, NodeId.CommonPrefixLength(self, NodeId.RandomInBucket(self, i)));
    }

    [Fact]
    public void An_id_is_twenty_bytes()
    {
        Assert.Throws<ArgumentException>(() => new NodeId(new byte[19]));
        Assert.Throws<ArgumentException>(() => new NodeId(new byte[21]));
        Assert.Equal(Id("0102030405060708090a0b0c0d0e0f1011121314"), Id("0102030405060708090A0B0C0D0E0F1011121314"));
    }

    internal static NodeId Id(string hex) => new(Convert.FromHexString(hex));
}
