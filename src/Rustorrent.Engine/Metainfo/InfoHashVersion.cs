namespace Rustorrent.Metainfo;

/// <summary>Which hash an <see cref="InfoHash"/> is: SHA-1 of the info dictionary (v1) or SHA-256 (v2, BEP 52).</summary>
public enum InfoHashVersion
{
    V1 = 1,
    V2 = 2,
}
