using System.Collections;
using System.Text;

namespace Rustorrent.Bencode;

/// <summary>A dictionary whose keys stay sorted as raw bytes, the order canonical bencode requires (BEP 3).</summary>
internal sealed class BencodeDictionary : BencodeValue, IEnumerable<KeyValuePair<byte[], BencodeValue>>
{
    private readonly SortedDictionary<byte[], BencodeValue> entries = new(RawKeyComparer.Instance);

    public override BencodeKind Kind => BencodeKind.Dictionary;

    public int Count => entries.Count;

    public BencodeValue this[byte[] key]
    {
        get => entries[key];
        set => entries[key.ToArray()] = value ?? throw new ArgumentNullException(nameof(value));
    }

    public BencodeValue this[string key]
    {
        get => entries[Encoding.UTF8.GetBytes(key)];
        set => this[Encoding.UTF8.GetBytes(key)] = value;
    }

    public bool TryGetValue(string key, out BencodeValue value) =>
        entries.TryGetValue(Encoding.UTF8.GetBytes(key), out value!);

    public IEnumerator<KeyValuePair<byte[], BencodeValue>> GetEnumerator() => entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override bool Equals(BencodeValue? other)
    {
        if (other is not BencodeDictionary dictionary || dictionary.Count != Count)
            return false;
        using var mine = entries.GetEnumerator();
        using var theirs = dictionary.entries.GetEnumerator();
        while (mine.MoveNext() && theirs.MoveNext())
        {
            if (!mine.Current.Key.AsSpan().SequenceEqual(theirs.Current.Key) || !mine.Current.Value.Equals(theirs.Current.Value))
                return false;
        }
        return true;
    }

    public override int GetHashCode() => Count;

    /// <summary>Orders keys as unsigned bytes, shorter prefix first.</summary>
    private sealed class RawKeyComparer : IComparer<byte[]>
    {
        public static readonly RawKeyComparer Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
