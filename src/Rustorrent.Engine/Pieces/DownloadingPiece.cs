namespace Rustorrent.Pieces;

/// <summary>
/// Block-by-block state of one piece the picker has started and not yet verified (libtorrent's
/// "downloading piece"). Only started pieces carry block state, so memory follows what is in flight rather
/// than the torrent's size. Instances are pooled by the picker and reused.
/// </summary>
internal sealed class DownloadingPiece
{
    private Block[] blocks = [];

    public int Piece { get; private set; } = -1;

    public int BlockCount { get; private set; }

    public int FreeCount { get; private set; }

    public int RequestedCount { get; private set; }

    public int ReceivedCount { get; private set; }

    public bool IsComplete => ReceivedCount == BlockCount;

    // Blocks before this index are known not to be free; a cheap start for the next search.
    private int firstFreeHint;

    public void Reset(int piece, int blockCount)
    {
        if (blocks.Length < blockCount)
            blocks = new Block[blockCount];
        Array.Clear(blocks, 0, blockCount);
        Piece = piece;
        BlockCount = blockCount;
        FreeCount = blockCount;
        RequestedCount = 0;
        ReceivedCount = 0;
        firstFreeHint = 0;
    }

    public BlockState State(int block) => blocks[block].State;

    public PeerHandle FirstRequester(int block) => blocks[block].First;

    public PeerHandle SecondRequester(int block) => blocks[block].Second;

    public PeerHandle Sender(int block) => blocks[block].Sender;

    public bool IsRequestedBy(int block, PeerHandle peer) =>
        blocks[block].State == BlockState.Requested && (blocks[block].First == peer || blocks[block].Second == peer);

    /// <summary>The next free block at or after the hint, or -1.</summary>
    public int NextFree()
    {
        if (FreeCount == 0)
            return -1;
        for (var i = firstFreeHint; i < BlockCount; i++)
        {
            if (blocks[i].State == BlockState.Free)
            {
                firstFreeHint = i;
                return i;
            }
        }
        return -1;
    }

    public void Request(int block, PeerHandle peer)
    {
        ref var b = ref blocks[block];
        if (b.State == BlockState.Free)
        {
            b.State = BlockState.Requested;
            b.First = peer;
            FreeCount--;
            RequestedCount++;
        }
        else if (b.State == BlockState.Requested && b.Second.IsNone && b.First != peer)
        {
            b.Second = peer;
        }
        else
        {
            throw new InvalidOperationException($"Block {block} of piece {Piece} cannot be requested again by {peer} ({b.State}, {b.First}, {b.Second}).");
        }
    }

    /// <summary>Drops <paramref name="peer"/>'s request for a block; true when it had one.</summary>
    public bool Release(int block, PeerHandle peer)
    {
        ref var b = ref blocks[block];
        if (b.State != BlockState.Requested)
            return false;
        if (b.Second == peer)
        {
            b.Second = default;
            return true;
        }
        if (b.First != peer)
            return false;
        b.First = b.Second;
        b.Second = default;
        if (b.First.IsNone)
        {
            b.State = BlockState.Free;
            FreeCount++;
            RequestedCount--;
            if (block < firstFreeHint)
                firstFreeHint = block;
        }
        return true;
    }

    /// <summary>Marks a block received from <paramref name="sender"/>; gives the requesters it had.</summary>
    public void Receive(int block, PeerHandle sender, out PeerHandle first, out PeerHandle second)
    {
        ref var b = ref blocks[block];
        first = b.First;
        second = b.Second;
        if (b.State == BlockState.Free)
            FreeCount--;
        else if (b.State == BlockState.Requested)
            RequestedCount--;
        else
            throw new InvalidOperationException($"Block {block} of piece {Piece} was already received.");
        b = new Block { State = BlockState.Received, Sender = sender };
        ReceivedCount++;
    }

    /// <summary>After a failed hash check: every block back to free, keeping nothing of who sent what.</summary>
    public void ResetBlocks()
    {
        if (RequestedCount != 0)
            throw new InvalidOperationException($"Piece {Piece} still has {RequestedCount} requested blocks.");
        Array.Clear(blocks, 0, BlockCount);
        FreeCount = BlockCount;
        ReceivedCount = 0;
        firstFreeHint = 0;
    }

    private struct Block
    {
        public BlockState State;
        public PeerHandle First;
        public PeerHandle Second;
        public PeerHandle Sender;
    }
}
