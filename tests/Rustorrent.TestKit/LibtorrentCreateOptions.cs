namespace Rustorrent.TestKit;

/// <summary>Arguments of <c>lt_tool.py create</c>.</summary>
public sealed record LibtorrentCreateOptions(string Payload, string Output)
{
    public LibtorrentTorrentVersion Version { get; init; } = LibtorrentTorrentVersion.Hybrid;

    /// <summary>Bytes (a power of two, at least 16 KiB); 0 lets libtorrent choose.</summary>
    public int PieceLength { get; init; }

    /// <summary>announce-list tiers, in order (BEP 12).</summary>
    public IReadOnlyList<IReadOnlyList<string>> TrackerTiers { get; init; } = [];

    /// <summary>url-list entries (BEP 19).</summary>
    public IReadOnlyList<string> WebSeeds { get; init; } = [];

    public bool IsPrivate { get; init; }

    public string? Comment { get; init; }

    public string? Creator { get; init; }
}
