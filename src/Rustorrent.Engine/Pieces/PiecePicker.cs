namespace Rustorrent.Pieces;

/// <summary>
/// Decides which blocks to request from which peer, for one torrent. It knows which pieces we have and want,
/// which pieces each connected peer has (so how rare each piece is), and the state of every block of every
/// piece in flight. The rules, in order, for each <see cref="PickBlocks"/>:
/// <list type="number">
/// <item>Finish started pieces first: free blocks of partial pieces the peer has, oldest piece first, so few
/// pieces are half-done at a time and finished pieces can be shared sooner.</item>
/// <item>Start new pieces: a random one while we have fewer than <see cref="RandomFirstPieces"/> pieces (to
/// get something to trade quickly; rarest-first would make every new peer chase the same rare piece), then
/// the rarest piece the peer has, ties broken at random (BEP 3's recommendation; libtorrent and
/// MonoTorrent do the same).</item>
/// <item>Endgame, only when every remaining block any connected peer could give us is already requested or
/// here: a block already requested from one other peer may be requested again, at most
/// <see cref="MaxRequestersPerBlock"/> requesters per block (MonoTorrent's limit). Whichever copy arrives
/// first wins; <see cref="BlockReceived"/> names the other requester to cancel.</item>
/// </list>
/// Outside endgame a block is never requested from two peers. Pieces nobody has never hold up endgame.
/// <para>Not thread-safe: one owner, the torrent's session loop, calls everything. Allocation-free in steady
/// state: picking, receiving and verifying reuse pooled piece state.</para>
/// </summary>
internal sealed class PiecePicker
{
    /// <summary>Pieces picked at random before rarest-first begins (libtorrent's initial_picker_threshold).</summary>
    public const int RandomFirstPieces = 4;

    /// <summary>How many peers one block may be requested from at once (endgame only).</summary>
    public const int MaxRequestersPerBlock = 2;

    private readonly Random random;
    private readonly Bitfield have;
    private readonly Bitfield wanted;
    private readonly PieceRarityOrder rarity;
    private readonly DownloadingPiece?[] active;
    private readonly List<DownloadingPiece> downloading = [];
    private readonly Stack<DownloadingPiece> pool = new();
    private readonly List<PeerSlot> peers = [];
    private readonly Stack<int> freeSlots = new();
    private int seeds;
    private int wantedMissing;

    /// <param name="layout">The torrent's pieces and blocks.</param>
    /// <param name="random">Source of the random choices; pass a seeded one for repeatable tests.</param>
    public PiecePicker(PieceLayout layout, Random random)
    {
        Layout = layout;
        this.random = random;
        var count = layout.PieceCount;
        have = new Bitfield(count);
        wanted = new Bitfield(count);
        wanted.SetAll();
        wantedMissing = count;
        rarity = new PieceRarityOrder(count);
        active = new DownloadingPiece?[count];
    }

    public PieceLayout Layout { get; }

    public int PieceCount => Layout.PieceCount;

    /// <summary>The pieces we have (verified).</summary>
    public ReadOnlyBitfield Have => have.AsReadOnly();

    /// <summary>The pieces we want: all by default, or those of the selected files.</summary>
    public ReadOnlyBitfield Wanted => wanted.AsReadOnly();

    /// <summary>Every wanted piece is here.</summary>
    public bool IsFinished => wantedMissing == 0;

    /// <summary>Pieces started and not yet verified.</summary>
    public int DownloadingCount => downloading.Count;

    public int PeerCount => peers.Count - freeSlots.Count;

    /// <summary>Connected peers that have every piece (counted apart from per-piece availability).</summary>
    public int SeedCount => seeds;

    /// <summary>
    /// True when every wanted block that some connected peer has is already requested or received, so the
    /// only way left to go faster is to ask a second peer for the same blocks.
    /// </summary>
    public bool IsEndgame
    {
        get
        {
            if (wantedMissing == 0)
                return false;
            // Untouched pieces some peer has: all included pieces when a seed is connected, else those with
            // availability of at least one. Started pieces are counted here too and taken back out below.
            var untouchedAvailable = seeds > 0 ? rarity.IncludedCount : rarity.IncludedCount - rarity.BucketEnd(0);
            var inFlight = false;
            foreach (var piece in downloading)
            {
                inFlight |= piece.RequestedCount > 0;
                var p = piece.Piece;
                if (rarity.IsExcluded(p) || (seeds == 0 && rarity.Availability(p) == 0))
                    continue;
                untouchedAvailable--;
                if (piece.FreeCount > 0)
                    return false;
            }
            // With nothing requested there is nothing to duplicate: that is a stall, not an endgame.
            return untouchedAvailable == 0 && inFlight;
        }
    }

    /// <summary>How many peers have <paramref name="piece"/>, seeds included.</summary>
    public int Availability(int piece)
    {
        CheckPiece(piece);
        return rarity.Availability(piece) + seeds;
    }

    // ---- Our pieces and file selection ----

    /// <summary>Marks a piece as ours without downloading it (found on disk by a recheck or resume).</summary>
    public void MarkHave(int piece)
    {
        CheckPiece(piece);
        if (active[piece] is not null)
            throw new InvalidOperationException($"Piece {piece} is being downloaded; finish it with PieceVerified or PieceFailed.");
        SetHave(piece);
    }

    public void SetWanted(int piece, bool want)
    {
        CheckPiece(piece);
        if (!wanted.Set(piece, want) || have.Get(piece))
            return;
        wantedMissing += want ? 1 : -1;
        if (want)
            rarity.Include(piece);
        else
            rarity.Exclude(piece);
    }

    /// <summary>
    /// Replaces the wanted set (the pieces the selected files need). A started piece that stops being wanted
    /// keeps its outstanding requests, whose data is still accepted, but no more of its blocks are picked.
    /// </summary>
    public void SetWanted(ReadOnlyBitfield pieces)
    {
        if (pieces.Length != PieceCount)
            throw new ArgumentException($"The wanted set covers {pieces.Length} pieces but the torrent has {PieceCount}.", nameof(pieces));
        for (var i = 0; i < PieceCount; i++)
            SetWanted(i, pieces.Get(i));
    }

    // ---- Peers and what they have ----

    /// <summary>A newly connected peer, having nothing until it says otherwise.</summary>
    public PeerHandle AddPeer()
    {
        int slot;
        if (freeSlots.Count > 0)
        {
            slot = freeSlots.Pop();
        }
        else
        {
            slot = peers.Count;
            peers.Add(new PeerSlot(PieceCount));
        }
        var state = peers[slot];
        state.Generation++;
        state.InUse = true;
        state.Has.ClearAll();
        state.IsSeed = false;
        state.Outstanding = 0;
        return new PeerHandle(slot, state.Generation);
    }

    /// <summary>A peer left: its pieces no longer count toward availability and its requests are free again.</summary>
    public void RemovePeer(PeerHandle peer)
    {
        var state = Get(peer);
        ReleaseAll(peer, state);
        ForgetPieces(state);
        state.InUse = false;
        freeSlots.Push(peer.Slot);
    }

    /// <summary>
    /// The peer's "bitfield" message (BEP 3). Throws <see cref="InvalidDataException"/> for a payload of the
    /// wrong length or with spare bits set, changing nothing. A second bitfield replaces the first.
    /// </summary>
    public void PeerBitfield(PeerHandle peer, ReadOnlySpan<byte> payload)
    {
        var state = Get(peer);
        Bitfield.ValidateWire(payload, PieceCount);
        ForgetPieces(state);
        state.Has.ReadWire(payload);
        if (state.Has.IsComplete)
        {
            state.IsSeed = true;
            seeds++;
            return;
        }
        var words = state.Has.Words;
        for (var w = 0; w < words.Length; w++)
        {
            for (var bits = words[w]; bits != 0; bits &= bits - 1)
                rarity.Increment((w << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits));
        }
    }

    /// <summary>"have all" (BEP 6): the peer is a seed.</summary>
    public void PeerHasAll(PeerHandle peer)
    {
        var state = Get(peer);
        ForgetPieces(state);
        state.Has.SetAll();
        state.IsSeed = true;
        seeds++;
    }

    /// <summary>"have none" (BEP 6).</summary>
    public void PeerHasNone(PeerHandle peer) => ForgetPieces(Get(peer));

    /// <summary>
    /// The peer's "have" message. Returns true when the piece is one we want and lack, so the session knows to
    /// become interested. A peer that completes its set becomes a seed.
    /// </summary>
    public bool PeerHasPiece(PeerHandle peer, int piece)
    {
        var state = Get(peer);
        CheckPiece(piece);
        if (state.IsSeed || !state.Has.Set(piece))
            return IsNeeded(piece);
        rarity.Increment(piece);
        if (state.Has.IsComplete)
        {
            // Seeds are counted apart so that they do not touch every piece's availability again.
            for (var i = 0; i < PieceCount; i++)
                rarity.Decrement(i);
            state.IsSeed = true;
            seeds++;
        }
        return IsNeeded(piece);
    }

    /// <summary>The peer has a piece we want and lack: we should be "interested" (BEP 3).</summary>
    public bool IsInteresting(PeerHandle peer)
    {
        var state = Get(peer);
        if (wantedMissing == 0 || state.Has.IsEmpty)
            return false;
        var theirs = state.Has.Words;
        var want = wanted.Words;
        var ours = have.Words;
        for (var w = 0; w < theirs.Length; w++)
        {
            if ((theirs[w] & want[w] & ~ours[w]) != 0)
                return true;
        }
        return false;
    }

    /// <summary>The peer has every piece (a bitfield, "have all" or its last "have").</summary>
    public bool PeerIsSeed(PeerHandle peer) => Get(peer).IsSeed;

    public bool PeerHas(PeerHandle peer, int piece)
    {
        CheckPiece(piece);
        return Get(peer).Has.Get(piece);
    }

    /// <summary>Requests the picker has handed this peer that are neither received nor released.</summary>
    public int OutstandingRequests(PeerHandle peer) => Get(peer).Outstanding;

    // ---- Requests ----

    /// <summary>
    /// Picks up to <c>into.Length</c> blocks to request from <paramref name="peer"/> and records them as
    /// requested by it; returns how many were written. Zero when the peer has nothing we need that is not
    /// already on its way.
    /// </summary>
    public int PickBlocks(PeerHandle peer, Span<BlockInfo> into)
    {
        var state = Get(peer);
        if (into.IsEmpty || wantedMissing == 0 || state.Has.IsEmpty)
            return 0;
        var n = 0;
        foreach (var piece in downloading)
        {
            if (piece.FreeCount == 0 || !wanted.Get(piece.Piece) || !state.Has.Get(piece.Piece))
                continue;
            n += TakeFree(piece, peer, state, into[n..]);
            if (n == into.Length)
                return n;
        }
        while (n < into.Length)
        {
            var next = PickNewPiece(state);
            if (next < 0)
                break;
            n += TakeFree(Start(next), peer, state, into[n..]);
        }
        if (n < into.Length && IsEndgame)
            n += TakeDuplicates(peer, state, into[n..]);
        return n;
    }

    /// <summary>
    /// The peer choked us without the fast extension, so it dropped every request we had made (BEP 3): they
    /// go back to the pool. Returns how many. (With BEP 6 the peer rejects each instead: call
    /// <see cref="ReleaseRequest"/> per "reject".)
    /// </summary>
    public int PeerChoked(PeerHandle peer)
    {
        var state = Get(peer);
        return ReleaseAll(peer, state);
    }

    /// <summary>
    /// One request of <paramref name="peer"/> is off: rejected (BEP 6), timed out, or cancelled by us.
    /// True when the peer had that block requested.
    /// </summary>
    public bool ReleaseRequest(PeerHandle peer, BlockInfo block)
    {
        var state = Get(peer);
        if (!Layout.TryGetBlockIndex(block, out var index) || active[block.Piece] is not { } piece)
            return false;
        if (!piece.Release(index, peer))
            return false;
        state.Outstanding--;
        return true;
    }

    /// <summary>
    /// A "piece" message from <paramref name="peer"/> carrying <paramref name="block"/>. Data of a piece in
    /// flight is accepted even if this peer's request was released (a choke racing the data, or the block
    /// arriving unasked): it is just as good, and the hash check catches bad data either way.
    /// </summary>
    public BlockReceipt BlockReceived(PeerHandle peer, BlockInfo block)
    {
        var state = Get(peer);
        if (!Layout.TryGetBlockIndex(block, out var index))
            return BlockReceipt.Rejected(BlockReceiptOutcome.Invalid);
        if (active[block.Piece] is not { } piece)
            return BlockReceipt.Rejected(have.Get(block.Piece) ? BlockReceiptOutcome.Duplicate : BlockReceiptOutcome.Unexpected);
        if (piece.State(index) == BlockState.Received)
        {
            // A late endgame copy; if this peer still counted the request, it is answered now.
            return BlockReceipt.Rejected(BlockReceiptOutcome.Duplicate);
        }
        piece.Receive(index, peer, out var first, out var second);
        PeerHandle cancelFirst = default, cancelSecond = default;
        if (first == peer)
            state.Outstanding--;
        else if (!first.IsNone)
        {
            cancelFirst = first;
            Get(first).Outstanding--;
        }
        if (second == peer)
            state.Outstanding--;
        else if (!second.IsNone)
        {
            Get(second).Outstanding--;
            if (cancelFirst.IsNone)
                cancelFirst = second;
            else
                cancelSecond = second;
        }
        return new BlockReceipt(BlockReceiptOutcome.Accepted, piece.IsComplete, cancelFirst, cancelSecond);
    }

    /// <summary>The completed piece passed its hash check: it is ours, and no longer picked.</summary>
    public void PieceVerified(int piece)
    {
        var started = CompletedPiece(piece);
        Finish(started);
        SetHave(piece);
    }

    /// <summary>Adds which peer sent each block of a complete piece (call before <see cref="PieceVerified"/>), for credit.</summary>
    public void GetContributions(int piece, List<BlockContribution> contributors)
    {
        var started = CompletedPiece(piece);
        for (var i = 0; i < started.BlockCount; i++)
            contributors.Add(new BlockContribution(Layout.Block(piece, i), started.Sender(i)));
    }

    /// <summary>
    /// The completed piece failed its hash check: every block goes back to free, so it is picked again (first,
    /// as a partial piece). Adds to <paramref name="contributors"/> which peer sent each block, for blame and
    /// smart-ban.
    /// </summary>
    public void PieceFailed(int piece, List<BlockContribution> contributors)
    {
        GetContributions(piece, contributors);
        CompletedPiece(piece).ResetBlocks();
    }

    // ---- Internals ----

    private bool IsNeeded(int piece) => wanted.Get(piece) && !have.Get(piece);

    private int TakeFree(DownloadingPiece piece, PeerHandle peer, PeerSlot state, Span<BlockInfo> into)
    {
        var n = 0;
        while (n < into.Length)
        {
            var block = piece.NextFree();
            if (block < 0)
                break;
            piece.Request(block, peer);
            state.Outstanding++;
            into[n++] = Layout.Block(piece.Piece, block);
        }
        return n;
    }

    private int TakeDuplicates(PeerHandle peer, PeerSlot state, Span<BlockInfo> into)
    {
        var n = 0;
        foreach (var piece in downloading)
        {
            if (piece.RequestedCount == 0 || !wanted.Get(piece.Piece) || !state.Has.Get(piece.Piece))
                continue;
            for (var i = 0; i < piece.BlockCount && n < into.Length; i++)
            {
                if (piece.State(i) != BlockState.Requested || !piece.SecondRequester(i).IsNone || piece.FirstRequester(i) == peer)
                    continue;
                piece.Request(i, peer);
                state.Outstanding++;
                into[n++] = Layout.Block(piece.Piece, i);
            }
            if (n == into.Length)
                break;
        }
        return n;
    }

    /// <summary>A piece to start for this peer: not started, wanted, lacking, and the peer has it; or -1.</summary>
    private int PickNewPiece(PeerSlot state)
    {
        var included = rarity.IncludedCount;
        if (included == 0)
            return -1;
        if (have.Count < RandomFirstPieces)
            return FirstAcceptable(state, 0, included);
        // A peer that is not a seed has only pieces of availability one or more.
        for (var k = state.IsSeed ? 0 : 1; k < rarity.BucketCount; k++)
        {
            var start = rarity.BucketStart(k);
            var end = rarity.BucketEnd(k);
            if (start == end)
                continue;
            var piece = FirstAcceptable(state, start, end);
            if (piece >= 0)
                return piece;
        }
        return -1;
    }

    // Scans order positions [start, end) from a random point, wrapping: a random tie-break among equals.
    private int FirstAcceptable(PeerSlot state, int start, int end)
    {
        var length = end - start;
        var offset = random.Next(length);
        for (var i = 0; i < length; i++)
        {
            var at = offset + i;
            if (at >= length)
                at -= length;
            var piece = rarity.PieceAt(start + at);
            if (active[piece] is null && state.Has.Get(piece))
                return piece;
        }
        return -1;
    }

    private DownloadingPiece Start(int piece)
    {
        var started = pool.Count > 0 ? pool.Pop() : new DownloadingPiece();
        started.Reset(piece, Layout.BlockCount(piece));
        active[piece] = started;
        downloading.Add(started);
        return started;
    }

    private void Finish(DownloadingPiece piece)
    {
        active[piece.Piece] = null;
        downloading.Remove(piece);
        pool.Push(piece);
    }

    private DownloadingPiece CompletedPiece(int piece)
    {
        CheckPiece(piece);
        if (active[piece] is not { } started)
            throw new InvalidOperationException($"Piece {piece} is not being downloaded.");
        if (!started.IsComplete)
            throw new InvalidOperationException($"Piece {piece} has {started.ReceivedCount} of {started.BlockCount} blocks; it cannot be checked yet.");
        return started;
    }

    private void SetHave(int piece)
    {
        if (!have.Set(piece))
            return;
        if (wanted.Get(piece))
            wantedMissing--;
        rarity.Exclude(piece);
    }

    private int ReleaseAll(PeerHandle peer, PeerSlot state)
    {
        if (state.Outstanding == 0)
            return 0;
        var released = 0;
        foreach (var piece in downloading)
        {
            if (piece.RequestedCount == 0)
                continue;
            for (var i = 0; i < piece.BlockCount; i++)
            {
                if (piece.Release(i, peer))
                    released++;
            }
        }
        state.Outstanding -= released;
        return released;
    }

    private void ForgetPieces(PeerSlot state)
    {
        if (state.IsSeed)
        {
            seeds--;
            state.IsSeed = false;
        }
        else
        {
            var words = state.Has.Words;
            for (var w = 0; w < words.Length; w++)
            {
                for (var bits = words[w]; bits != 0; bits &= bits - 1)
                    rarity.Decrement((w << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits));
            }
        }
        state.Has.ClearAll();
    }

    private PeerSlot Get(PeerHandle peer)
    {
        if ((uint)peer.Slot >= (uint)peers.Count || peers[peer.Slot] is not { InUse: true } state || state.Generation != peer.Generation)
            throw new ArgumentException($"{peer} is not connected to this torrent.", nameof(peer));
        return state;
    }

    private void CheckPiece(int piece)
    {
        if ((uint)piece >= (uint)PieceCount)
            throw new ArgumentOutOfRangeException(nameof(piece), piece, $"The torrent has {PieceCount} pieces; there is no piece {piece}.");
    }

    private sealed class PeerSlot(int pieceCount)
    {
        public Bitfield Has { get; } = new(pieceCount);

        public int Generation { get; set; }

        public bool InUse { get; set; }

        public bool IsSeed { get; set; }

        public int Outstanding { get; set; }
    }
}
