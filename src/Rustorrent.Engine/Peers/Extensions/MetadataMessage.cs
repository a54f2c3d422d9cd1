using System.Buffers;
using System.Globalization;
using Rustorrent.Bencode;

namespace Rustorrent.Peers.Extensions;

/// <summary>
/// A ut_metadata message (BEP 9): a bencoded dictionary with "msg_type" and "piece" (a data message adds
/// "total_size" and is followed by the piece's raw bytes, at most 16 KiB). Immutable.
/// </summary>
internal readonly struct MetadataMessage
{
    /// <summary>Bytes of every metadata piece but the last (BEP 9).</summary>
    public const int PieceSize = 16 * 1024;

    /// <summary>Largest info dictionary we fetch or serve: 32 MiB, as rqbit (libtorrent: 30 MiB). BEP 9 sets no
    /// limit, and a peer's claim is what we would otherwise allocate.</summary>
    public const int MaxMetadataSize = 32 * 1024 * 1024;

    /// <summary>Pieces of a <see cref="MaxMetadataSize"/> info dictionary: no valid piece index is larger.</summary>
    public const int MaxPieceCount = MaxMetadataSize / PieceSize;

    /// <summary>The dictionary is flat; a few spare tokens for keys some clients add.</summary>
    private static readonly BencodeReaderOptions ReaderOptions = new() { MaxDepth = 4, MaxTokens = 64 };

    private MetadataMessage(MetadataMessageType type, int piece, long totalSize, ReadOnlyMemory<byte> data)
    {
        Type = type;
        Piece = piece;
        TotalSize = totalSize;
        Data = data;
    }

    public MetadataMessageType Type { get; }

    public int Piece { get; }

    /// <summary>Data messages: the info dictionary's size as the sender states it; -1 otherwise.</summary>
    public long TotalSize { get; }

    /// <summary>Data messages: the piece's bytes.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    public static MetadataMessage Request(int piece) => new(MetadataMessageType.Request, CheckPiece(piece), -1, default);

    public static MetadataMessage Reject(int piece) => new(MetadataMessageType.Reject, CheckPiece(piece), -1, default);

    public static MetadataMessage DataPiece(int piece, long totalSize, ReadOnlyMemory<byte> data)
    {
        CheckPiece(piece);
        ArgumentOutOfRangeException.ThrowIfNegative(totalSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(data.Length, PieceSize);
        return new(MetadataMessageType.Data, piece, totalSize, data);
    }

    /// <summary>The extended message's payload (without the extended id).</summary>
    public byte[] Encode()
    {
        var output = new ArrayBufferWriter<byte>(64 + Data.Length);
        Write(output);
        return output.WrittenSpan.ToArray();
    }

    public void Write(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        // Keys in canonical order: msg_type, piece, total_size.
        output.Write("d8:msg_type"u8);
        BencodeWriter.WriteInteger((int)Type, output);
        output.Write("5:piece"u8);
        BencodeWriter.WriteInteger(Piece, output);
        if (Type == MetadataMessageType.Data)
        {
            output.Write("10:total_size"u8);
            BencodeWriter.WriteInteger(TotalSize, output);
        }
        output.Write("e"u8);
        if (Type == MetadataMessageType.Data)
            output.Write(Data.Span);
    }

    public static bool TryParse(in ReadOnlySequence<byte> payload, out MetadataMessage message, out string? error) =>
        TryParse(payload.ToArray(), out message, out error);

    /// <summary>
    /// Reads a message; false with the reason when it is malformed, names an unknown msg_type (BEP 9: ignore it),
    /// a piece index no metadata within <see cref="MaxMetadataSize"/> has, or carries more than 16 KiB of data.
    /// A data message's <see cref="Data"/> is a slice of <paramref name="payload"/>.
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> payload, out MetadataMessage message, out string? error)
    {
        message = default;
        BencodeDocument document;
        int consumed;
        try
        {
            document = BencodeDocument.ParsePrefix(payload, out consumed, ReaderOptions);
        }
        catch (BencodeException e)
        {
            error = "the ut_metadata message is not bencode: " + e.Message;
            return false;
        }
        var root = document.Root;
        if (!root.IsDictionary)
        {
            error = "the ut_metadata message is not a dictionary";
            return false;
        }
        if (!root.TryGetValue("msg_type"u8, out var typeNode) || !typeNode.IsInteger)
        {
            error = "the ut_metadata message has no integer msg_type";
            return false;
        }
        if (!root.TryGetValue("piece"u8, out var pieceNode) || !pieceNode.IsInteger)
        {
            error = "the ut_metadata message has no integer piece";
            return false;
        }
        var type = typeNode.IntegerValue;
        if (type is < 0 or > 2)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"unknown ut_metadata msg_type {type}");
            return false;
        }
        var piece = pieceNode.IntegerValue;
        if (piece is < 0 or >= MaxPieceCount)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"ut_metadata piece {piece} is outside 0..{MaxPieceCount - 1}");
            return false;
        }
        var data = payload[consumed..];
        if ((MetadataMessageType)type != MetadataMessageType.Data)
        {
            if (!data.IsEmpty)
            {
                error = string.Create(CultureInfo.InvariantCulture, $"{data.Length:N0} bytes after a ut_metadata {(MetadataMessageType)type}");
                return false;
            }
            message = new((MetadataMessageType)type, (int)piece, -1, default);
            error = null;
            return true;
        }
        if (!root.TryGetValue("total_size"u8, out var totalNode) || !totalNode.IsInteger || totalNode.IntegerValue < 0)
        {
            error = "the ut_metadata data message has no valid total_size";
            return false;
        }
        if (data.Length > PieceSize)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"a ut_metadata piece of {data.Length:N0} bytes; pieces are at most {PieceSize:N0}");
            return false;
        }
        message = new(MetadataMessageType.Data, (int)piece, totalNode.IntegerValue, data);
        error = null;
        return true;
    }

    public override string ToString() => Type == MetadataMessageType.Data
        ? string.Create(CultureInfo.InvariantCulture, $"ut_metadata data {Piece} ({Data.Length:N0} bytes of {TotalSize:N0})")
        : string.Create(CultureInfo.InvariantCulture, $"ut_metadata {Type.ToString().ToLowerInvariant()} {Piece}");

    private static int CheckPiece(int piece)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(piece);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(piece, MaxPieceCount);
        return piece;
    }
}
