using System.Globalization;

namespace Rustorrent.TestKit;

/// <summary>mktorrent 1.1: v1 torrents, the way many seedbox and tracker users make them.</summary>
public static class Mktorrent
{
    /// <param name="payload">File or folder to describe.</param>
    /// <param name="output">Where to write the .torrent.</param>
    /// <param name="announce">One entry per tier, in order; commas separate URLs within a tier (mktorrent's own syntax).</param>
    /// <param name="pieceLengthExponent">Piece length 2^n bytes; mktorrent accepts 15..28.</param>
    /// <param name="noDate">Leave out the creation date, for a byte-reproducible file.</param>
    public static async Task<string> CreateAsync(
        string payload,
        string output,
        IReadOnlyList<string> announce,
        int pieceLengthExponent = 18,
        bool isPrivate = false,
        IReadOnlyList<string>? webSeeds = null,
        string? comment = null,
        bool noDate = false,
        CancellationToken cancellationToken = default)
    {
        var tool = RequiredTool.Mktorrent();
        var args = new List<string> { "-l", pieceLengthExponent.ToString(CultureInfo.InvariantCulture), "-o", output };
        foreach (var tier in announce)
            args.AddRange(["-a", tier]);
        foreach (var url in webSeeds ?? [])
            args.AddRange(["-w", url]);
        if (isPrivate)
            args.Add("-p");
        if (comment is not null)
            args.AddRange(["-c", comment]);
        if (noDate)
            args.Add("-d");
        args.Add(payload);
        // mktorrent refuses to overwrite, which is never what a test means.
        File.Delete(output);
        (await tool.RunAsync(args, TimeSpan.FromSeconds(60), cancellationToken: cancellationToken).ConfigureAwait(false)).EnsureSuccess();
        return output;
    }
}
