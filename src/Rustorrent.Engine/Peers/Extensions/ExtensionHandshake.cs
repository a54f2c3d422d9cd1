using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using Rustorrent.Bencode;

namespace Rustorrent.Peers.Extensions;

/// <summary>
/// The BEP 10 extension handshake (extended message 0): the extensions a peer speaks and the ids it wants
/// them sent with ("m"), its client name ("v"), listen port ("p"), the address it sees us at ("yourip"),
/// its external addresses ("ipv4", "ipv6"), how many requests it queues ("reqq") and, from BEP 9, the size
/// of the torrent's info dictionary ("metadata_size"). Immutable. Parsing takes what is well formed and
/// ignores what is not (BEP 10: unknown keys are ignored); only a payload that is not a bencoded dictionary,
/// or an "m" that is not a dictionary, is refused.
/// </summary>
internal sealed record ExtensionHandshake
{
    /// <summary>Entries of "m" kept; a real client names a dozen at most.</summary>
    public const int MaxMessages = 64;

    /// <summary>Bytes of an extension name or client name kept; longer ones are dropped or cut.</summary>
    public const int MaxNameLength = 64;

    /// <summary>Bounds on the handshake's bencode: "m" is one level deep; a few more for keys we ignore.</summary>
    private static readonly BencodeReaderOptions ReaderOptions = new() { MaxDepth = 8, MaxTokens = 4096 };

    /// <summary>Extension name to the id the sender wants it sent with; 0 means disabled (BEP 10).</summary>
    public IReadOnlyDictionary<string, byte> Messages { get; init; } = new Dictionary<string, byte>(StringComparer.Ordinal);

    /// <summary>"v": client name and version, as the sender spells it (UTF-8, cut at <see cref="MaxNameLength"/> bytes).</summary>
    public string? ClientName { get; init; }

    /// <summary>"p": the sender's TCP listen port, so that the receiving side can tell others (PEX) where to dial.</summary>
    public int? ListenPort { get; init; }

    /// <summary>"yourip": our address as the sender sees it (4 or 16 bytes).</summary>
    public IPAddress? YourIp { get; init; }

    /// <summary>"ipv4": the sender's own IPv4 address, if it knows it.</summary>
    public IPAddress? IPv4 { get; init; }

    /// <summary>"ipv6": the sender's own IPv6 address, if it knows it.</summary>
    public IPAddress? IPv6 { get; init; }

    /// <summary>"reqq": requests the sender queues without dropping (libtorrent's default is 250).</summary>
    public int? RequestQueueLength { get; init; }

    /// <summary>"metadata_size" (BEP 9): bytes of the info dictionary, as claimed; callers check it against their cap.</summary>
    public long? MetadataSize { get; init; }

    /// <summary>True when the sender wants <paramref name="name"/> sent to it (a non-zero id).</summary>
    public bool Supports(string name) => Messages.TryGetValue(name, out var id) && id != 0;

    /// <summary>The bencoded payload (keys in canonical order).</summary>
    public byte[] Encode()
    {
        var root = new BencodeDictionary();
        var m = new BencodeDictionary();
        foreach (var (name, id) in Messages)
            m[name] = id;
        root["m"] = m;
        if (ClientName is not null)
            root["v"] = ClientName;
        if (ListenPort is { } port)
            root["p"] = port;
        if (YourIp is not null)
            root["yourip"] = YourIp.GetAddressBytes();
        if (IPv4 is not null)
            root["ipv4"] = IPv4.GetAddressBytes();
        if (IPv6 is not null)
            root["ipv6"] = IPv6.GetAddressBytes();
        if (RequestQueueLength is { } reqq)
            root["reqq"] = reqq;
        if (MetadataSize is { } size)
            root["metadata_size"] = size;
        return BencodeWriter.Encode(root);
    }

    public static bool TryParse(in ReadOnlySequence<byte> payload, out ExtensionHandshake? handshake, out string? error) =>
        TryParse(payload.ToArray(), out handshake, out error);

    /// <summary>Reads a handshake; false (with the reason) when the payload is not one.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> payload, out ExtensionHandshake? handshake, out string? error)
    {
        handshake = null;
        BencodeDocument document;
        try
        {
            document = BencodeDocument.Parse(payload, ReaderOptions);
        }
        catch (BencodeException e)
        {
            error = "the extension handshake is not bencode: " + e.Message;
            return false;
        }
        var root = document.Root;
        if (!root.IsDictionary)
        {
            error = "the extension handshake is not a dictionary";
            return false;
        }

        var messages = new Dictionary<string, byte>(StringComparer.Ordinal);
        string? client = null;
        int? port = null, reqq = null;
        long? metadataSize = null;
        IPAddress? yourIp = null, ipv4 = null, ipv6 = null;
        foreach (var (key, value) in root.Entries)
        {
            var k = key.StringSpan;
            if (k.SequenceEqual("m"u8))
            {
                if (!value.IsDictionary)
                {
                    error = "the extension handshake's \"m\" is not a dictionary";
                    return false;
                }
                foreach (var (name, id) in value.Entries)
                {
                    // BEP 10: ids are one byte; anything else is ignored rather than guessed at.
                    if (messages.Count >= MaxMessages || name.Count is 0 or > MaxNameLength || !id.IsInteger || id.IntegerValue is < 0 or > 255)
                        continue;
                    messages.TryAdd(Encoding.UTF8.GetString(name.StringSpan), (byte)id.IntegerValue);
                }
            }
            else if (k.SequenceEqual("v"u8) && value.IsString)
                client = Encoding.UTF8.GetString(value.StringSpan[..Math.Min(value.Count, MaxNameLength)]);
            else if (k.SequenceEqual("p"u8) && value.IsInteger && value.IntegerValue is > 0 and <= ushort.MaxValue)
                port = (int)value.IntegerValue;
            else if (k.SequenceEqual("reqq"u8) && value.IsInteger && value.IntegerValue is > 0 and <= int.MaxValue)
                reqq = (int)value.IntegerValue;
            else if (k.SequenceEqual("metadata_size"u8) && value.IsInteger && value.IntegerValue >= 0)
                metadataSize = value.IntegerValue;
            else if (k.SequenceEqual("yourip"u8))
                yourIp = ReadAddress(value, 4, 16);
            else if (k.SequenceEqual("ipv4"u8))
                ipv4 = ReadAddress(value, 4, 4);
            else if (k.SequenceEqual("ipv6"u8))
                ipv6 = ReadAddress(value, 16, 16);
        }

        handshake = new ExtensionHandshake
        {
            Messages = messages,
            ClientName = client,
            ListenPort = port,
            YourIp = yourIp,
            IPv4 = ipv4,
            IPv6 = ipv6,
            RequestQueueLength = reqq,
            MetadataSize = metadataSize,
        };
        error = null;
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"extension handshake from {ClientName ?? "an unnamed client"}: {string.Join(", ", Messages.Where(m => m.Value != 0).Select(m => $"{m.Key}={m.Value}"))}{(MetadataSize is { } s ? $", metadata_size {s:N0}" : "")}");

    private static IPAddress? ReadAddress(BencodeNode value, int shortest, int longest) =>
        value.IsString && (value.Count == shortest || value.Count == longest) ? new IPAddress(value.StringSpan) : null;
}
