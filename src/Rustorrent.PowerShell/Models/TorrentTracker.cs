namespace Rustorrent.PowerShell;

/// <summary>One tracker of a torrent with its BEP 12 tier (0 is tried first).</summary>
public sealed class TorrentTracker
{
    internal TorrentTracker(int tier, string uri)
    {
        Tier = tier;
        Uri = uri;
    }

    public int Tier { get; }

    public string Uri { get; }

    public override string ToString() => Uri;
}
