using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Rustorrent.Metainfo;

namespace Rustorrent.Engine.Tests.Metainfo;

public class TorrentPathSanitizerTests
{
    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    public void Empty_dot_and_dot_dot_components_are_dropped(string component)
    {
        Assert.Null(TorrentPathSanitizer.SanitizeComponent(component));
    }

    [Theory]
    // Separators inside a component
    [InlineData("a/b", "a_b")]
    [InlineData("a\\b", "a_b")]
    [InlineData("/abs", "_abs")]
    [InlineData("a\\..\\b", "a_.._b")]
    [InlineData("../evil", ".._evil")]
    // Drive letters, colons and the other characters Windows forbids
    [InlineData("C:", "C_")]
    [InlineData("C:\\x", "C__x")]
    [InlineData("file.txt:stream", "file.txt_stream")]
    [InlineData("<>\"|?*", "______")]
    // Windows trims trailing dots and spaces, we do it everywhere; a leading space goes too, a leading dot stays
    [InlineData("name. ", "name")]
    [InlineData("name...", "name")]
    [InlineData(" lead", "lead")]
    [InlineData(".. ", "_")]
    [InlineData("...", "_")]
    [InlineData(" ", "_")]
    [InlineData(".hidden", ".hidden")]
    // Control characters: C0, DEL, C1, line separators
    [InlineData("a\0b", "a_b")]
    [InlineData("a\tb\nc", "a_b_c")]
    [InlineData("x\u007f", "x_")]
    [InlineData("x\u0085\u009f", "x__")]
    [InlineData("a\u2028b", "a_b")]
    // Bidirectional and zero-width characters are removed
    [InlineData("\u202egnp.exe", "gnp.exe")]
    [InlineData("photo\u202Egpj.exe", "photogpj.exe")]
    [InlineData("a\u200bb\u200c\u200dc", "abc")]
    [InlineData("\u2066x\u2069\u200e\u200f\u061c", "x")]
    [InlineData("\ufeffbom\u2060", "bom")]
    [InlineData("\u200b", "_")]
    // Windows device names, also with extensions and trailing spaces
    [InlineData("CON", "_CON")]
    [InlineData("con", "_con")]
    [InlineData("nul.txt", "_nul.txt")]
    [InlineData("Com1.tar.gz", "_Com1.tar.gz")]
    [InlineData("LPT9", "_LPT9")]
    [InlineData("aux .txt", "_aux .txt")]
    [InlineData("COM\u00b9", "_COM\u00b9")]
    [InlineData("conout$", "_conout$")]
    [InlineData("CONSOLE", "CONSOLE")]
    [InlineData("con_", "con_")]
    [InlineData("xcon.txt", "xcon.txt")]
    // Text that is fine stays as it is
    [InlineData("Album (2001) - Track 01.flac", "Album (2001) - Track 01.flac")]
    [InlineData("日本語のファイル.txt", "日本語のファイル.txt")]
    [InlineData("emoji \ud83d\ude00.png", "emoji \ud83d\ude00.png")]
    public void Components_are_made_safe(string component, string expected)
    {
        Assert.Equal(expected, TorrentPathSanitizer.SanitizeComponent(component));
    }

    [Theory]
    [InlineData(new byte[] { 0x61, 0xff, 0x62 }, "a_b")] // a byte that is never UTF-8
    [InlineData(new byte[] { 0xc0, 0xaf }, "__")] // overlong '/', must not become a separator
    [InlineData(new byte[] { 0x61, 0xe6, 0x97 }, "a_")] // sequence cut short
    [InlineData(new byte[] { 0x80, 0x2e, 0x2e }, "_")] // "\x80..": trailing dots trimmed
    [InlineData(new byte[] { 0xed, 0xa0, 0x80 }, "___")] // an encoded UTF-16 surrogate
    public void Invalid_utf8_becomes_underscores(byte[] raw, string expected)
    {
        Assert.Equal(expected, TorrentPathSanitizer.SanitizeComponent(raw, out var changed));
        Assert.True(changed);
    }

    [Fact]
    public void Changed_tells_whether_the_name_differs_from_the_torrent()
    {
        Assert.Equal("plain.txt", TorrentPathSanitizer.SanitizeComponent("plain.txt"u8, out var changed));
        Assert.False(changed);
        Assert.Equal("é", TorrentPathSanitizer.SanitizeComponent("é"u8, out changed));
        Assert.False(changed);
        TorrentPathSanitizer.SanitizeComponent("CON"u8, out changed);
        Assert.True(changed);
        TorrentPathSanitizer.SanitizeComponent("a\u200bb"u8, out changed);
        Assert.True(changed);
        Assert.Null(TorrentPathSanitizer.SanitizeComponent(".."u8, out changed));
        Assert.True(changed);
    }

    [Fact]
    public void Long_names_are_shortened_to_255_bytes_keeping_the_extension()
    {
        var name = TorrentPathSanitizer.SanitizeComponent(new string('a', 300) + ".txt")!;
        Assert.Equal(255, Encoding.UTF8.GetByteCount(name));
        Assert.Equal(new string('a', 251) + ".txt", name);

        Assert.Equal(new string('b', 255), TorrentPathSanitizer.SanitizeComponent(new string('b', 300)));

        // Two-byte characters are never cut in half.
        var accented = TorrentPathSanitizer.SanitizeComponent(string.Concat(Enumerable.Repeat("é", 200)) + ".mkv")!;
        Assert.True(Encoding.UTF8.GetByteCount(accented) <= 255);
        Assert.EndsWith(".mkv", accented);
        Assert.Equal(string.Concat(Enumerable.Repeat("é", 125)) + ".mkv", accented);

        // Surrogate pairs stay whole too.
        var emoji = TorrentPathSanitizer.SanitizeComponent(string.Concat(Enumerable.Repeat("\ud83d\ude00", 100)))!;
        Assert.Equal(252, Encoding.UTF8.GetByteCount(emoji));
        Assert.False(char.IsHighSurrogate(emoji[^1]));

        // A very long "extension" is not one.
        var dots = TorrentPathSanitizer.SanitizeComponent("a." + new string('x', 300))!;
        Assert.Equal(255, dots.Length);
        Assert.StartsWith("a.xxx", dots);

        // Shortening never leaves a trailing dot or space behind.
        var spaced = TorrentPathSanitizer.SanitizeComponent(new string('c', 254) + " " + new string('d', 50))!;
        Assert.Equal(new string('c', 254), spaced);
    }

    [Fact]
    public void Paths_drop_traversal_and_never_end_up_empty()
    {
        Assert.Equal(["etc", "passwd"], TorrentPathSanitizer.SanitizePath(["..", "..", "etc", "passwd"]));
        Assert.Equal(["a", "b"], TorrentPathSanitizer.SanitizePath(["a", "", ".", "b"]));
        Assert.Equal(["etc", "x"], TorrentPathSanitizer.SanitizePath(["", "etc", "x"]));
        Assert.Equal(["_"], TorrentPathSanitizer.SanitizePath(["..", "."]));
        Assert.Equal(["_"], TorrentPathSanitizer.SanitizePath([]));
        Assert.Equal(["_", "x"], TorrentPathSanitizer.SanitizePath(["/", "x"]));
    }

    [Fact]
    public void Paths_deeper_than_the_cap_keep_their_first_directories_and_their_file_name()
    {
        var components = Enumerable.Range(0, 150).Select(i => $"d{i}").Append("file.bin").ToArray();

        var path = TorrentPathSanitizer.SanitizePath(components);

        Assert.Equal(TorrentPathSanitizer.MaxDepth, path.Length);
        Assert.Equal(components[..99], path[..99]);
        Assert.Equal("file.bin", path[^1]);
    }

    [Fact]
    public void Duplicates_get_numbered_ignoring_case_and_normalisation()
    {
        var paths = new List<string[]>
        {
            new[] { "a" },
            new[] { "A" },
            new[] { "x.txt" },
            new[] { "X.TXT" },
            new[] { "x.txt" },
            new[] { "dir", "caf\u00e9" }, // composed é
            new[] { "DIR", "cafe\u0301" }, // e + combining accent: the same name on APFS
            new[] { "unique" },
        };

        var renamed = TorrentPathSanitizer.MakeUnique(paths);

        Assert.Equal(["a", "A (1)", "x.txt", "X (1).TXT", "x (2).txt", "caf\u00e9", "cafe\u0301 (1)", "unique"], paths.Select(p => p[^1]));
        Assert.Equal([false, true, false, true, true, false, true, false], renamed);
        Assert.Equal("DIR", paths[6][0]); // directories are never renamed
    }

    [Fact]
    public void A_file_may_not_take_the_name_of_a_directory()
    {
        var paths = new List<string[]> { new[] { "a" }, new[] { "A", "b" }, new[] { "a (1)" } };

        var renamed = TorrentPathSanitizer.MakeUnique(paths);

        Assert.Equal(["a (2)", "b", "a (1)"], paths.Select(p => p[^1]));
        Assert.Equal([true, false, false], renamed);
    }

    [Fact]
    public void Numbering_skips_names_already_taken_and_stays_within_255_bytes()
    {
        var longName = new string('n', 253) + ".c";
        var paths = new List<string[]> { new[] { "f (1)" }, new[] { "f" }, new[] { "f" }, new[] { longName }, new[] { longName } };

        TorrentPathSanitizer.MakeUnique(paths);

        Assert.Equal("f (2)", paths[2][0]);
        Assert.Equal(new string('n', 249) + " (1).c", paths[4][0]);
        Assert.Equal(255, Encoding.UTF8.GetByteCount(paths[4][0]));
    }

    [Fact]
    public void Many_duplicates_are_numbered_in_linear_time()
    {
        var paths = Enumerable.Range(0, 20_000).Select(_ => new[] { "same.txt" }).ToList();
        var watch = System.Diagnostics.Stopwatch.StartNew();

        TorrentPathSanitizer.MakeUnique(paths);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        Assert.Equal(20_000, paths.Select(p => p[0].ToUpperInvariant()).Distinct().Count());
        Assert.Equal("same (19999).txt", paths[^1][0]);
    }

    [Property(Arbitrary = [typeof(PathArbitraries)], MaxTest = 500)]
    public bool Sanitised_text_paths_stay_inside_the_destination(HostilePath path) =>
        StaysInside(TorrentPathSanitizer.SanitizePath(path.Components));

    [Property(Arbitrary = [typeof(PathArbitraries)], MaxTest = 500)]
    public bool Sanitised_byte_paths_stay_inside_the_destination(HostileBytePath path)
    {
        var raw = path.Components.Select(c => (ReadOnlyMemory<byte>)c).ToArray();
        return StaysInside(TorrentPathSanitizer.SanitizePath(raw, out _));
    }

    /// <summary>Combined with a destination folder, the path names a place strictly inside it, and every
    /// component is a name every platform can create.</summary>
    private static bool StaysInside(string[] components)
    {
        var destination = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rustorrent-dest");
        var relative = string.Join(System.IO.Path.DirectorySeparatorChar, components);
        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(destination, relative));
        if (!full.StartsWith(destination + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
            return false;
        if (components.Length is 0 or > TorrentPathSanitizer.MaxDepth)
            return false;
        foreach (var component in components)
        {
            if (component.Length == 0 || component is "." or ".." || component.EndsWith('.') || component.EndsWith(' ') || component.StartsWith(' '))
                return false;
            if (component.IndexOfAny(['/', '\\', ':', '\0', '*', '?', '"', '<', '>', '|']) >= 0 || component.Any(char.IsControl))
                return false;
            if (Encoding.UTF8.GetByteCount(component) > TorrentPathSanitizer.MaxComponentBytes)
                return false;
            if (component.Any(c => c is '\u202e' or '\u200b') || HasLoneSurrogate(component))
                return false;
            var baseName = component.Split('.')[0].TrimEnd(' ').ToUpperInvariant();
            if (baseName is "CON" or "PRN" or "AUX" or "NUL" or "COM1" or "LPT1")
                return false;
        }
        return true;
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else if (char.IsSurrogate(text[i]))
                return true;
        }
        return false;
    }
}

public sealed record HostilePath(string[] Components)
{
    public override string ToString() => "[" + string.Join(", ", Components.Select(c => $"\"{c}\"")) + "]";
}

public sealed record HostileBytePath(byte[][] Components)
{
    public override string ToString() => "[" + string.Join(", ", Components.Select(Convert.ToHexString)) + "]";
}

/// <summary>Generators biased towards the pieces path attacks are made of.</summary>
public static class PathArbitraries
{
    private static readonly string[] Tokens =
    [
        "..", ".", "/", "\\", ":", "C:", "c:\\", "CON", "nul", "com1", "lpt1.txt", " ", "\0", "\t", "\u202e", "\u200b",
        "a", "b.txt", "é", "e\u0301", "~", "$", "*", "?", "\ud83d\ude00", "\ud800", "\u0085", "\\\\?\\", "//server/share",
        new string('x', 120), new string('é', 90),
    ];

    public static Arbitrary<HostilePath> HostilePaths()
    {
        var component = Gen.ListOf(Gen.Elements(Tokens)).Select(parts => string.Concat(parts.Take(8)));
        return Gen.ListOf(component).Select(list => new HostilePath([.. list.Take(12)])).ToArbitrary();
    }

    public static Arbitrary<HostileBytePath> HostileBytePaths()
    {
        var interesting = Gen.Elements(new byte[] { 0x00, 0x2e, 0x2f, 0x5c, 0x3a, 0x20, 0x61, 0x80, 0xc0, 0xaf, 0xe2, 0x80, 0xae, 0xed, 0xa0, 0xff, 0xf0, 0x9f });
        var mixed = Gen.ArrayOf(Gen.Frequency(new[] { (3, interesting), (1, Gen.Choose(0, 255).Select(i => (byte)i)) }));
        // Whole tokens too: random bytes alone would rarely spell exactly ".." or "CON".
        var tokens = Gen.Elements(Tokens.Select(Encoding.UTF8.GetBytes).Append([0xc0, 0xae, 0xc0, 0xae]).ToArray());
        var component = Gen.Frequency(new[] { (2, mixed), (1, tokens) });
        return Gen.ListOf(component).Select(list => new HostileBytePath([.. list.Take(12)])).ToArbitrary();
    }
}
