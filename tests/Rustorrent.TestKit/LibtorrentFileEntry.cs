using System.Text.Json.Serialization;

namespace Rustorrent.TestKit;

/// <summary>One file as libtorrent reads it: <see cref="Path"/> uses '/' and, for a multi-file torrent, starts with the torrent's name.</summary>
public sealed record LibtorrentFileEntry(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("offset")] long Offset,
    [property: JsonPropertyName("pad")] bool IsPadding);
