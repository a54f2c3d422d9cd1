using System.Net;
using System.Net.Sockets;

namespace Rustorrent.Peers;

/// <summary>
/// The engine's listening TCP socket: one dual-stack socket on [::] (IPv6 and IPv4-mapped peers), or an IPv4
/// socket where the host has no IPv6. Accepted sockets go to the handler; a bounded number are handled at
/// once, so a flood of connections that never handshake cannot pile up.
/// </summary>
internal sealed class PeerListener : IAsyncDisposable
{
    /// <summary>Accepted sockets being handled (the handshake) at once; more wait in the kernel's backlog.</summary>
    private const int MaxPendingAccepts = 64;

    private readonly Socket socket;
    private readonly Func<Socket, CancellationToken, Task> handle;
    private readonly CancellationTokenSource stop = new();
    private readonly SemaphoreSlim slots = new(MaxPendingAccepts, MaxPendingAccepts);
    private readonly Task acceptLoop;

    private PeerListener(Socket socket, Func<Socket, CancellationToken, Task> handle)
    {
        this.socket = socket;
        this.handle = handle;
        acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The port peers reach us on.</summary>
    public int Port => ((IPEndPoint)socket.LocalEndPoint!).Port;


    /// <summary>Binds <paramref name="port"/> (0: any free port) on every address.</summary>
    /// <exception cref="SocketException">The port is taken or not allowed.</exception>
    public static PeerListener Start(int port, int socketBufferSize, Func<Socket, CancellationToken, Task> handle)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        Socket socket;
        if (Socket.OSSupportsIPv6)
        {
            socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
            Bind(socket, new IPEndPoint(IPAddress.IPv6Any, port), socketBufferSize);
        }
        else
        {
            socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            Bind(socket, new IPEndPoint(IPAddress.Any, port), socketBufferSize);
        }
        return new PeerListener(socket, handle);
    }

    private static void Bind(Socket socket, IPEndPoint endPoint, int socketBufferSize)
    {
        try
        {
            // Set before listen: accepted sockets inherit the sizes, and the TCP window scale is fixed at the
            // handshake, so setting them after accept would be too late for a fast peer.
            if (socketBufferSize > 0)
            {
                socket.ReceiveBufferSize = socketBufferSize;
                socket.SendBufferSize = socketBufferSize;
            }
            socket.Bind(endPoint);
            socket.Listen(128);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync()
    {
        var token = stop.Token;
        while (!token.IsCancellationRequested)
        {
            Socket socketAccepted;
            try
            {
                await slots.WaitAsync(token).ConfigureAwait(false);
                socketAccepted = await socket.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // A connection reset before we took it (or a transient shortage of descriptors): go on.
                slots.Release();
                continue;
            }
            _ = HandleAsync(socketAccepted, token);
        }
    }

    private async Task HandleAsync(Socket accepted, CancellationToken cancellationToken)
    {
        try
        {
            await handle(accepted, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The handler owns the socket; whatever one peer does must not stop the listener.
            accepted.Dispose();
        }
        finally
        {
            slots.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        socket.Dispose();
        await acceptLoop.ConfigureAwait(false);
        stop.Dispose();
    }
}
