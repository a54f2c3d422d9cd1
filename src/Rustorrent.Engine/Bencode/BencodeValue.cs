namespace Rustorrent.Bencode;

/// <summary>A bencoded value built in memory, for writing (KRPC messages, saved .torrent files, tracker replies).</summary>
internal abstract class BencodeValue : IEquatable<BencodeValue>
{
    public abstract BencodeKind Kind { get; }

    public abstract bool Equals(BencodeValue? other);

    public override bool Equals(object? obj) => obj is BencodeValue other && Equals(other);

    public abstract override int GetHashCode();

    /// <summary>Canonical bencoding of this value (BEP 3: dictionary keys sorted as raw bytes).</summary>
    public byte[] Encode() => BencodeWriter.Encode(this);

    public static implicit operator BencodeValue(long value) => new BencodeInteger(value);

    public static implicit operator BencodeValue(string value) => new BencodeString(value);

    public static implicit operator BencodeValue(byte[] value) => new BencodeString(value);
}
