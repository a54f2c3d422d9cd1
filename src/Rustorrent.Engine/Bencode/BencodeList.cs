using System.Collections;

namespace Rustorrent.Bencode;

internal sealed class BencodeList : BencodeValue, IEnumerable<BencodeValue>
{
    private readonly List<BencodeValue> items = [];

    public override BencodeKind Kind => BencodeKind.List;

    public int Count => items.Count;

    public BencodeValue this[int index] => items[index];

    public void Add(BencodeValue item) => items.Add(item ?? throw new ArgumentNullException(nameof(item)));

    public IEnumerator<BencodeValue> GetEnumerator() => items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override bool Equals(BencodeValue? other) =>
        other is BencodeList list && list.items.Count == items.Count && list.items.SequenceEqual(items);

    public override int GetHashCode() => HashCode.Combine(items.Count, items.Count > 0 ? items[0].GetHashCode() : 0);
}
