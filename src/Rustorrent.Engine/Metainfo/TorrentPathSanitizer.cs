using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace Rustorrent.Metainfo;

/// <summary>
/// Turns the file names a torrent claims into names that are safe to create under a download folder on
/// Windows, Linux and macOS alike. A .torrent is untrusted input: "../../x", "C:\x", "/etc/x" or "CON" must
/// never reach the file system as such (path traversal through torrent file names has been a real bug in
/// other clients). The same rules apply on every platform, so a torrent gets the same layout everywhere.
/// </summary>
internal static class TorrentPathSanitizer
{
    /// <summary>Longest file name most file systems take (ext4, NTFS, APFS: 255 bytes or UTF-16 units).</summary>
    public const int MaxComponentBytes = 255;

    /// <summary>Deepest directory nesting we create (libtorrent caps it at 100 too).</summary>
    public const int MaxDepth = 100;

    /// <summary>What replaces a character that cannot be in a file name, and a name that became empty.</summary>
    public const string Replacement = "_";

    /// <summary>Longest extension (in chars, dot included) kept when a long name is shortened.</summary>
    private const int MaxKeptExtensionLength = 32;

    // Windows device names: a file called "CON" or "con.txt" opens the console instead of a file. The
    // superscript digits count as well (Windows treats COM¹ like COM1).
    private static readonly string[] ReservedNames =
    [
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM\u00b9", "COM\u00b2", "COM\u00b3",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT\u00b9", "LPT\u00b2", "LPT\u00b3",
    ];

    private static readonly char[] TrailingTrim = ['.', ' '];

    /// <summary>
    /// Sanitises one path component given as the torrent's raw bytes. Returns null when the component is to be
    /// dropped: empty, "." or "..". Otherwise the result is a non-empty, safe file name. <paramref name="changed"/>
    /// tells whether it differs from the torrent's own name.
    /// </summary>
    public static string? SanitizeComponent(ReadOnlySpan<byte> utf8, out bool changed)
    {
        changed = true;
        if (utf8.IsEmpty || utf8.SequenceEqual("."u8) || utf8.SequenceEqual(".."u8))
            return null;

        if (IsPlainAscii(utf8))
        {
            var plain = Encoding.ASCII.GetString(utf8);
            if (!IsReserved(plain))
            {
                changed = false;
                return plain;
            }
            return Replacement + plain;
        }

        // Decoding never makes more UTF-16 units than there are bytes; a bad byte becomes one '_'.
        char[]? rented = null;
        var buffer = utf8.Length <= 512 ? stackalloc char[utf8.Length] : (rented = ArrayPool<char>.Shared.Rent(utf8.Length));
        try
        {
            var length = 0;
            var rest = utf8;
            while (!rest.IsEmpty)
            {
                if (Rune.DecodeFromUtf8(rest, out var rune, out var consumed) != OperationStatus.Done)
                {
                    // Invalid UTF-8 (stray continuation byte, overlong form, encoded surrogate, cut sequence).
                    buffer[length++] = '_';
                }
                else if (IsRemoved(rune.Value))
                {
                    // Invisible characters that change how the rest of the name reads ("exe.txt" shown as "txt.exe").
                }
                else if (IsReplaced(rune.Value))
                {
                    buffer[length++] = '_';
                }
                else
                {
                    length += rune.EncodeToUtf16(buffer[length..]);
                }
                rest = rest[consumed..];
            }

            var text = Finish(buffer[..length]);
            changed = !Utf8Equals(utf8, text);
            return text;
        }
        finally
        {
            if (rented is not null)
                ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>Sanitises one component given as text (tests, user input). Null when it is dropped.</summary>
    public static string? SanitizeComponent(string component) =>
        SanitizeComponent(Encoding.UTF8.GetBytes(component), out _);

    /// <summary>
    /// Sanitises a whole relative path: each component on its own, dropped ones left out, the depth capped at
    /// <see cref="MaxDepth"/> (the first directories and the file name are kept). Never empty: a path with
    /// nothing left becomes "_".
    /// </summary>
    public static string[] SanitizePath(ReadOnlySpan<ReadOnlyMemory<byte>> components, out bool changed)
    {
        changed = false;
        var result = new string[Math.Clamp(components.Length, 1, MaxDepth)];
        var count = 0;
        for (var i = 0; i < components.Length; i++)
        {
            var safe = SanitizeComponent(components[i].Span, out var componentChanged);
            changed |= componentChanged;
            if (safe is null)
                continue;
            if (count == MaxDepth)
            {
                // Too deep: keep the first MaxDepth - 1 directories and let the file name replace the rest.
                result[MaxDepth - 1] = safe;
                changed = true;
            }
            else
            {
                result[count++] = safe;
            }
        }
        if (count == 0)
        {
            changed = true;
            result[0] = Replacement;
            count = 1;
        }
        if (count < result.Length)
            Array.Resize(ref result, count);
        return result;
    }

    /// <summary>Sanitises a relative path given as text components.</summary>
    public static string[] SanitizePath(IEnumerable<string> components)
    {
        var raw = new List<ReadOnlyMemory<byte>>();
        foreach (var component in components)
            raw.Add(Encoding.UTF8.GetBytes(component));
        return SanitizePath(CollectionsMarshal.AsSpan(raw), out _);
    }

    /// <summary>
    /// Renames files whose paths collide so that every file gets a place of its own. The comparison ignores case
    /// and Unicode normalisation form, as NTFS, APFS and HFS+ do; a file also may not take the name of a
    /// directory another file needs. The later file becomes "name (1).ext", "name (2).ext" and so on.
    /// Only the last component of a path is ever changed. Returns which paths were renamed.
    /// </summary>
    public static bool[] MakeUnique(IReadOnlyList<string[]> paths)
    {
        var renamed = new bool[paths.Count];

        // Directories are numbered by (parent directory, folded name), so the cost stays linear in the number
        // of components however deep the paths are (no prefix strings). Directory 0 is the root.
        var directories = new Dictionary<(int Parent, string Name), int>(NameKeyComparer.Instance);
        var parents = new int[paths.Count];
        for (var f = 0; f < paths.Count; f++)
        {
            var path = paths[f];
            var parent = 0;
            for (var i = 0; i < path.Length - 1; i++)
            {
                var key = (parent, Fold(path[i]));
                if (!directories.TryGetValue(key, out var id))
                {
                    id = directories.Count + 1;
                    directories.Add(key, id);
                }
                parent = id;
            }
            parents[f] = parent;
        }

        // First every file claims its own name, so that a renamed duplicate never takes the name another file
        // of the torrent really has ("a", "a", "a (1)": the second "a" becomes "a (2)").
        var files = new HashSet<(int Parent, string Name)>(paths.Count, NameKeyComparer.Instance);
        List<int>? clashes = null;
        for (var f = 0; f < paths.Count; f++)
        {
            var key = (parents[f], Fold(paths[f][^1]));
            if (directories.ContainsKey(key) || !files.Add(key))
                (clashes ??= []).Add(f);
        }
        if (clashes is null)
            return renamed;

        // Where the numbering for a clashing name goes on, so that n files of the same name cost O(n), not O(n^2).
        var nextNumber = new Dictionary<(int Parent, string Name), int>(NameKeyComparer.Instance);
        foreach (var f in clashes)
        {
            var path = paths[f];
            var parent = parents[f];
            var key = (parent, Fold(path[^1]));
            var (stem, extension) = SplitExtension(path[^1]);
            var number = nextNumber.GetValueOrDefault(key, 1);
            string candidate;
            while (true)
            {
                candidate = Fit(stem, string.Create(System.Globalization.CultureInfo.InvariantCulture, $" ({number})"), extension);
                number++;
                var candidateKey = (parent, Fold(candidate));
                if (!directories.ContainsKey(candidateKey) && files.Add(candidateKey))
                    break;
            }
            nextNumber[key] = number;
            path[^1] = candidate;
            renamed[f] = true;
        }
        return renamed;
    }

    /// <summary>Trims, guards reserved names and caps the length of a decoded, filtered component.</summary>
    private static string Finish(ReadOnlySpan<char> name)
    {
        // Windows drops trailing dots and spaces ("..." would become "", ".. " would become ".."), and a
        // leading space is invisible and often a trick. Leading dots stay: ".config" is a fine name.
        name = name.TrimEnd(TrailingTrim).TrimStart(' ');
        if (name.IsEmpty)
            return Replacement;
        var text = name.ToString();
        if (IsReserved(text))
            text = Replacement + text;
        if (Encoding.UTF8.GetByteCount(text) > MaxComponentBytes)
        {
            var (stem, extension) = SplitExtension(text);
            text = Fit(stem, "", extension);
        }
        return text;
    }

    /// <summary>Joins stem + suffix + extension, shortening the stem (on a character boundary) to fit
    /// <see cref="MaxComponentBytes"/> UTF-8 bytes.</summary>
    private static string Fit(string stem, string suffix, string extension)
    {
        var tail = suffix + extension;
        var room = MaxComponentBytes - Encoding.UTF8.GetByteCount(tail);
        if (Encoding.UTF8.GetByteCount(stem) > room)
        {
            var keep = 0;
            var bytes = 0;
            while (keep < stem.Length)
            {
                var step = char.IsHighSurrogate(stem[keep]) && keep + 1 < stem.Length ? 2 : 1;
                var size = Encoding.UTF8.GetByteCount(stem.AsSpan(keep, step));
                if (bytes + size > room)
                    break;
                bytes += size;
                keep += step;
            }
            stem = stem[..keep];
            if (tail.Length == 0)
                stem = stem.TrimEnd(TrailingTrim);
            if (stem.Length == 0 && tail.Length == 0)
                return Replacement;
        }
        return stem + tail;
    }

    /// <summary>Splits "name.ext" into ("name", ".ext"); a leading dot or a long "extension" is not one.</summary>
    private static (string Stem, string Extension) SplitExtension(string name)
    {
        var dot = name.LastIndexOf('.');
        if (dot <= 0 || name.Length - dot > MaxKeptExtensionLength)
            return (name, "");
        return (name[..dot], name[dot..]);
    }

    /// <summary>The device name check Windows applies: the part before the first dot, trailing spaces ignored.</summary>
    private static bool IsReserved(string name)
    {
        var baseName = name.AsSpan();
        var dot = baseName.IndexOf('.');
        if (dot >= 0)
            baseName = baseName[..dot];
        baseName = baseName.TrimEnd(' ');
        if (baseName.Length is < 3 or > 7)
            return false;
        foreach (var reserved in ReservedNames)
        {
            if (baseName.Equals(reserved, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    /// <summary>The composed (NFC) form of a name, for collision checks: "é" and "e\u0301" are the same file on
    /// macOS. Case is ignored by <see cref="NameKeyComparer"/>. Allocates only for names not already in NFC.</summary>
    private static string Fold(string name) =>
        name.IsNormalized(NormalizationForm.FormC) ? name : name.Normalize(NormalizationForm.FormC);

    /// <summary>True for printable ASCII with none of the characters we change, and nothing to trim.</summary>
    private static bool IsPlainAscii(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxComponentBytes || utf8[0] == ' ' || utf8[^1] is (byte)' ' or (byte)'.')
            return false;
        foreach (var b in utf8)
        {
            if (b is < 0x20 or >= 0x7f || IsReplaced(b))
                return false;
        }
        return true;
    }

    /// <summary>Characters that become '_': C0 and C1 controls and DEL, path separators, and the characters
    /// Windows forbids in names (':' also makes drive letters and NTFS alternate streams).</summary>
    private static bool IsReplaced(int c) =>
        c < 0x20 || c is >= 0x7f and <= 0x9f
        || c is '/' or '\\' or ':' or '*' or '?' or '"' or '<' or '>' or '|'
        || c is 0x2028 or 0x2029; // line and paragraph separators break every listing

    /// <summary>Characters that are dropped: bidirectional controls (they reorder how a name reads) and
    /// zero-width characters (they make two different names look the same).</summary>
    private static bool IsRemoved(int c) =>
        c is 0x200e or 0x200f or 0x061c // LRM, RLM, ALM
        || c is >= 0x202a and <= 0x202e // LRE, RLE, PDF, LRO, RLO
        || c is >= 0x2066 and <= 0x2069 // LRI, RLI, FSI, PDI
        || c is >= 0x200b and <= 0x200d // zero width space, non-joiner, joiner
        || c is 0x2060 or 0xfeff; // word joiner, zero width no-break space (BOM)

    private static bool Utf8Equals(ReadOnlySpan<byte> utf8, string text)
    {
        if (Encoding.UTF8.GetByteCount(text) != utf8.Length)
            return false;
        Span<byte> encoded = utf8.Length <= 512 ? stackalloc byte[utf8.Length] : new byte[utf8.Length];
        Encoding.UTF8.GetBytes(text, encoded);
        return encoded.SequenceEqual(utf8);
    }

    /// <summary>Compares (parent directory, name) keys ignoring case, as NTFS and APFS do, without allocating.</summary>
    private sealed class NameKeyComparer : IEqualityComparer<(int Parent, string Name)>
    {
        public static readonly NameKeyComparer Instance = new();

        public bool Equals((int Parent, string Name) x, (int Parent, string Name) y) =>
            x.Parent == y.Parent && string.Equals(x.Name, y.Name, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode((int Parent, string Name) key) =>
            HashCode.Combine(key.Parent, StringComparer.OrdinalIgnoreCase.GetHashCode(key.Name));
    }
}
