namespace Rustorrent.Trackers;

/// <summary>Limits for talking to trackers; every one of them bounds what a hostile tracker can cost us.</summary>
internal sealed record TrackerOptions
{
    public static readonly TrackerOptions Default = new();

    /// <summary>The most one announce or scrape may take, redirects and retransmissions included.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest HTTP reply body we read, after decompression (so a gzip bomb stops here too).</summary>
    public int MaxResponseBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>HTTP redirects followed before giving up.</summary>
    public int MaxRedirects { get; init; } = 5;

    /// <summary>Peers kept from one reply; the rest are dropped (a reply of 4 MiB could list 700,000).</summary>
    public int MaxPeersPerResponse { get; init; } = 2000;

    /// <summary>First UDP retransmission wait; doubled after each retransmission (BEP 15: 15 s x 2^n).</summary>
    public TimeSpan UdpRetransmitBase { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Highest n in 15 x 2^n (BEP 15: 8, i.e. 3840 s); <see cref="Timeout"/> usually ends it first.</summary>
    public int UdpMaxRetransmits { get; init; } = 8;

    public string UserAgent { get; init; } = "Rustorrent/" + (typeof(TrackerOptions).Assembly.GetName().Version?.ToString(3) ?? "0");

    public void Validate()
    {
        if (Timeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "The tracker timeout must be positive.");
        if (MaxResponseBytes < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxResponseBytes), MaxResponseBytes, "The reply size limit must be positive.");
        if (MaxRedirects < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxRedirects), MaxRedirects, "The redirect limit must not be negative.");
        if (MaxPeersPerResponse < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxPeersPerResponse), MaxPeersPerResponse, "The peer limit must not be negative.");
        if (UdpRetransmitBase <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(UdpRetransmitBase), UdpRetransmitBase, "The UDP retransmission interval must be positive.");
        if (UdpMaxRetransmits is < 0 or > 16)
            throw new ArgumentOutOfRangeException(nameof(UdpMaxRetransmits), UdpMaxRetransmits, "The UDP retransmission count must be from 0 to 16.");
    }
}
