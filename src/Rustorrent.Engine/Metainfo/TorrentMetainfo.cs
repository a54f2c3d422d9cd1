namespace Rustorrent.Metainfo;

/// <summary>
/// A parsed .torrent file (BEP 3, with BEP 52 v2 and hybrid torrents): what to download, how it is split into
/// pieces, where each file goes, and where to find peers. Immutable. File names are already sanitised
/// (<see cref="TorrentFile.Path"/>), the info hashes are computed over the info dictionary's bytes exactly as
/// they appear in the file.
/// </summary>
public sealed class TorrentMetainfo
{
    internal TorrentMetainfo()
    {
    }

    /// <summary>
    /// Parses a whole .torrent file. Throws <see cref="Bencode.BencodeException"/> when it is not bencode and
    /// <see cref="MetainfoException"/> when it is bencode but not a valid torrent.
    /// </summary>
    public static TorrentMetainfo Parse(ReadOnlyMemory<byte> torrentFile) => MetainfoParser.Parse(torrentFile);

    /// <summary>
    /// Builds a torrent from a bare info dictionary, e.g. metadata fetched from peers (BEP 9) after a magnet
    /// link; the trackers and web seeds come from the link. A v2 info dictionary carries no piece layers:
    /// <see cref="HasPieceLayers"/> is then false unless no file needs one.
    /// </summary>
    public static TorrentMetainfo ParseInfoDictionary(
        ReadOnlyMemory<byte> infoDictionary,
        IReadOnlyList<IReadOnlyList<string>>? trackers = null,
        IReadOnlyList<string>? webSeeds = null) =>
        MetainfoParser.ParseInfoDictionary(infoDictionary, trackers, webSeeds);

    /// <summary>The torrent's name, sanitised: the file name of a single-file torrent, the root folder of a multi-file one.</summary>
    public string Name { get; internal init; } = "";

    /// <summary>The name as the torrent gives it, when sanitising changed it; else null.</summary>
    public string? OriginalName { get; internal init; }

    /// <summary>SHA-1 of the info dictionary; null for a v2-only torrent.</summary>
    public InfoHash? InfoHashV1 { get; internal init; }

    /// <summary>SHA-256 of the info dictionary (BEP 52); null for a v1-only torrent.</summary>
    public InfoHash? InfoHashV2 { get; internal init; }

    /// <summary>The v1 hash when there is one, else the v2 hash.</summary>
    public InfoHash PrimaryInfoHash => InfoHashV1 ?? InfoHashV2!.Value;

    public TorrentVersion Version { get; internal init; }

    /// <summary>Bytes of all files, padding files excluded.</summary>
    public long TotalSize { get; internal init; }

    public int PieceLength { get; internal init; }

    public int PieceCount { get; internal init; }

    /// <summary>
    /// True when the files live in a folder named <see cref="Name"/> (storage puts them at
    /// &lt;destination&gt;/&lt;Name&gt;/&lt;Path&gt;); false for a single file at &lt;destination&gt;/&lt;Path&gt;.
    /// </summary>
    public bool IsMultiFile { get; internal init; }

    /// <summary>The user's files in torrent order, padding files left out.</summary>
    public IReadOnlyList<TorrentFile> Files { get; internal init; } = [];

    /// <summary>
    /// Every file in piece-space order, padding included. Together they tile the piece space from 0 to
    /// <see cref="PayloadSize"/> without gaps or overlaps: for a v2-only torrent each file that does not end on
    /// a piece boundary (the last one included) is followed by a padding entry (".pad/&lt;n&gt;"), placed and
    /// counted exactly as libtorrent does, so that storage can treat every version alike and
    /// <see cref="TorrentFile.Index"/> (BEP 53 <c>so=</c>) means the same file in both.
    /// </summary>
    internal IReadOnlyList<TorrentFile> AllFiles { get; init; } = [];

    /// <summary>Size of the piece space, padding included (for a v2-only torrent a whole number of pieces).</summary>
    internal long PayloadSize { get; init; }

    /// <summary>BEP 12 tiers: "announce-list" when it has any usable URL, else "announce"; blanks and duplicates dropped.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Trackers { get; internal init; } = [];

    /// <summary>BEP 19 "url-list" and BEP 17 "httpseeds", blanks and duplicates dropped.</summary>
    public IReadOnlyList<string> WebSeeds { get; internal init; } = [];

    /// <summary>BEP 27: peers only from the torrent's trackers (no DHT, PEX or local discovery).</summary>
    public bool IsPrivate { get; internal init; }

    public string? CreatedBy { get; internal init; }

    public string? Comment { get; internal init; }

    public DateTimeOffset? CreationDate { get; internal init; }

    /// <summary>The info dictionary's "source" (private trackers set it so that their copy gets its own info hash).</summary>
    public string? SourceTag { get; internal init; }

    /// <summary>The info dictionary's bytes exactly as in the file (a private copy): what the info hashes and
    /// ut_metadata (BEP 9) use.</summary>
    internal ReadOnlyMemory<byte> InfoDictionary { get; init; }

    /// <summary>The v1 "pieces" string (20 bytes per piece), a slice of <see cref="InfoDictionary"/>; empty for v2-only.</summary>
    internal ReadOnlyMemory<byte> PieceHashes { get; init; }

    /// <summary>v2 and hybrid: true when every file larger than one piece has a checked BEP 52 piece layer (or no file
    /// needs one). False for v1, and for a v2 info dictionary from ut_metadata whose layers are still to be fetched.</summary>
    internal bool HasPieceLayers { get; init; }

    internal PieceLayers PieceLayers { get; init; } = PieceLayers.None;

    /// <summary>The 20-byte SHA-1 of a piece (v1 and hybrid torrents).</summary>
    internal ReadOnlySpan<byte> GetPieceHash(int piece)
    {
        if (PieceHashes.IsEmpty)
            throw new InvalidOperationException("A v2-only torrent has no SHA-1 piece hashes; use its piece layers.");
        ArgumentOutOfRangeException.ThrowIfNegative(piece);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(piece, PieceCount);
        return PieceHashes.Span.Slice(piece * 20, 20);
    }

    /// <summary>The BEP 52 piece layer (32 bytes per piece) of the file with this pieces root; empty when the file
    /// fits in one piece (its pieces root is then the hash of that piece) or no such layer is known.</summary>
    internal ReadOnlyMemory<byte> GetPieceLayer(ReadOnlySpan<byte> piecesRoot) => PieceLayers.Get(piecesRoot);

    /// <summary>A magnet link (BEP 9, BEP 53) for this torrent: its hashes, name, trackers and web seeds.</summary>
    public string ToMagnetUri()
    {
        var trackers = new List<string>();
        foreach (var tier in Trackers)
            trackers.AddRange(tier);
        return new MagnetLink(InfoHashV1, InfoHashV2, Name, trackers, WebSeeds).ToUri();
    }

    public override string ToString() => Name;
}
