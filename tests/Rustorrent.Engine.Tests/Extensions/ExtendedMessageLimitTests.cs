using Rustorrent.Engine.Tests.Peers.Wire;
using Rustorrent.Peers.Extensions;
using Rustorrent.Peers.Wire;

namespace Rustorrent.Engine.Tests.Extensions;

/// <summary>The wire layer bounds extension messages (BEP 10) from their header, before any payload is buffered.</summary>
public sealed class ExtendedMessageLimitTests
{
    [Fact]
    public void An_extension_message_over_the_limit_is_refused_from_its_first_six_bytes()
    {
        var limits = WireLimits.MetadataUnknown(maxExtendedLength: 64 * 1024);
        byte[] header = [.. WireBytes.U32(2 + 64 * 1024 + 1), 20, ExtensionNames.LocalMetadataId];

        var error = WireBytes.ParseError(header, limits);

        Assert.Equal(PeerProtocolError.MessageTooLong, error.Error);
    }

    [Fact]
    public void A_ut_metadata_piece_fits_the_default_limit_whole()
    {
        var payload = MetadataMessage.DataPiece(2047, MetadataMessage.MaxMetadataSize, new byte[MetadataMessage.PieceSize]).Encode();
        Assert.True(payload.Length <= WireLimits.MetadataUnknown(maxExtendedLength: 64 * 1024).MaxExtendedLength);
        Assert.True(payload.Length <= WireLimits.DefaultMaxExtendedLength);
    }
}
