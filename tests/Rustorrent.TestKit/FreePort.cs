using System.Net;
using System.Net.Sockets;

namespace Rustorrent.TestKit;

/// <summary>
/// Hands out loopback ports that were free for both TCP and UDP a moment ago. Ports come from 20000-32767,
/// below Linux's ephemeral range (32768-60999), so an outgoing connection cannot take one between the check
/// and the server's bind; and no port is handed out twice by one test host.
/// </summary>
public static class FreePort
{
    private const int First = 20000;
    private const int End = 32768;
    private static readonly HashSet<int> HandedOut = [];
    private static readonly object Gate = new();

    /// <summary>A port free on 127.0.0.1 for TCP and UDP.</summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < 500; attempt++)
        {
            var port = Random.Shared.Next(First, End);
            lock (Gate)
            {
                if (HandedOut.Contains(port) || !IsFree(port))
                    continue;
                HandedOut.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"No port in {First}-{End - 1} was free for both TCP and UDP on 127.0.0.1 after 500 tries.");
    }

    /// <summary>True when <paramref name="port"/> can be bound on 127.0.0.1 for TCP and for UDP right now.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            tcp.Listen(1);
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
