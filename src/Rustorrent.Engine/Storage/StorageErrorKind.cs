namespace Rustorrent.Storage;

/// <summary>Why writing or reading a download's files failed, so that callers can tell a full disk from a bad path.</summary>
public enum StorageErrorKind
{
    /// <summary>No space left on the device (or the user's disk quota is used up).</summary>
    DiskFull,

    /// <summary>The operating system refused access to a file or folder.</summary>
    AccessDenied,

    /// <summary>Something is in the way: a file where a folder must go, or a folder where a file must go.</summary>
    PathConflict,

    /// <summary>The path would lead outside the download folder (through a symbolic link or junction).</summary>
    UnsafePath,

    /// <summary>The file is larger than the file system allows (FAT32 stops at 4 GiB).</summary>
    FileTooLarge,

    /// <summary>The full path is longer than the operating system allows.</summary>
    PathTooLong,

    /// <summary>Any other input/output error; the message carries the operating system's words.</summary>
    IoError,
}
