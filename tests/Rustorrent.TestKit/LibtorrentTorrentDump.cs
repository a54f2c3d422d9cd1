using System.Text.Json.Serialization;

namespace Rustorrent.TestKit;

/// <summary>
/// libtorrent's own reading of a .torrent file (<c>lt_tool.py dump</c>), the reference our parser is checked
/// against. libtorrent shuffles URLs within a tier and appends '/' to multi-file web seeds, so the raw
/// announce/announce-list/url-list (as its bdecode reads them) are here too.
/// </summary>
public sealed record LibtorrentTorrentDump
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("info_hash_v1")] public string? InfoHashV1 { get; init; }
    [JsonPropertyName("info_hash_v2")] public string? InfoHashV2 { get; init; }
    [JsonPropertyName("total_size")] public long TotalSize { get; init; }
    [JsonPropertyName("piece_length")] public int PieceLength { get; init; }
    [JsonPropertyName("num_pieces")] public int PieceCount { get; init; }
    [JsonPropertyName("files")] public required IReadOnlyList<LibtorrentFileEntry> Files { get; init; }
    [JsonPropertyName("trackers")] public required IReadOnlyList<LibtorrentTrackerEntry> Trackers { get; init; }
    [JsonPropertyName("web_seeds")] public required IReadOnlyList<string> WebSeeds { get; init; }
    [JsonPropertyName("raw_announce")] public string? RawAnnounce { get; init; }
    [JsonPropertyName("raw_announce_list")] public required IReadOnlyList<IReadOnlyList<string>> RawAnnounceList { get; init; }
    [JsonPropertyName("raw_url_list")] public required IReadOnlyList<string> RawUrlList { get; init; }
    [JsonPropertyName("priv")] public bool IsPrivate { get; init; }
    [JsonPropertyName("creator")] public string Creator { get; init; } = "";
    [JsonPropertyName("comment")] public string Comment { get; init; } = "";
    /// <summary>Unix seconds; 0 when the file has none.</summary>
    [JsonPropertyName("creation_date")] public long CreationDate { get; init; }

    /// <summary>True when the files sit in a folder named after the torrent (libtorrent's paths then start with "name/").
    /// Padding is left out of the count: libtorrent gives a v2 single-file torrent a synthetic tail pad file.</summary>
    public bool IsMultiFile => DataFiles.Count() != 1 || DataFiles.Single().Path.Contains('/');

    /// <summary>The files that hold data, in torrent order, without BEP 47 padding files.</summary>
    public IEnumerable<LibtorrentFileEntry> DataFiles => Files.Where(f => !f.IsPadding);

    /// <summary>Trackers grouped by tier, in tier order (URL order within a tier is libtorrent's shuffle).</summary>
    public IReadOnlyList<IReadOnlyList<string>> TrackerTiers =>
        Trackers.GroupBy(t => t.Tier).OrderBy(g => g.Key).Select(g => (IReadOnlyList<string>)g.Select(t => t.Url).ToList()).ToList();
}
