using System.Buffers;
using Rustorrent.Metainfo;
using Rustorrent.Peers.Wire;
using static Rustorrent.Engine.Tests.Peers.Wire.WireBytes;

namespace Rustorrent.Engine.Tests.Peers.Wire;

public class PeerHandshakeTests
{
    [Fact]
    public void Writes_the_68_bep_3_bytes_with_our_reserved_bits()
    {
        var bytes = new PeerHandshake(TestInfoHash, PeerA).ToArray();

        Assert.Equal(68, bytes.Length);
        Assert.Equal(19, bytes[0]);
        Assert.Equal("BitTorrent protocol"u8.ToArray(), bytes[1..20]);
        // reserved[5] & 0x10 (BEP 10), reserved[7] & 0x04 (BEP 6) and & 0x01 (BEP 5), nothing else.
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0x10, 0, 0x05 }, bytes[20..28]);
        Assert.Equal(InfoHashBytes, bytes[28..48]);
        Assert.Equal(PeerA.Span.ToArray(), bytes[48..68]);
    }

    [Fact]
    public void Reads_a_handshake_and_its_reserved_bits()
    {
        var bytes = Handshake(InfoHashBytes, PeerB, reserved: 0x0000_0000_0010_0004);

        Assert.True(PeerHandshake.TryRead(new ReadOnlySequence<byte>(bytes), out var handshake));

        Assert.Equal(TestInfoHash, handshake.InfoHash);
        Assert.Equal(PeerB, handshake.PeerId);
        Assert.True(handshake.SupportsExtensionProtocol);
        Assert.True(handshake.SupportsFastExtension);
        Assert.False(handshake.SupportsDht);
        Assert.Equal(bytes, handshake.ToArray());
    }

    [Fact]
    public void Unknown_reserved_bits_are_kept()
    {
        var bytes = Handshake(InfoHashBytes, PeerB, reserved: 0x8000_0000_0000_0001);
        Assert.True(PeerHandshake.TryRead(Segmented(bytes, 1), out var handshake));
        Assert.Equal((PeerReservedBits)0x8000_0000_0000_0001, handshake.Reserved);
        Assert.True(handshake.SupportsDht);
        Assert.False(handshake.SupportsFastExtension);
    }

    [Fact]
    public void A_v2_info_hash_goes_on_the_wire_truncated_to_20_bytes()
    {
        var v2 = new InfoHash(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());
        var bytes = new PeerHandshake(v2, PeerA).ToArray();
        Assert.Equal(v2.Span[..20].ToArray(), bytes[28..48]);
    }

    [Fact]
    public void Waits_for_all_68_bytes()
    {
        var bytes = Handshake(InfoHashBytes, PeerB);
        for (var n = 0; n < 68; n++)
            Assert.False(PeerHandshake.TryRead(new ReadOnlySequence<byte>(bytes, 0, n), out _), $"{n} bytes");
    }

    [Fact]
    public void Another_protocol_is_refused_at_its_first_byte()
    {
        var e = Assert.Throws<PeerProtocolException>(() => PeerHandshake.TryRead(new ReadOnlySequence<byte>("GET / HTTP/1.1\r\n"u8.ToArray()), out _));
        Assert.Equal(PeerProtocolError.NotBitTorrent, e.Error);
        Assert.Equal("the handshake starts with byte 71, not 19 (the length of \"BitTorrent protocol\"): not a BitTorrent peer, or an encrypted stream", e.Message);
    }

    [Fact]
    public void A_wrong_protocol_name_is_refused_before_68_bytes_arrive()
    {
        byte[] bytes = [19, .. "BitTorrent protocoX"u8];
        var e = Assert.Throws<PeerProtocolException>(() => PeerHandshake.TryRead(new ReadOnlySequence<byte>(bytes), out _));
        Assert.Equal(PeerProtocolError.NotBitTorrent, e.Error);
        Assert.Equal("the handshake names the protocol \"BitTorrent protocoX...\", not \"BitTorrent protocol\"", e.Message);
    }
}
