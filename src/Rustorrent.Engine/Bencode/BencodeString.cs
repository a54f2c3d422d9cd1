using System.Text;

namespace Rustorrent.Bencode;

/// <summary>A byte string; text is stored as UTF-8.</summary>
internal sealed class BencodeString : BencodeValue
{
    private readonly byte[] bytes;

    public BencodeString(ReadOnlySpan<byte> bytes) => this.bytes = bytes.ToArray();

    public BencodeString(string text) => bytes = Encoding.UTF8.GetBytes(text);

    public ReadOnlySpan<byte> Span => bytes;

    public override BencodeKind Kind => BencodeKind.String;

    public string Text => Encoding.UTF8.GetString(bytes);

    public override bool Equals(BencodeValue? other) => other is BencodeString s && s.Span.SequenceEqual(Span);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }

    public override string ToString() => Text;
}
