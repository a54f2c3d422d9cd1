namespace Rustorrent.Peers.Extensions;

/// <summary>The extension messages we speak (BEP 10 "m" dictionary keys) and the ids we receive them under.</summary>
internal static class ExtensionNames
{
    /// <summary>BEP 9 metadata exchange.</summary>
    public const string Metadata = "ut_metadata";

    /// <summary>BEP 11 peer exchange.</summary>
    public const string Pex = "ut_pex";

    /// <summary>Extended message id 0 is the handshake itself (BEP 10).</summary>
    public const byte HandshakeId = 0;

    /// <summary>The id peers send ut_metadata messages to us with (ours to choose, BEP 10).</summary>
    public const byte LocalMetadataId = 1;

    /// <summary>The id peers send ut_pex messages to us with.</summary>
    public const byte LocalPexId = 2;
}
