using System.Net;
using System.Net.Sockets;
using System.Text;
using Rustorrent.Engine.Tests.Bencode;
using Rustorrent.Metainfo;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Metainfo;

/// <summary>The size cap and time limit of <see cref="TorrentFileLoader"/>, and that its messages read the same in every culture.</summary>
public sealed class TorrentFileLoaderTests : IDisposable
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(20);

    private readonly TempDirectory temp = new("loader");

    [Fact]
    public async Task A_file_over_the_cap_is_refused_before_it_is_read()
    {
        var path = temp.Combine("huge.torrent");
        await using (var file = File.Create(path))
            file.SetLength(TorrentFileLoader.MaxTorrentFileSize + 1L); // sparse: nothing is written

        using var german = GroupingCulture.Enter();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = await Assert.ThrowsAsync<MetainfoException>(() => TorrentFileLoader.ReadFileAsync(path, CancellationToken.None));

        Assert.Equal("the file is 67,108,865 bytes, more than the 67,108,864 bytes a .torrent may have", e.Reason);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000);
    }

    [Fact]
    public async Task A_file_under_the_cap_is_read_whole()
    {
        var path = temp.Combine("small.torrent");
        await File.WriteAllBytesAsync(path, "d4:infode"u8.ToArray());

        Assert.Equal("d4:infode"u8.ToArray(), await TorrentFileLoader.ReadFileAsync(path, CancellationToken.None));
    }

    [Fact]
    public async Task A_download_announcing_more_than_the_cap_is_refused_from_its_header()
    {
        using var cancel = new CancellationTokenSource(TestTimeout);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var server = AnswerOnceAsync(listener, $"HTTP/1.1 200 OK\r\nContent-Length: {TorrentFileLoader.MaxTorrentFileSize + 1L}\r\nConnection: close\r\n\r\n", cancel.Token);

        using var german = GroupingCulture.Enter();
        var e = await Assert.ThrowsAsync<MetainfoException>(() => TorrentFileLoader.DownloadAsync(Url(listener), TestTimeout, cancel.Token));

        Assert.Equal("the server announces 67,108,865 bytes, more than the 67,108,864 bytes a .torrent may have", e.Reason);
        await server;
    }

    [Fact]
    public async Task A_silent_server_times_out_with_the_limit_in_seconds()
    {
        using var cancel = new CancellationTokenSource(TestTimeout);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var server = AnswerOnceAsync(listener, null, cancel.Token);

        using var german = GroupingCulture.Enter();
        var e = await Assert.ThrowsAsync<TimeoutException>(() => TorrentFileLoader.DownloadAsync(Url(listener), TimeSpan.FromSeconds(0.5), cancel.Token));

        Assert.Equal("no complete answer within 0.5 seconds", e.Message);
        await cancel.CancelAsync();
        await server;
    }

    public void Dispose() => temp.Dispose();

    private static Uri Url(TcpListener listener) => new($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/x.torrent");

    /// <summary>Accepts one connection, reads the request head, then sends <paramref name="response"/> and closes, or,
    /// when it is null, says nothing until cancelled.</summary>
    private static async Task AnswerOnceAsync(TcpListener listener, string? response, CancellationToken cancellationToken)
    {
        using var client = await listener.AcceptTcpClientAsync(cancellationToken);
        var stream = client.GetStream();
        var head = new byte[8192];
        var read = 0;
        while (read < head.Length && !Encoding.ASCII.GetString(head, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(head.AsMemory(read), cancellationToken);
            if (n == 0)
                return;
            read += n;
        }
        if (response is null)
        {
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
            return;
        }
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response), cancellationToken);
    }
}
