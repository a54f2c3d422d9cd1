using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Rustorrent.Peers;

/// <summary>
/// Where a peer listens: an IP address and a port. Immutable; compares by value. An IPv4-mapped IPv6
/// address (::ffff:a.b.c.d) is stored as the IPv4 address, so one peer has one identity whichever way a
/// source spelled it.
/// </summary>
public readonly struct PeerEndpoint : IEquatable<PeerEndpoint>
{
    /// <summary>Bytes of a compact IPv4 peer: 4 address bytes and a big-endian port (BEP 23).</summary>
    public const int CompactIPv4Length = 6;

    /// <summary>Bytes of a compact IPv6 peer: 16 address bytes and a big-endian port (BEP 7).</summary>
    public const int CompactIPv6Length = 18;

    private readonly IPAddress? address;

    public PeerEndpoint(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        if ((uint)port > ushort.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(port), port, "A port is a number from 0 to 65535.");
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            throw new ArgumentException($"A peer address is IPv4 or IPv6, not {address.AddressFamily}.", nameof(address));
        this.address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        Port = port;
    }

    /// <summary>The peer's address (0.0.0.0 for the default value).</summary>
    public IPAddress Address => address ?? IPAddress.Any;

    public int Port { get; }

    public AddressFamily AddressFamily => Address.AddressFamily;

    public bool IsIPv6 => AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>Size of this endpoint in compact form: 6 bytes for IPv4, 18 for IPv6.</summary>
    public int CompactLength => IsIPv6 ? CompactIPv6Length : CompactIPv4Length;

    public IPEndPoint ToIPEndPoint() => new(Address, Port);

    /// <summary>Reads one compact peer: 6 bytes (IPv4, BEP 23) or 18 bytes (IPv6, BEP 7).</summary>
    public static PeerEndpoint ReadCompact(ReadOnlySpan<byte> compact)
    {
        if (compact.Length is not (CompactIPv4Length or CompactIPv6Length))
            throw new ArgumentException($"A compact peer is {CompactIPv4Length} bytes (IPv4) or {CompactIPv6Length} bytes (IPv6), not {compact.Length}.", nameof(compact));
        var addressLength = compact.Length - 2;
        return new PeerEndpoint(new IPAddress(compact[..addressLength]), BinaryPrimitives.ReadUInt16BigEndian(compact[addressLength..]));
    }

    /// <summary>Writes the compact form (see <see cref="CompactLength"/>) and returns the bytes written.</summary>
    public int WriteCompact(Span<byte> destination)
    {
        var addressLength = CompactLength - 2;
        if (destination.Length < CompactLength)
            throw new ArgumentException($"The compact form of {this} needs {CompactLength} bytes; the destination has {destination.Length}.", nameof(destination));
        if (!Address.TryWriteBytes(destination, out var written) || written != addressLength)
            throw new InvalidOperationException($"Could not write the address of {this}.");
        BinaryPrimitives.WriteUInt16BigEndian(destination[addressLength..], (ushort)Port);
        return CompactLength;
    }

    public byte[] ToCompact()
    {
        var bytes = new byte[CompactLength];
        WriteCompact(bytes);
        return bytes;
    }

    /// <summary>Parses "a.b.c.d:port" or "[v6]:port" (port 1 to 65535).</summary>
    public static PeerEndpoint Parse(string text)
    {
        if (!TryParse(text, out var endpoint, out var error))
            throw new FormatException(error);
        return endpoint;
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out PeerEndpoint endpoint) => TryParse(text, out endpoint, out _);

    public static bool TryParse(string? text, out PeerEndpoint endpoint, [NotNullWhen(false)] out string? error)
    {
        endpoint = default;
        var s = (text ?? "").AsSpan().Trim();
        ReadOnlySpan<char> host;
        ReadOnlySpan<char> port;
        if (s.StartsWith("["))
        {
            var close = s.IndexOf(']');
            if (close < 0 || close + 1 >= s.Length || s[close + 1] != ':')
            {
                error = $"'{text}' is not a peer endpoint: an IPv6 address in brackets must be followed by ':port', as in [::1]:6881.";
                return false;
            }
            host = s[1..close];
            port = s[(close + 2)..];
            if (!host.Contains(':'))
            {
                error = $"'{text}' is not a peer endpoint: only IPv6 addresses go in brackets.";
                return false;
            }
        }
        else
        {
            var colon = s.LastIndexOf(':');
            if (colon < 0)
            {
                error = $"'{text}' is not a peer endpoint: expected address:port, as in 192.0.2.1:6881 or [::1]:6881.";
                return false;
            }
            host = s[..colon];
            port = s[(colon + 1)..];
            if (host.Contains(':'))
            {
                error = $"'{text}' is not a peer endpoint: write an IPv6 address in brackets, as in [::1]:6881.";
                return false;
            }
        }

        if (!TryParseAddress(host, out var address))
        {
            error = $"'{text}' is not a peer endpoint: '{host}' is not an IP address.";
            return false;
        }
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var portNumber) || portNumber is < 1 or > ushort.MaxValue)
        {
            error = $"'{text}' is not a peer endpoint: the port '{port}' is not a number from 1 to 65535.";
            return false;
        }

        endpoint = new PeerEndpoint(address, portNumber);
        error = null;
        return true;
    }

    /// <summary>
    /// Parses an IP address literal strictly: IPv4 only as four dotted decimal parts (IPAddress.TryParse
    /// also takes legacy forms such as "1", "0x7f.1" or octal parts that no peer source means), IPv6 as
    /// RFC 4291 text.
    /// </summary>
    internal static bool TryParseAddress(ReadOnlySpan<char> text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.IsEmpty || text.Length > 64)
            return false;
        if (text.Contains(':'))
            return IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetworkV6;

        // A leading zero is refused too: inet_aton reads "010" as octal 8, which no tracker means.
        var dots = 0;
        var digitsInPart = 0;
        var leadingZero = false;
        foreach (var c in text)
        {
            if (c == '.')
            {
                if (digitsInPart == 0)
                    return false;
                dots++;
                digitsInPart = 0;
            }
            else if (char.IsAsciiDigit(c))
            {
                if (leadingZero && digitsInPart == 1)
                    return false;
                leadingZero = digitsInPart == 0 && c == '0';
                if (++digitsInPart > 3)
                    return false;
            }
            else
            {
                return false;
            }
        }
        return dots == 3 && digitsInPart > 0 && IPAddress.TryParse(text, out address);
    }

    public override string ToString() =>
        IsIPv6 ? $"[{Address}]:{Port.ToString(CultureInfo.InvariantCulture)}" : $"{Address}:{Port.ToString(CultureInfo.InvariantCulture)}";

    public bool Equals(PeerEndpoint other) => Port == other.Port && Address.Equals(other.Address);

    public override bool Equals(object? obj) => obj is PeerEndpoint other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Address, Port);

    public static bool operator ==(PeerEndpoint left, PeerEndpoint right) => left.Equals(right);

    public static bool operator !=(PeerEndpoint left, PeerEndpoint right) => !left.Equals(right);
}
