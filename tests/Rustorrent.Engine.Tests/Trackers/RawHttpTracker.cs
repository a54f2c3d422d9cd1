using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rustorrent.Engine.Tests.Trackers;

/// <summary>
/// An in-process HTTP tracker on 127.0.0.1 built on a raw TcpListener, so that each test writes exactly the
/// bytes it wants (garbage, truncated, enormous, slow) and sees exactly the request line we sent. One
/// request per connection; the handler writes the whole response, then the connection closes.
/// </summary>
internal sealed class RawHttpTracker : IAsyncDisposable
{
    private const int MaxHeadBytes = 16 * 1024;

    private readonly TcpListener listener;
    private readonly Func<RawHttpRequest, Stream, CancellationToken, Task> handler;
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentQueue<RawHttpRequest> requests = new();
    private readonly List<Task> connections = [];
    private readonly Task acceptLoop;

    public RawHttpTracker(Func<RawHttpRequest, Stream, CancellationToken, Task> handler)
    {
        this.handler = handler;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    public Uri AnnounceUri => Url("/announce");

    public IReadOnlyList<RawHttpRequest> Requests => requests.ToArray();

    public Uri Url(string pathAndQuery) => new($"http://127.0.0.1:{Port}{pathAndQuery}");

    /// <summary>A tracker that answers every request with <paramref name="body"/>.</summary>
    public static RawHttpTracker Answering(byte[] body, string status = "200 OK", params string[] headers) =>
        new((_, stream, token) => WriteResponseAsync(stream, status, body, token, headers));

    /// <summary>Writes a complete response with Content-Length and Connection: close.</summary>
    public static async Task WriteResponseAsync(Stream stream, string status, byte[] body, CancellationToken token, params string[] headers)
    {
        var head = new StringBuilder($"HTTP/1.1 {status}\r\n");
        foreach (var header in headers)
            head.Append(header).Append("\r\n");
        head.Append($"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), token);
        await stream.WriteAsync(body, token);
        await stream.FlushAsync(token);
    }

    /// <summary>Writes a status line and headers only; the handler writes (or withholds) the body itself.</summary>
    public static Task WriteHeadAsync(Stream stream, string status, CancellationToken token, params string[] headers)
    {
        var head = new StringBuilder($"HTTP/1.1 {status}\r\n");
        foreach (var header in headers)
            head.Append(header).Append("\r\n");
        head.Append("\r\n");
        return stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), token).AsTask();
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await acceptLoop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        Task[] open;
        lock (connections)
            open = [.. connections];
        await Task.WhenAll(open);
        stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(stop.Token);
            lock (connections)
                connections.Add(ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = await ReadRequestAsync(stream, stop.Token);
                if (request is null)
                    return;
                requests.Enqueue(request);
                await handler(request, stream, stop.Token);
                client.Client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client gave up (too large, timed out) or the fixture is stopping: nothing to do.
            }
        }
    }

    private static async Task<RawHttpRequest?> ReadRequestAsync(Stream stream, CancellationToken token)
    {
        var buffer = new byte[MaxHeadBytes];
        var length = 0;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), timeout.Token);
            if (read == 0)
                return null;
            length += read;
            var end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var lines = Encoding.ASCII.GetString(buffer, 0, end).Split("\r\n");
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var line in lines.Skip(1))
                {
                    var colon = line.IndexOf(':');
                    if (colon > 0)
                        headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                }
                var parts = lines[0].Split(' ');
                return new RawHttpRequest(lines[0], parts.Length > 1 ? parts[1] : "", headers);
            }
        }
        return null;
    }
}
