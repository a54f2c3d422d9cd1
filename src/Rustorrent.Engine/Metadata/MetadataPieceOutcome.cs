namespace Rustorrent.Metadata;

/// <summary>What became of one ut_metadata piece handed to a <see cref="MetadataAssembler"/>.</summary>
internal enum MetadataPieceOutcome
{
    /// <summary>Stored; more pieces are missing.</summary>
    Accepted,

    /// <summary>Stored, and it was the last missing piece: the whole can be verified.</summary>
    Complete,

    /// <summary>The piece was already there; this copy is dropped.</summary>
    Duplicate,

    /// <summary>A piece index the metadata does not have, or a length other than that piece's (BEP 9): the sender is wrong.</summary>
    Invalid,
}
