using Rustorrent.Metainfo;

namespace Rustorrent.PowerShell;

/// <summary>
/// What Get-TorrentInfo outputs for a .torrent file, a magnet link or an info hash. Magnets and hashes have
/// no metadata (HasMetadata is false): only what the link itself says is known.
/// </summary>
public sealed class TorrentInfo
{
    private static readonly TorrentFileInfo[] NoFiles = [];

    internal TorrentInfo(TorrentMetainfo metainfo, TorrentSourceKind sourceKind, string source)
    {
        Metainfo = metainfo;
        Name = metainfo.Name;
        OriginalName = metainfo.OriginalName;
        InfoHash = metainfo.InfoHashV1?.ToHex();
        InfoHashV2 = metainfo.InfoHashV2?.ToHex();
        Version = metainfo.Version;
        TotalSize = metainfo.TotalSize;
        PieceLength = metainfo.PieceLength;
        PieceCount = metainfo.PieceCount;
        var files = new TorrentFileInfo[metainfo.Files.Count];
        for (var i = 0; i < files.Length; i++)
            files[i] = new TorrentFileInfo(metainfo.Name, metainfo.Files[i]);
        Files = files;
        Trackers = ToTrackers(metainfo.Trackers);
        WebSeeds = [.. metainfo.WebSeeds];
        IsPrivate = metainfo.IsPrivate;
        CreatedBy = metainfo.CreatedBy;
        CreationDate = metainfo.CreationDate?.LocalDateTime;
        Comment = metainfo.Comment;
        MagnetUri = metainfo.ToMagnetUri();
        SourceKind = sourceKind;
        Source = source;
        HasMetadata = true;
    }

    internal TorrentInfo(MagnetLink magnet, TorrentSourceKind sourceKind, string source)
    {
        Magnet = magnet;
        Name = magnet.DisplayName ?? magnet.PrimaryInfoHash.ToHex();
        InfoHash = magnet.InfoHashV1?.ToHex();
        InfoHashV2 = magnet.InfoHashV2?.ToHex();
        Version = (magnet.InfoHashV1, magnet.InfoHashV2) switch
        {
            (not null, not null) => TorrentVersion.Hybrid,
            (null, not null) => TorrentVersion.V2,
            _ => TorrentVersion.V1,
        };
        TotalSize = magnet.ExactLength;
        Files = NoFiles;
        Trackers = ToTrackers(magnet.Trackers.Select(t => (IReadOnlyList<string>)[t]).ToArray());
        WebSeeds = [.. magnet.WebSeeds];
        MagnetUri = magnet.ToUri();
        SourceKind = sourceKind;
        Source = source;
    }

    /// <summary>The name the files are saved under (sanitised: one safe path component).</summary>
    public string Name { get; }

    /// <summary>The torrent's own name when sanitising changed it; otherwise null.</summary>
    public string? OriginalName { get; }

    /// <summary>v1 info hash (SHA-1, 40 hex digits); null for a v2-only torrent.</summary>
    public string? InfoHash { get; }

    /// <summary>v2 info hash (SHA-256, 64 hex digits, BEP 52); null for a v1-only torrent.</summary>
    public string? InfoHashV2 { get; }

    public TorrentVersion Version { get; }

    /// <summary>Bytes of all files (padding excluded); for a magnet, its `xl` when given, else null.</summary>
    public long? TotalSize { get; }

    public int? PieceLength { get; }

    public int? PieceCount { get; }

    public TorrentFileInfo[] Files { get; }

    public int FileCount => Files.Length;

    /// <summary>Trackers with their tiers (BEP 12). A magnet's trackers each stand in a tier of their own.</summary>
    public TorrentTracker[] Trackers { get; }

    public string[] WebSeeds { get; }

    /// <summary>BEP 27: peers only from the torrent's trackers, never from DHT or PEX.</summary>
    public bool IsPrivate { get; }

    public string? CreatedBy { get; }

    public DateTime? CreationDate { get; }

    public string? Comment { get; }

    public string MagnetUri { get; }

    /// <summary>The file path, URL, magnet link or info hash this came from.</summary>
    public string Source { get; }

    public TorrentSourceKind SourceKind { get; }

    /// <summary>True when the info dictionary is known (a .torrent); false for a magnet or hash until it is fetched.</summary>
    public bool HasMetadata { get; }

    internal TorrentMetainfo? Metainfo { get; }

    internal MagnetLink? Magnet { get; }

    public override string ToString() => Name;

    private static TorrentTracker[] ToTrackers(IReadOnlyList<IReadOnlyList<string>> tiers)
    {
        var trackers = new List<TorrentTracker>();
        for (var tier = 0; tier < tiers.Count; tier++)
        {
            foreach (var uri in tiers[tier])
                trackers.Add(new TorrentTracker(tier, uri));
        }
        return [.. trackers];
    }
}
