using System.IO.Compression;
using System.Net;
using System.Text;
using Rustorrent.Bencode;
using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.Trackers;

namespace Rustorrent.Engine.Tests.Trackers;

/// <summary>Requests, replies and limits shared by the tracker tests.</summary>
internal static class TrackerTestData
{
    /// <summary>An info hash with bytes of every kind the query string must treat differently: unreserved
    /// characters, reserved ones, '%', NUL and high bytes.</summary>
    public static readonly byte[] InfoHashBytes =
    [
        0x00, (byte)'A', (byte)'z', (byte)'0', (byte)'-', (byte)'.', (byte)'_', (byte)'~', (byte)'%', (byte)'&',
        (byte)'=', (byte)'+', (byte)' ', (byte)'/', (byte)'?', (byte)'#', 0x7f, 0x80, 0xc3, 0xff,
    ];

    public static readonly InfoHash TestInfoHash = new(InfoHashBytes);

    public static readonly PeerId TestPeerId = new("-RT0100-"u8.ToArray().Concat(new byte[] { 0x00, 0x01, (byte)'a', (byte)'~', 0xfe, 0xff, 0x20, 0x25, 0x2f, 0x3a, 0x41, 0x7a }).ToArray());

    /// <summary>
    /// Limits for tests: every wait is bounded by them, yet they are loose enough that a loaded machine (a cold
    /// JIT, parallel tests on two cores) does not cause a UDP retransmission a test does not expect. Tests
    /// about retransmission use <see cref="Retransmitting"/>.
    /// </summary>
    public static readonly TrackerOptions TestOptions = new()
    {
        Timeout = TimeSpan.FromSeconds(10),
        UdpRetransmitBase = TimeSpan.FromSeconds(3),
    };

    /// <summary>Test limits with a short first UDP retransmission wait (BEP 15 uses 15 s).</summary>
    public static TrackerOptions Retransmitting(int baseMilliseconds, double timeoutSeconds = 10) => TestOptions with
    {
        UdpRetransmitBase = TimeSpan.FromMilliseconds(baseMilliseconds),
        Timeout = TimeSpan.FromSeconds(timeoutSeconds),
    };

    public static AnnounceRequest Request(AnnounceEvent announceEvent = AnnounceEvent.Started) => new()
    {
        InfoHash = TestInfoHash,
        PeerId = TestPeerId,
        Port = 6881,
        Uploaded = 1,
        Downloaded = 2,
        Left = 3,
        Event = announceEvent,
        NumWant = 50,
        Key = 0xBEEF,
    };

    public static PeerEndpoint Peer(string text) => PeerEndpoint.Parse(text);

    public static byte[] Compact(params string[] peers) => peers.SelectMany(p => Peer(p).ToCompact()).ToArray();

    public static byte[] Encode(BencodeValue value) => BencodeWriter.Encode(value);

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
            gzip.Write(data);
        return output.ToArray();
    }

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    public static HttpTrackerClient HttpClientFor(Uri uri, HttpClient http, TrackerOptions? options = null) =>
        new(uri, http, options ?? TestOptions);

    public static bool IPv6LoopbackAvailable()
    {
        try
        {
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetworkV6, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
