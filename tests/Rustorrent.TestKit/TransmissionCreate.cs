using System.Globalization;

namespace Rustorrent.TestKit;

/// <summary>transmission-create (Transmission 3.00): v1 torrents; it leaves empty files out.</summary>
public static class TransmissionCreate
{
    /// <param name="payload">File or folder to describe.</param>
    /// <param name="output">Where to write the .torrent.</param>
    /// <param name="trackers">Announce URLs; Transmission puts each in its own tier.</param>
    /// <param name="pieceSizeKiB">Piece size in KiB; null lets Transmission choose.</param>
    public static async Task<string> CreateAsync(
        string payload,
        string output,
        IReadOnlyList<string> trackers,
        int? pieceSizeKiB = null,
        bool isPrivate = false,
        string? comment = null,
        CancellationToken cancellationToken = default)
    {
        var tool = RequiredTool.TransmissionCreate();
        var args = new List<string> { "-o", output };
        foreach (var url in trackers)
            args.AddRange(["-t", url]);
        if (pieceSizeKiB is { } kib)
            args.AddRange(["-s", kib.ToString(CultureInfo.InvariantCulture)]);
        if (isPrivate)
            args.Add("-p");
        if (comment is not null)
            args.AddRange(["-c", comment]);
        args.Add(payload);
        File.Delete(output);
        (await tool.RunAsync(args, TimeSpan.FromSeconds(60), cancellationToken: cancellationToken).ConfigureAwait(false)).EnsureSuccess();
        return File.Exists(output)
            ? output
            : throw new InvalidOperationException($"transmission-create exited 0 but wrote no {output}.");
    }
}
