namespace Rustorrent.Storage;

/// <summary>
/// Keeps every file of a download inside its destination folder. Torrent names are sanitised already
/// (<see cref="Metainfo.TorrentPathSanitizer"/>), so "../" cannot occur; what remains is a symbolic link or
/// junction planted in the destination ("dest/Name" -> "/etc") that would make a sanitised path land
/// elsewhere. Each path is resolved link by link, as the operating system will follow it, and must end up
/// inside the destination's own resolved location.
/// </summary>
internal sealed class DestinationGuard
{
    /// <summary>Links followed in one path before giving up (Linux's ELOOP limit).</summary>
    private const int MaxLinks = 40;

    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    public DestinationGuard(string destination)
    {
        Destination = Path.TrimEndingDirectorySeparator(Path.GetFullPath(destination));
        ResolvedDestination = Path.TrimEndingDirectorySeparator(ResolveLinks(Destination));
    }

    /// <summary>The destination as a full path.</summary>
    public string Destination { get; }

    /// <summary>The destination with every link on the way resolved (on macOS "/tmp/x" is really "/private/tmp/x").</summary>
    public string ResolvedDestination { get; }

    /// <summary>True when <paramref name="fullPath"/> is inside <paramref name="folder"/> (not the folder itself).</summary>
    public static bool IsInside(string fullPath, string folder)
    {
        folder = Path.TrimEndingDirectorySeparator(folder);
        return fullPath.Length > folder.Length + 1
            && fullPath.StartsWith(folder, PathComparison)
            && (fullPath[folder.Length] == Path.DirectorySeparatorChar || fullPath[folder.Length] == Path.AltDirectorySeparatorChar);
    }

    /// <summary>
    /// Throws <see cref="StorageException"/> (<see cref="StorageErrorKind.UnsafePath"/>) unless <paramref name="fullPath"/>
    /// is inside the destination both as written and once every link on the way is followed.
    /// </summary>
    public void Check(string fullPath)
    {
        if (!IsInside(fullPath, Destination))
            throw new StorageException(StorageErrorKind.UnsafePath, fullPath, $"Refusing '{fullPath}': it is not inside the download folder '{Destination}'.");
        string resolved;
        try
        {
            resolved = ResolveLinks(fullPath);
        }
        catch (StorageException)
        {
            throw;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw StorageErrors.Map(e, "check the path of", fullPath);
        }
        if (!IsInside(resolved, ResolvedDestination))
        {
            throw new StorageException(StorageErrorKind.UnsafePath, fullPath,
                $"Refusing '{fullPath}': a symbolic link on the way leads to '{resolved}', outside the download folder '{Destination}'.");
        }
    }

    /// <summary>
    /// The path the operating system would reach: each component that is a link is replaced by its target,
    /// repeatedly, as realpath(3) does; components that do not exist yet are kept as written. Iterative, and
    /// bounded by <see cref="MaxLinks"/>, so a link loop cannot hang or overflow the stack.
    /// </summary>
    internal static string ResolveLinks(string fullPath)
    {
        var root = Path.GetPathRoot(fullPath);
        if (string.IsNullOrEmpty(root))
            throw new ArgumentException($"'{fullPath}' is not a full path.", nameof(fullPath));
        var pending = new List<string>();
        PushFront(pending, fullPath[root.Length..]);
        var current = root;
        var links = 0;
        var exists = true;
        while (pending.Count > 0)
        {
            var component = pending[^1];
            pending.RemoveAt(pending.Count - 1);
            if (component is "" or ".")
                continue;
            if (component == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                exists = true;
                continue;
            }
            var next = Path.Join(current, component);
            // Once a component is missing nothing below it can be a link; skip the system calls.
            string? target = null;
            if (exists)
            {
                // One lstat: attributes are -1 for a missing path, and carry ReparsePoint for a link (or junction).
                var info = new FileInfo(next);
                var attributes = info.Attributes;
                if ((int)attributes == -1)
                    exists = false;
                else if ((attributes & FileAttributes.ReparsePoint) != 0)
                    target = info.LinkTarget;
            }
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks)
                throw new StorageException(StorageErrorKind.UnsafePath, fullPath, $"Refusing '{fullPath}': more than {MaxLinks} symbolic links on the way (a loop?).");
            if (Path.IsPathRooted(target))
            {
                var targetRoot = Path.GetPathRoot(target)!;
                current = targetRoot;
                PushFront(pending, target[targetRoot.Length..]);
            }
            else
            {
                PushFront(pending, target);
            }
        }
        return current;
    }

    // pending is a stack whose top (the end of the list) is the next component to walk.
    private static void PushFront(List<string> pending, string relative)
    {
        var parts = relative.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]);
        for (var i = parts.Length - 1; i >= 0; i--)
            pending.Add(parts[i]);
    }
}
