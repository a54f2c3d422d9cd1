using System.Net;

namespace Rustorrent.Pieces;

/// <summary>The address that sent one block (by index within its piece); banning is by address, because a
/// banned peer would otherwise come back on a new connection.</summary>
internal readonly record struct BlockSender(int BlockIndex, IPAddress Address);
