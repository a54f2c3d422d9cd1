namespace Rustorrent.Pieces;

/// <summary>
/// The answer to <see cref="PiecePicker.BlockReceived"/>: whether to keep the data, whether its piece is now
/// complete (hash it), and which other peers had the same block requested and should be sent a "cancel"
/// (BEP 3; endgame duplicates). A block has at most <see cref="PiecePicker.MaxRequestersPerBlock"/>
/// requesters, so at most two peers to cancel (two when the block came unrequested).
/// </summary>
internal readonly struct BlockReceipt(BlockReceiptOutcome outcome, bool pieceComplete, PeerHandle cancelFirst, PeerHandle cancelSecond)
{
    public BlockReceiptOutcome Outcome { get; } = outcome;

    public bool IsAccepted => Outcome == BlockReceiptOutcome.Accepted;

    /// <summary>Every block of the piece is now here: hash it, then call PieceVerified or PieceFailed.</summary>
    public bool PieceComplete { get; } = pieceComplete;

    /// <summary>A peer to send "cancel" for this block to, or none.</summary>
    public PeerHandle CancelFirst { get; } = cancelFirst;

    /// <summary>A second peer to send "cancel" to, or none.</summary>
    public PeerHandle CancelSecond { get; } = cancelSecond;

    public int CancelCount => (CancelFirst.IsNone ? 0 : 1) + (CancelSecond.IsNone ? 0 : 1);

    public static BlockReceipt Rejected(BlockReceiptOutcome outcome) => new(outcome, false, default, default);

    public override string ToString() => $"{Outcome}{(PieceComplete ? ", piece complete" : "")}, {CancelCount} to cancel";
}
