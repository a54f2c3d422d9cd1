namespace Rustorrent.Metainfo;

/// <summary>
/// A .torrent (or an info dictionary) that is valid bencode but not valid metainfo, with what is wrong and,
/// where one value is to blame, the byte offset of that value in the input.
/// </summary>
public sealed class MetainfoException : FormatException
{
    public MetainfoException(string reason, long? offset = null, Exception? inner = null)
        : base(offset is { } at ? $"Invalid torrent: {reason} (at byte {at})" : $"Invalid torrent: {reason}", inner)
    {
        Reason = reason;
        Offset = offset;
    }

    /// <summary>What is wrong, in plain words, without the offset.</summary>
    public string Reason { get; }

    /// <summary>Byte offset of the offending value in the input, when one value is to blame.</summary>
    public long? Offset { get; }
}
