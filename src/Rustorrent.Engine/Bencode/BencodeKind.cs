namespace Rustorrent.Bencode;

/// <summary>The four kinds of bencoded value (BEP 3).</summary>
internal enum BencodeKind : byte
{
    Integer,
    String,
    List,
    Dictionary,
}
