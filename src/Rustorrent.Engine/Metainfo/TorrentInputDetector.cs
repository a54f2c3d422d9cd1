namespace Rustorrent.Metainfo;

/// <summary>Tells from its text alone what kind of torrent input a string is.</summary>
internal static class TorrentInputDetector
{
    /// <summary>
    /// Classifies <paramref name="input"/> by form only: "magnet:" (any case) is a magnet link, http:// or https://
    /// a URL, a string <see cref="InfoHash.TryParse(string?, out InfoHash)"/> accepts (40/64 hex, 32 base32) an info
    /// hash, anything else a path. Pure on purpose: it never touches the file system, so a file that happens to be
    /// named like an info hash is reported as <see cref="TorrentInputKind.InfoHash"/>; a caller that can see the
    /// file system (the cmdlet) decides that ambiguity, e.g. by preferring an existing file.
    /// Surrounding white space is ignored, as InfoHash.TryParse ignores it.
    /// </summary>
    internal static TorrentInputKind Detect(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var text = input.AsSpan().Trim();
        if (text.StartsWith("magnet:", StringComparison.OrdinalIgnoreCase))
            return TorrentInputKind.Magnet;
        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            return TorrentInputKind.Url;
        // Only strings of a hash's length can be one; checking the length first keeps a long path from being copied.
        if (text.Length is 32 or 40 or 64 && InfoHash.TryParse(input, out _))
            return TorrentInputKind.InfoHash;
        return TorrentInputKind.Path;
    }
}
