namespace Rustorrent.Bencode;

/// <summary>
/// One value of a parsed document, stored flat (as libtorrent's bdecode does) so that a document is one
/// array rather than a tree of objects, and walking it needs no recursion.
/// </summary>
internal struct BencodeToken
{
    /// <summary>Offset of the value's first byte in the source.</summary>
    public int Start;

    /// <summary>Offset just past the value's last byte (the closing 'e' for containers).</summary>
    public int End;

    /// <summary>Index of the token that follows this value and everything inside it.</summary>
    public int Next;

    /// <summary>Children for a list, keys plus values for a dictionary, content offset for a string.</summary>
    public int Extra;

    public BencodeKind Kind;
}
