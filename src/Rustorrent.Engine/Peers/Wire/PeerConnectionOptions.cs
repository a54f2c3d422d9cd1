namespace Rustorrent.Peers.Wire;

/// <summary>Timeouts, buffer sizes and caps of one peer connection; each bounds what a slow or hostile peer costs us.</summary>
internal sealed record PeerConnectionOptions
{
    public static readonly PeerConnectionOptions Default = new();

    /// <summary>TCP connect to the peer.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>From connected (or accepted) to a complete handshake from the peer.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The connection is dropped after this long without any message, keep-alives included.
    /// BEP 3 has peers send a keep-alive every two minutes; three leaves room for a late one.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>A keep-alive goes out when we have sent nothing for this long (BEP 3: "generally ... two minutes").</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>SO_RCVBUF and SO_SNDBUF; 0 leaves the OS's (auto-tuned) sizes. Large enough to keep a
    /// fast peer's window open between our reads.</summary>
    public int SocketBufferSize { get; init; } = 1024 * 1024;

    /// <summary>Size of the pipe's receive segments: one socket read fills up to this many bytes, which holds
    /// several 16 KiB blocks, so one read is parsed into several messages.</summary>
    public int ReceiveSegmentSize { get; init; } = 128 * 1024;

    /// <summary>Size of the pipe's send segments; a batch of requests or a few pieces go out in one write.</summary>
    public int SendSegmentSize { get; init; } = 64 * 1024;

    /// <summary>Requests outstanding to one peer at most (libtorrent's default queue is 500).</summary>
    public int MaxOutstandingRequests { get; init; } = 1024;

    public void Validate()
    {
        Positive(ConnectTimeout, nameof(ConnectTimeout));
        Positive(HandshakeTimeout, nameof(HandshakeTimeout));
        Positive(IdleTimeout, nameof(IdleTimeout));
        Positive(KeepAliveInterval, nameof(KeepAliveInterval));
        if (SocketBufferSize is < 0 or > 64 * 1024 * 1024)
            throw new ArgumentOutOfRangeException(nameof(SocketBufferSize), SocketBufferSize, "The socket buffer size is 0 (the OS's) or up to 64 MiB.");
        if (ReceiveSegmentSize is < 4096 or > 16 * 1024 * 1024)
            throw new ArgumentOutOfRangeException(nameof(ReceiveSegmentSize), ReceiveSegmentSize, "The receive segment size is 4 KiB to 16 MiB.");
        if (SendSegmentSize is < 4096 or > 16 * 1024 * 1024)
            throw new ArgumentOutOfRangeException(nameof(SendSegmentSize), SendSegmentSize, "The send segment size is 4 KiB to 16 MiB.");
        if (MaxOutstandingRequests is < 1 or > 65536)
            throw new ArgumentOutOfRangeException(nameof(MaxOutstandingRequests), MaxOutstandingRequests, "The outstanding request cap is 1 to 65,536.");
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive and under 24 days.");
    }
}
