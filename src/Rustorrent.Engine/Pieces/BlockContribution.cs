namespace Rustorrent.Pieces;

/// <summary>Which peer sent one block of a piece: what <see cref="PiecePicker.PieceFailed"/> reports, so the
/// session can blame (and smart-ban) the senders of a piece that failed its hash check.</summary>
internal readonly record struct BlockContribution(BlockInfo Block, PeerHandle Sender);
