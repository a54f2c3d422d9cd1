using System.Text;

namespace Rustorrent.Bencode;

/// <summary>A view of one value inside a <see cref="BencodeDocument"/>: cheap to copy, never allocates to walk.</summary>
internal readonly struct BencodeNode
{
    private readonly BencodeDocument document;
    private readonly int index;

    internal BencodeNode(BencodeDocument document, int index)
    {
        this.document = document;
        this.index = index;
    }

    private ref readonly BencodeToken Token => ref document[index];

    public BencodeKind Kind => Token.Kind;

    /// <summary>Offset of the value's first byte in the document's source.</summary>
    public int Offset => Token.Start;

    /// <summary>The value's exact bytes as they appear in the source.</summary>
    public ReadOnlyMemory<byte> RawMemory => document.Source[Token.Start..Token.End];

    public ReadOnlySpan<byte> RawSpan => document.Source.Span[Token.Start..Token.End];

    public bool IsInteger => Kind == BencodeKind.Integer;

    public bool IsString => Kind == BencodeKind.String;

    public bool IsList => Kind == BencodeKind.List;

    public bool IsDictionary => Kind == BencodeKind.Dictionary;

    /// <summary>Elements of a list, entries of a dictionary, bytes of a string.</summary>
    public int Count => Kind switch
    {
        BencodeKind.List => Token.Extra,
        BencodeKind.Dictionary => Token.Extra / 2,
        BencodeKind.String => Token.End - Token.Extra,
        _ => 0,
    };

    public long IntegerValue
    {
        get
        {
            Expect(BencodeKind.Integer);
            BencodeDocument.ReadInteger(document.Source.Span, Token.Start, out var value);
            return value;
        }
    }

    public ReadOnlySpan<byte> StringSpan
    {
        get
        {
            Expect(BencodeKind.String);
            return document.Source.Span[Token.Extra..Token.End];
        }
    }

    public ReadOnlyMemory<byte> StringMemory
    {
        get
        {
            Expect(BencodeKind.String);
            return document.Source[Token.Extra..Token.End];
        }
    }

    /// <summary>The string's bytes as UTF-8 text; invalid sequences become U+FFFD.</summary>
    public string GetUtf8String() => Encoding.UTF8.GetString(StringSpan);

    /// <summary>True when the string's bytes equal <paramref name="ascii"/>.</summary>
    public bool StringEquals(ReadOnlySpan<byte> ascii) => IsString && StringSpan.SequenceEqual(ascii);

    public ListEnumerator Items
    {
        get
        {
            Expect(BencodeKind.List);
            return new ListEnumerator(document, index);
        }
    }

    public DictionaryEnumerator Entries
    {
        get
        {
            Expect(BencodeKind.Dictionary);
            return new DictionaryEnumerator(document, index);
        }
    }

    /// <summary>Looks a key up in a dictionary (first match; a linear scan, as dictionaries in torrents are small).</summary>
    public bool TryGetValue(ReadOnlySpan<byte> key, out BencodeNode value)
    {
        foreach (var entry in Entries)
        {
            if (entry.Key.StringSpan.SequenceEqual(key))
            {
                value = entry.Value;
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>Copies this value into the mutable model, e.g. to re-encode it (depth is bounded by the parser).</summary>
    public BencodeValue ToValue() => Kind switch
    {
        BencodeKind.Integer => new BencodeInteger(IntegerValue),
        BencodeKind.String => new BencodeString(StringSpan.ToArray()),
        BencodeKind.List => ListToValue(),
        _ => DictionaryToValue(),
    };

    private BencodeList ListToValue()
    {
        var list = new BencodeList();
        foreach (var item in Items)
            list.Add(item.ToValue());
        return list;
    }

    private BencodeDictionary DictionaryToValue()
    {
        var dictionary = new BencodeDictionary();
        foreach (var entry in Entries)
            dictionary[entry.Key.StringSpan.ToArray()] = entry.Value.ToValue();
        return dictionary;
    }

    private void Expect(BencodeKind kind)
    {
        if (Kind != kind)
            throw new InvalidOperationException($"The value at byte {Offset} is {WithArticle(Kind)}, not {WithArticle(kind)}.");
    }

    private static string WithArticle(BencodeKind kind) =>
        (kind == BencodeKind.Integer ? "an " : "a ") + BencodeDocument.Describe(kind);

    public override string ToString() => $"{BencodeDocument.Describe(Kind)} at byte {Offset}";

    public struct ListEnumerator
    {
        private readonly BencodeDocument document;
        private readonly int end;
        private int next;
        private int current;

        internal ListEnumerator(BencodeDocument document, int container)
        {
            this.document = document;
            end = document[container].Next;
            next = container + 1;
            current = -1;
        }

        public readonly BencodeNode Current => new(document, current);

        public readonly ListEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (next >= end)
                return false;
            current = next;
            next = document[current].Next;
            return true;
        }
    }

    public struct DictionaryEnumerator
    {
        private readonly BencodeDocument document;
        private readonly int end;
        private int next;
        private int key;

        internal DictionaryEnumerator(BencodeDocument document, int container)
        {
            this.document = document;
            end = document[container].Next;
            next = container + 1;
            key = -1;
        }

        public readonly (BencodeNode Key, BencodeNode Value) Current =>
            (new BencodeNode(document, key), new BencodeNode(document, document[key].Next));

        public readonly DictionaryEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (next >= end)
                return false;
            key = next;
            next = document[document[key].Next].Next;
            return true;
        }
    }
}
