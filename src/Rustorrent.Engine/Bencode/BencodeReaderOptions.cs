namespace Rustorrent.Bencode;

/// <summary>Limits that keep hostile input from costing more than it is worth.</summary>
internal sealed record BencodeReaderOptions
{
    public static readonly BencodeReaderOptions Default = new();

    /// <summary>
    /// Ceiling on <see cref="MaxDepth"/> whatever the options say: <see cref="BencodeNode.ToValue"/>, value
    /// equality and <see cref="BencodeWriter"/> recurse once per level, so nesting must stay far from what would
    /// overflow the stack (which would kill the user's PowerShell session).
    /// </summary>
    public const int DepthCeiling = 1024;

    /// <summary>Deepest nesting of lists and dictionaries (libtorrent uses 100 too); capped at <see cref="DepthCeiling"/>.</summary>
    public int MaxDepth { get; init; } = 100;

    /// <summary>Most values in one document (libtorrent's default token limit is of the same order).</summary>
    public int MaxTokens { get; init; } = 2_000_000;
}
