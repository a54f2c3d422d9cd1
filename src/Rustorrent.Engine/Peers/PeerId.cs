using System.Security.Cryptography;
using System.Text;

namespace Rustorrent.Peers;

/// <summary>
/// The 20 bytes a peer names itself with in the handshake and to trackers (BEP 3). Immutable; compares by
/// value. The engine makes one with <see cref="Create"/> per run and uses it everywhere.
/// </summary>
public readonly struct PeerId : IEquatable<PeerId>
{
    public const int Length = 20;

    private readonly byte[]? bytes;

    public PeerId(ReadOnlySpan<byte> id)
    {
        if (id.Length != Length)
            throw new ArgumentException($"A peer id is {Length} bytes, not {id.Length}.", nameof(id));
        bytes = id.ToArray();
    }

    /// <summary>
    /// Our Azureus-style client prefix (BEP 20): '-', the client code "RT", four version characters
    /// (major, minor, build, revision of the engine assembly: 0.1.0 gives "0100"), '-'.
    /// </summary>
    public static string ClientPrefix { get; } = MakeClientPrefix();

    public bool IsEmpty => bytes is null;

    public ReadOnlySpan<byte> Span => bytes;

    /// <summary>A fresh id: <see cref="ClientPrefix"/> then 12 random bytes, so that other peers and trackers
    /// can tell which client we are (BEP 20) while two of our instances still differ.</summary>
    public static PeerId Create()
    {
        Span<byte> id = stackalloc byte[Length];
        var prefixLength = Encoding.ASCII.GetBytes(ClientPrefix, id);
        RandomNumberGenerator.Fill(id[prefixLength..]);
        return new PeerId(id);
    }

    public string ToHex() => bytes is null ? "" : Convert.ToHexString(bytes).ToLowerInvariant();

    /// <summary>The id with printable ASCII bytes as text and the others as %XX, the way trackers log it.</summary>
    public override string ToString()
    {
        if (bytes is null)
            return "";
        var text = new StringBuilder(Length * 3);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and < 0x7f && b != (byte)'%')
                text.Append((char)b);
            else
                text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    public bool Equals(PeerId other) => Span.SequenceEqual(other.Span);

    public override bool Equals(object? obj) => obj is PeerId other && Equals(other);

    public override int GetHashCode() => bytes is null ? 0 : BitConverter.ToInt32(bytes, Length - 4);

    public static bool operator ==(PeerId left, PeerId right) => left.Equals(right);

    public static bool operator !=(PeerId left, PeerId right) => !left.Equals(right);

    private static string MakeClientPrefix()
    {
        var version = typeof(PeerId).Assembly.GetName().Version ?? new Version(0, 0);
        return $"-RT{VersionChar(version.Major)}{VersionChar(version.Minor)}{VersionChar(version.Build)}{VersionChar(version.Revision)}-";
    }

    // One character per version part, as libtorrent does: 0-9, then A-Z for 10 to 35.
    private static char VersionChar(int part) => part switch
    {
        < 0 => '0',
        < 10 => (char)('0' + part),
        < 36 => (char)('A' + part - 10),
        _ => 'Z',
    };
}
