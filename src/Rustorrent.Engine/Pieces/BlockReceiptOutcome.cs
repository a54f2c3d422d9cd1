namespace Rustorrent.Pieces;

/// <summary>What <see cref="PiecePicker.BlockReceived"/> made of an incoming block.</summary>
internal enum BlockReceiptOutcome
{
    /// <summary>New data for a piece we are downloading: write it.</summary>
    Accepted,

    /// <summary>We already hold this block or its whole piece (an endgame race, or a peer that ignored a
    /// cancel): drop the data.</summary>
    Duplicate,

    /// <summary>A well-formed block of a piece we are not downloading and never asked for: drop it.</summary>
    Unexpected,

    /// <summary>No such block in this torrent (bad piece index, misaligned offset, wrong length): a protocol
    /// violation by the sender.</summary>
    Invalid,
}
