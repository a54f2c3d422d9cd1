namespace Rustorrent.Metainfo;

/// <summary>Which hashing scheme a torrent uses: BEP 3 (SHA-1 pieces), BEP 52 (SHA-256 merkle trees), or both.</summary>
public enum TorrentVersion
{
    /// <summary>BEP 3: SHA-1 hashes of pieces over the files laid end to end.</summary>
    V1,

    /// <summary>BEP 52 only: a merkle tree per file, every file starting on a piece boundary.</summary>
    V2,

    /// <summary>BEP 52 hybrid: both, over the same piece layout (v1 padding files keep the v2 alignment).</summary>
    Hybrid,
}
