namespace Rustorrent.Pieces;

/// <summary>Where one block of a piece being downloaded stands.</summary>
internal enum BlockState : byte
{
    /// <summary>Nobody has it requested: free to pick.</summary>
    Free,

    /// <summary>Requested from one peer, or two in endgame.</summary>
    Requested,

    /// <summary>The data is here (waiting for the rest of the piece and the hash check).</summary>
    Received,
}
