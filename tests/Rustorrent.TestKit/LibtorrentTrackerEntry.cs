using System.Text.Json.Serialization;

namespace Rustorrent.TestKit;

/// <summary>One tracker as libtorrent reads it; tiers count from 0.</summary>
public sealed record LibtorrentTrackerEntry(
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("tier")] int Tier);
