namespace Rustorrent.Bencode;

/// <summary>Bencoded data that is malformed or breaks a safety limit, with the byte offset where it went wrong.</summary>
public sealed class BencodeException : FormatException
{
    public BencodeException(long offset, string reason)
        : base($"Invalid bencode at byte {offset}: {reason}")
    {
        Offset = offset;
        Reason = reason;
    }

    /// <summary>Byte offset into the input where the problem was found.</summary>
    public long Offset { get; }

    /// <summary>What is wrong, in plain words, without the offset.</summary>
    public string Reason { get; }
}
