using Rustorrent.Metainfo;

namespace Rustorrent.Storage;

/// <summary>
/// The part of a byte range of the piece space that lies in one file: <see cref="Length"/> bytes at
/// <see cref="FileOffset"/> in <see cref="File"/>, which are bytes <see cref="BufferOffset"/>.. of the range.
/// A span in a BEP 47 padding file (<see cref="IsPadding"/>) stands for zeros that are never on disk.
/// </summary>
internal readonly record struct FileSpan(TorrentFile File, long FileOffset, int Length, int BufferOffset)
{
    public bool IsPadding => File.IsPadding;

    /// <summary>Position of the file among all files, padding included (<see cref="TorrentFile.Index"/>).</summary>
    public int FileIndex => File.Index;
}
