namespace Rustorrent.Peers.Extensions;

/// <summary>BEP 11 "added.f" flags: one byte per added peer.</summary>
[Flags]
internal enum PexFlags : byte
{
    None = 0,

    /// <summary>The peer prefers encrypted connections (MSE/PE).</summary>
    PrefersEncryption = 0x01,

    /// <summary>The peer is a seed or upload-only.</summary>
    Seed = 0x02,

    /// <summary>The peer speaks uTP (BEP 29).</summary>
    SupportsUtp = 0x04,

    /// <summary>The peer speaks ut_holepunch (BEP 55).</summary>
    SupportsHolepunch = 0x08,

    /// <summary>The sender reached the peer with an outgoing connection: it is connectable.</summary>
    Reachable = 0x10,
}
