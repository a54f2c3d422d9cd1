using System.Net;

namespace Rustorrent.PowerShell.Tests.Examples;

/// <summary>A web server on 127.0.0.1 serving the .torrent files of one folder (no subfolders), for the examples' -Uri.</summary>
internal sealed class LoopbackFileServer : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly string folder;
    private readonly int port;

    public LoopbackFileServer(string folder)
    {
        this.folder = folder;
        var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public Uri Url(string file) => new($"http://127.0.0.1:{port}/{Uri.EscapeDataString(file)}");

    public void Dispose() => listener.Close();

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception) when (!listener.IsListening)
            {
                return;
            }
            try
            {
                var name = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath.TrimStart('/'));
                var path = Path.Combine(folder, name);
                var found = name.EndsWith(".torrent", StringComparison.Ordinal) && name.IndexOfAny(['/', '\\']) < 0 && File.Exists(path);
                var body = found ? await File.ReadAllBytesAsync(path) : [];
                context.Response.StatusCode = found ? 200 : 404;
                context.Response.ContentType = "application/x-bittorrent";
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
            catch (Exception)
            {
                context.Response.Abort(); // the client went away: nothing to serve
            }
        }
    }
}
