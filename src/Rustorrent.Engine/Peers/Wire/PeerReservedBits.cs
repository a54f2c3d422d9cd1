namespace Rustorrent.Peers.Wire;

/// <summary>
/// The 8 reserved handshake bytes read as one big-endian number: byte 0 is the top byte, byte 7 the
/// lowest, so that "reserved[7] &amp; 0x04" is 0x04 and "reserved[5] &amp; 0x10" is 0x10_0000.
/// </summary>
[Flags]
internal enum PeerReservedBits : ulong
{
    None = 0,

    /// <summary>BEP 5: the peer runs a DHT node and may send a port message (reserved[7] &amp; 0x01).</summary>
    Dht = 0x01,

    /// <summary>BEP 6 fast extension (reserved[7] &amp; 0x04).</summary>
    FastExtension = 0x04,

    /// <summary>BEP 10 extension protocol (reserved[5] &amp; 0x10).</summary>
    ExtensionProtocol = 0x10_0000,
}
