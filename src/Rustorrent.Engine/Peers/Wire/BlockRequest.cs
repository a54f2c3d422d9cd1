using System.Globalization;

namespace Rustorrent.Peers.Wire;

/// <summary>A block of a piece as request, cancel and reject messages name it (BEP 3, BEP 6).</summary>
internal readonly record struct BlockRequest(int PieceIndex, int Begin, int Length)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"piece {PieceIndex} offset {Begin:N0} ({Length:N0} bytes)");
}
