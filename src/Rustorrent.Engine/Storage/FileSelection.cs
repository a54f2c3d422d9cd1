using System.IO.Enumeration;
using Rustorrent.Metainfo;

namespace Rustorrent.Storage;

/// <summary>
/// Which files of a torrent to download. Padding files are never selected; empty files can be (they are
/// created, and need no piece). Immutable.
/// </summary>
internal sealed class FileSelection
{
    private readonly bool[] selected;

    private FileSelection(TorrentMetainfo metainfo, bool[] selected)
    {
        Metainfo = metainfo;
        this.selected = selected;
        var files = new List<TorrentFile>();
        foreach (var file in metainfo.AllFiles)
        {
            if (selected[file.Index])
                files.Add(file);
        }
        SelectedFiles = files.AsReadOnly();
        IsEverything = files.Count == metainfo.Files.Count;
    }

    public TorrentMetainfo Metainfo { get; }

    /// <summary>The chosen files in torrent order, padding never among them.</summary>
    public IReadOnlyList<TorrentFile> SelectedFiles { get; }

    /// <summary>True when every file (padding aside) is chosen.</summary>
    public bool IsEverything { get; }

    /// <summary>One flag per file of <see cref="TorrentMetainfo.AllFiles"/>, by <see cref="TorrentFile.Index"/>.</summary>
    public ReadOnlySpan<bool> Flags => selected;

    public bool IsSelected(TorrentFile file) => (uint)file.Index < (uint)selected.Length && selected[file.Index] && ReferenceEquals(Metainfo.AllFiles[file.Index], file);

    public bool IsSelected(int fileIndex) => selected[fileIndex];

    public static FileSelection All(TorrentMetainfo metainfo)
    {
        ArgumentNullException.ThrowIfNull(metainfo);
        var flags = new bool[metainfo.AllFiles.Count];
        foreach (var file in metainfo.AllFiles)
            flags[file.Index] = !file.IsPadding;
        return new FileSelection(metainfo, flags);
    }

    /// <summary>The given files, which must be files of this torrent (from <see cref="TorrentMetainfo.Files"/>).</summary>
    public static FileSelection FromFiles(TorrentMetainfo metainfo, IEnumerable<TorrentFile> files)
    {
        ArgumentNullException.ThrowIfNull(metainfo);
        ArgumentNullException.ThrowIfNull(files);
        var flags = new bool[metainfo.AllFiles.Count];
        foreach (var file in files)
        {
            if ((uint)file.Index >= (uint)flags.Length || !ReferenceEquals(metainfo.AllFiles[file.Index], file))
                throw new ArgumentException($"'{file.Path}' is not a file of torrent '{metainfo.Name}'.", nameof(files));
            if (file.IsPadding)
                throw new ArgumentException($"'{file.Path}' is a padding file (BEP 47); it is never downloaded.", nameof(files));
            flags[file.Index] = true;
        }
        return new FileSelection(metainfo, flags);
    }

    /// <summary>
    /// The files matching any of <paramref name="patterns"/>: wildcards '*' (any characters, '/' included) and
    /// '?' (one character), compared without regard to case with the file's path inside the torrent using '/'
    /// ("sub/*.mkv"), with that path under the torrent's folder name ("Name/sub/*.mkv"), and, for a pattern
    /// without '/', with the bare file name ("*.mkv"). A '\' in a pattern is taken as '/'. A pattern that
    /// matches no file is an error that names it: a mistyped name must not quietly download nothing.
    /// </summary>
    public static FileSelection FromPatterns(TorrentMetainfo metainfo, IEnumerable<string> patterns)
    {
        ArgumentNullException.ThrowIfNull(metainfo);
        ArgumentNullException.ThrowIfNull(patterns);
        var flags = new bool[metainfo.AllFiles.Count];
        var unmatched = new List<string>();
        var any = false;
        foreach (var raw in patterns)
        {
            any = true;
            var pattern = (raw ?? "").Trim().Replace('\\', '/');
            if (pattern.Length == 0)
                throw new ArgumentException("A file pattern is empty.", nameof(patterns));
            var matched = false;
            foreach (var file in metainfo.AllFiles)
            {
                if (file.IsPadding || !Matches(metainfo, file, pattern))
                    continue;
                flags[file.Index] = true;
                matched = true;
            }
            if (!matched)
                unmatched.Add(raw!);
        }
        if (!any)
            throw new ArgumentException("No file pattern was given.", nameof(patterns));
        if (unmatched.Count > 0)
        {
            var examples = string.Join(", ", metainfo.Files.Take(5).Select(f => $"'{string.Join('/', f.PathComponents)}'"));
            var more = metainfo.Files.Count > 5 ? $" and {metainfo.Files.Count - 5:N0} more" : "";
            throw new ArgumentException(
                $"No file of torrent '{metainfo.Name}' matches {string.Join(", ", unmatched.Select(p => $"'{p}'"))}. Its files are {examples}{more}.",
                nameof(patterns));
        }
        return new FileSelection(metainfo, flags);
    }

    private static bool Matches(TorrentMetainfo metainfo, TorrentFile file, string pattern)
    {
        var path = string.Join('/', file.PathComponents);
        if (FileSystemName.MatchesSimpleExpression(pattern, path, ignoreCase: true))
            return true;
        if (metainfo.IsMultiFile && FileSystemName.MatchesSimpleExpression(pattern, metainfo.Name + "/" + path, ignoreCase: true))
            return true;
        return !pattern.Contains('/') && FileSystemName.MatchesSimpleExpression(pattern, file.PathComponents[^1], ignoreCase: true);
    }
}
