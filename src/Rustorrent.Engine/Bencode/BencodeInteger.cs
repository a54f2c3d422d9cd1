namespace Rustorrent.Bencode;

internal sealed class BencodeInteger(long value) : BencodeValue
{
    public long Value { get; } = value;

    public override BencodeKind Kind => BencodeKind.Integer;

    public override bool Equals(BencodeValue? other) => other is BencodeInteger i && i.Value == Value;

    public override int GetHashCode() => Value.GetHashCode();

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
