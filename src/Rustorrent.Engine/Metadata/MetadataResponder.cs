using System.Buffers;
using System.Globalization;
using Rustorrent.Metainfo;
using Rustorrent.Peers.Extensions;

namespace Rustorrent.Metadata;

/// <summary>
/// Answers peers' ut_metadata requests (BEP 9) from a torrent's info dictionary bytes: a data message with the
/// 16 KiB piece asked for, or a reject for a piece the metadata does not have. A peer session calls it for each
/// ut_metadata message it receives and sends the reply (if any) with the peer's ut_metadata id; our extension
/// handshake announces <see cref="MetadataSize"/> as "metadata_size". Immutable; safe to share between sessions.
/// </summary>
internal sealed class MetadataResponder
{
    private readonly ReadOnlyMemory<byte> infoDictionary;

    /// <exception cref="ArgumentException">The bytes are empty or larger than <see cref="MetadataMessage.MaxMetadataSize"/>.</exception>
    public MetadataResponder(ReadOnlyMemory<byte> infoDictionary)
    {
        if (!MetadataAssembler.IsAcceptableSize(infoDictionary.Length))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"An info dictionary of {infoDictionary.Length:N0} bytes cannot be served; 1 to {MetadataMessage.MaxMetadataSize:N0} can."), nameof(infoDictionary));
        this.infoDictionary = infoDictionary;
        PieceCount = (infoDictionary.Length + MetadataMessage.PieceSize - 1) / MetadataMessage.PieceSize;
    }

    /// <summary>"metadata_size" for our extension handshake.</summary>
    public int MetadataSize => infoDictionary.Length;

    public int PieceCount { get; }

    public static MetadataResponder For(TorrentMetainfo torrent)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        return new MetadataResponder(torrent.InfoDictionary);
    }

    /// <summary>
    /// The reply to one received ut_metadata payload: for a request, the piece (or a reject when out of range);
    /// null when no reply is due: a data or reject message (we never ask when we have the metadata), an unknown
    /// msg_type (BEP 9: ignored), or a malformed message, whose reason is in <paramref name="ignored"/>.
    /// </summary>
    public byte[]? Respond(in ReadOnlySequence<byte> payload, out string? ignored)
    {
        if (!MetadataMessage.TryParse(payload, out var message, out ignored))
            return null;
        if (message.Type != MetadataMessageType.Request)
        {
            ignored = $"a {message} we did not ask for";
            return null;
        }
        return Reply(message.Piece).Encode();
    }

    /// <summary>The answer to a request for <paramref name="piece"/>: its data, or a reject past the last piece.</summary>
    public MetadataMessage Reply(int piece)
    {
        if ((uint)piece >= (uint)PieceCount)
            return MetadataMessage.Reject(Math.Clamp(piece, 0, MetadataMessage.MaxPieceCount - 1));
        var start = piece * MetadataMessage.PieceSize;
        var length = Math.Min(MetadataMessage.PieceSize, infoDictionary.Length - start);
        return MetadataMessage.DataPiece(piece, infoDictionary.Length, infoDictionary.Slice(start, length));
    }
}
