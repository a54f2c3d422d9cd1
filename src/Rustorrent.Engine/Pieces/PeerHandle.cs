namespace Rustorrent.Pieces;

/// <summary>
/// A connected peer as one <see cref="PiecePicker"/> knows it, from <see cref="PiecePicker.AddPeer"/> until
/// <see cref="PiecePicker.RemovePeer"/>. Handles are never reused within a picker (a slot number plus a
/// generation), so a handle kept after its peer left, e.g. as the sender of a block, still names only that
/// peer. <c>default</c> means "no peer".
/// </summary>
internal readonly struct PeerHandle(int slot, int generation) : IEquatable<PeerHandle>
{
    internal int Slot { get; } = slot;

    internal int Generation { get; } = generation;

    public bool IsNone => Generation == 0;

    public bool Equals(PeerHandle other) => Slot == other.Slot && Generation == other.Generation;

    public override bool Equals(object? obj) => obj is PeerHandle other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Slot, Generation);

    public static bool operator ==(PeerHandle left, PeerHandle right) => left.Equals(right);

    public static bool operator !=(PeerHandle left, PeerHandle right) => !left.Equals(right);

    public override string ToString() => IsNone ? "no peer" : $"peer {Slot}.{Generation}";
}
