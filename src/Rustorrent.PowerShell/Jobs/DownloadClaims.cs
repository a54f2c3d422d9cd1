namespace Rustorrent.PowerShell.Jobs;

/// <summary>
/// The torrents being downloaded in this process, by info hash and destination: two downloads of one torrent
/// into one folder would write the same files at once, so the second is refused until the first ends. Claims
/// are process-wide, like the engine: two runspaces share the disk too.
/// </summary>
internal static class DownloadClaims
{
    private static readonly Dictionary<string, object> Owners = new(StringComparer.Ordinal);

    public static string KeyOf(string infoHash, string destination)
    {
        var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(destination));
        if (OperatingSystem.IsWindows() || OperatingSystem.IsMacOS())
            folder = folder.ToUpperInvariant(); // their file systems ignore case by default
        return infoHash.ToLowerInvariant() + "|" + folder;
    }

    /// <summary>Claims the key for <paramref name="owner"/>; false when another owner holds it.</summary>
    public static bool TryClaim(string key, object owner)
    {
        lock (Owners)
        {
            if (Owners.TryGetValue(key, out var current))
                return ReferenceEquals(current, owner);
            Owners.Add(key, owner);
            return true;
        }
    }

    public static void Release(string key, object owner)
    {
        lock (Owners)
        {
            if (Owners.TryGetValue(key, out var current) && ReferenceEquals(current, owner))
                Owners.Remove(key);
        }
    }
}
