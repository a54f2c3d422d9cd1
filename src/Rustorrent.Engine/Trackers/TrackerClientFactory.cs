namespace Rustorrent.Trackers;

/// <summary>
/// Makes the client for a tracker URL by its scheme. One per engine: its HTTP connection pool and UDP
/// connection ids are shared by every torrent's trackers.
/// </summary>
internal sealed class TrackerClientFactory : IDisposable
{
    private readonly HttpClient http;

    public TrackerClientFactory(TrackerOptions? options = null, TimeProvider? time = null)
    {
        Options = options ?? TrackerOptions.Default;
        Options.Validate();
        http = HttpTrackerClient.CreateHttpClient(Options);
        UdpConnections = new UdpConnectionIdCache(time);
    }

    public TrackerOptions Options { get; }

    public UdpConnectionIdCache UdpConnections { get; }

    /// <summary>A client for <paramref name="uri"/>; for a scheme we do not speak, one whose every request fails
    /// with <see cref="TrackerErrorKind.Unsupported"/>.</summary>
    public ITrackerClient Create(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri)
            throw new ArgumentException($"'{uri}' is not an absolute URL.", nameof(uri));
        switch (uri.Scheme)
        {
            case "http":
            case "https":
                return new HttpTrackerClient(uri, http, Options);
            case "udp":
                return uri.Port is >= 1 and <= ushort.MaxValue
                    ? new UdpTrackerClient(uri, UdpConnections, Options)
                    : new UnsupportedTrackerClient(uri, "the udp:// URL has no port");
            default:
                return new UnsupportedTrackerClient(uri, $"the '{uri.Scheme}' scheme is not supported (only http, https and udp are)");
        }
    }

    public void Dispose() => http.Dispose();
}
