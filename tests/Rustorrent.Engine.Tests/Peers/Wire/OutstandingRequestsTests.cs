using Rustorrent.Peers.Wire;

namespace Rustorrent.Engine.Tests.Peers.Wire;

public class OutstandingRequestsTests
{
    private static readonly BlockRequest A = new(3, 0, 16384);
    private static readonly BlockRequest B = new(3, 16384, 16384);
    private static readonly BlockRequest C = new(39, 0, 10_000);

    [Fact]
    public void A_requested_block_is_matched_once()
    {
        var requests = new OutstandingRequests(10);
        requests.AddRange([A, B]);
        Assert.Equal(2, requests.Count);

        Assert.Equal(ReceivedBlockKind.Requested, requests.Receive(3, 0, 16384, PeerMessageId.Piece));
        Assert.Equal(1, requests.Count);
        var e = Assert.Throws<PeerProtocolException>(() => requests.Receive(3, 0, 16384, PeerMessageId.Piece));
        Assert.Equal(PeerProtocolError.UnrequestedBlock, e.Error);
        Assert.Equal("piece for piece 3 offset 0 (16,384 bytes), a block never requested", e.Message);
    }

    [Fact]
    public void A_block_of_another_length_than_requested_is_refused()
    {
        var requests = new OutstandingRequests(10);
        requests.AddRange([C]);
        var e = Assert.Throws<PeerProtocolException>(() => requests.Receive(39, 0, 9_999, PeerMessageId.Piece));
        Assert.Equal("piece for piece 39 offset 0 of 9,999 bytes, but 10,000 were requested", e.Message);
    }

    [Fact]
    public void A_cancelled_block_may_still_arrive_once_or_be_rejected()
    {
        var requests = new OutstandingRequests(10);
        requests.AddRange([A, B]);
        Assert.True(requests.Cancel(A, fastExtension: false));
        Assert.False(requests.Cancel(A, fastExtension: false));
        Assert.False(requests.Cancel(C, fastExtension: false));
        Assert.Equal(1, requests.Count);

        Assert.Equal(ReceivedBlockKind.Cancelled, requests.Receive(3, 0, 16384, PeerMessageId.Piece));
        Assert.True(requests.Cancel(B, fastExtension: true));
        Assert.Equal(ReceivedBlockKind.Cancelled, requests.Receive(3, 16384, 16384, PeerMessageId.Reject));
        Assert.Equal(0, requests.Count);
        Assert.Throws<PeerProtocolException>(() => requests.Receive(3, 16384, 16384, PeerMessageId.Reject));
    }

    [Fact]
    public void A_reject_for_a_block_never_requested_is_refused()
    {
        var e = Assert.Throws<PeerProtocolException>(() => new OutstandingRequests(1).Receive(0, 0, 16384, PeerMessageId.Reject));
        Assert.Equal("reject for piece 0 offset 0 (16,384 bytes), a block never requested", e.Message);
    }

    [Fact]
    public void Duplicates_and_the_cap_are_refused_without_changing_anything()
    {
        var requests = new OutstandingRequests(3);
        requests.AddRange([A]);
        Assert.Throws<InvalidOperationException>(() => requests.AddRange([B, A]));
        Assert.Throws<InvalidOperationException>(() => requests.AddRange([B, C, new BlockRequest(0, 0, 1)]));
        Assert.Equal(1, requests.Count);
        requests.AddRange([B, C]);
        Assert.Equal(3, requests.Count);
    }

    [Fact]
    public void A_choke_hands_back_the_wanted_requests_only()
    {
        var requests = new OutstandingRequests(10);
        requests.AddRange([A, B, C]);
        requests.Cancel(B, fastExtension: false);
        var dropped = new List<BlockRequest>();
        requests.DropAll(dropped);

        Assert.Equal([A, C], dropped.OrderBy(b => b.PieceIndex));
        Assert.Equal(0, requests.Count);
        Assert.Throws<PeerProtocolException>(() => requests.Receive(3, 16384, 16384, PeerMessageId.Piece));
    }

    [Fact]
    public void Cancelled_requests_are_not_remembered_without_bound()
    {
        var requests = new OutstandingRequests(1000);
        var blocks = Enumerable.Range(0, 300).Select(i => new BlockRequest(i, 0, 16384)).ToArray();
        requests.AddRange(blocks);
        foreach (var b in blocks)
            requests.Cancel(b, fastExtension: false);
        Assert.Equal(0, requests.Count);
        // The first 257 cancels were forgotten at once; the later ones are still accepted late.
        Assert.Equal(ReceivedBlockKind.Cancelled, requests.Receive(299, 0, 16384, PeerMessageId.Piece));
        Assert.Throws<PeerProtocolException>(() => requests.Receive(0, 0, 16384, PeerMessageId.Piece));
    }
}
