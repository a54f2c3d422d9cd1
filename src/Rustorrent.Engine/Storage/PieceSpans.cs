namespace Rustorrent.Storage;

/// <summary>
/// The file spans of one byte range of the piece space, in order; a struct enumerable so that the read and
/// write paths walk a piece's files without allocating.
/// </summary>
internal readonly struct PieceSpans
{
    private readonly PieceMap map;
    private readonly long start;
    private readonly int length;

    internal PieceSpans(PieceMap map, long start, int length)
    {
        this.map = map;
        this.start = start;
        this.length = length;
    }

    /// <summary>Where the range starts in the piece space.</summary>
    public long Start => start;

    public int Length => length;

    public Enumerator GetEnumerator() => new(map, start, length);

    /// <summary>Walks the files from the one holding the first byte; empty files hold no bytes and are passed over.</summary>
    public struct Enumerator
    {
        private readonly PieceMap map;
        private readonly long end;
        private long position;
        private int fileSlot;
        private FileSpan current;

        internal Enumerator(PieceMap map, long start, int length)
        {
            this.map = map;
            position = start;
            end = start + length;
            fileSlot = length == 0 ? -1 : map.FindSlot(start);
            current = default;
            RangeStart = start;
        }

        private long RangeStart { get; }

        public readonly FileSpan Current => current;

        public bool MoveNext()
        {
            if (position >= end || fileSlot < 0)
                return false;
            var file = map.FileAtSlot(fileSlot);
            var fileOffset = position - file.Offset;
            var n = (int)Math.Min(end - position, file.Length - fileOffset);
            current = new FileSpan(file, fileOffset, n, (int)(position - RangeStart));
            position += n;
            fileSlot++;
            return true;
        }
    }
}
