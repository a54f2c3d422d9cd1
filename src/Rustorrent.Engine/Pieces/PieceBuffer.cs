using System.Runtime.InteropServices;

namespace Rustorrent.Pieces;

/// <summary>
/// A piece's bytes in a pinned array, starting at an address aligned to 4 KiB so that the disk can take the
/// verified piece without a copy into the page cache (O_DIRECT). Pinned: the address never moves.
/// </summary>
internal sealed class PieceBuffer
{
    public const int Alignment = 4096;

    private readonly byte[] array;
    private readonly int start;

    public PieceBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        array = GC.AllocateUninitializedArray<byte>(capacity + Alignment, pinned: true);
        // Pinned-heap arrays do not move: the address read through a (momentary) handle stays valid.
        var handle = GCHandle.Alloc(array, GCHandleType.Pinned);
        try
        {
            var address = handle.AddrOfPinnedObject();
            start = (int)((Alignment - (address % Alignment)) % Alignment);
        }
        finally
        {
            handle.Free();
        }
        Capacity = capacity;
    }

    public int Capacity { get; }

    public Span<byte> Span => array.AsSpan(start, Capacity);

    public Memory<byte> Memory => array.AsMemory(start, Capacity);
}
