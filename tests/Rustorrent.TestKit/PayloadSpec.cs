namespace Rustorrent.TestKit;

/// <summary>Which files a <see cref="Payload"/> has; their bytes follow from <see cref="Seed"/> and each path alone.</summary>
public sealed record PayloadSpec(string Seed, IReadOnlyList<PayloadFileSpec> Files)
{
    public static PayloadSpec SingleFile(string name, long length, string seed = "rustorrent") =>
        new(seed, [new PayloadFileSpec(name, length)]);

    /// <summary>
    /// A folder <paramref name="root"/> whose files sit on the edges torrents get wrong: empty files (one
    /// nested), one byte, smaller than a piece, a piece minus one / exactly / plus one, more than two pieces
    /// deep in nested folders, and a name with a space and non-ASCII letters.
    /// </summary>
    public static PayloadSpec MultiFileEdgeCases(string root, int pieceLength, string seed = "rustorrent") =>
        new(seed,
        [
            new($"{root}/empty.bin", 0),
            new($"{root}/one-byte.bin", 1),
            new($"{root}/small.txt", 100),
            new($"{root}/piece-minus-1.bin", pieceLength - 1),
            new($"{root}/piece-exact.bin", pieceLength),
            new($"{root}/piece-plus-1.bin", pieceLength + 1),
            new($"{root}/nested/deeper/two-pieces-and-3.bin", 2L * pieceLength + 3),
            new($"{root}/nested/empty-deep.bin", 0),
            new($"{root}/with space/ü-ñ файл.bin", 777),
        ]);

    public long TotalLength => Files.Sum(f => f.Length);
}
