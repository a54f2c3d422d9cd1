namespace Rustorrent.Storage;

/// <summary>
/// Writing or reading a download's files failed; the message names the file and the reason in plain words
/// ("the disk is full while writing ..."). It fails that download, not the engine.
/// </summary>
public sealed class StorageException : IOException
{
    public StorageException(StorageErrorKind kind, string path, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        Path = path;
        if (innerException is not null)
            HResult = innerException.HResult;
    }

    public StorageErrorKind Kind { get; }

    /// <summary>The full path of the file or folder the operation was about.</summary>
    public string Path { get; }
}
