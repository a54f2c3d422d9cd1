using System.Globalization;

namespace Rustorrent.Storage;

/// <summary>
/// Turns the exceptions of file operations into <see cref="StorageException"/>s whose message says which file
/// and what went wrong in words a user can act on.
/// </summary>
internal static class StorageErrors
{
    // .NET on Unix puts the raw errno in IOException.HResult; on Windows it is the HRESULT of the Win32 error.
    private const int LinuxEnospc = 28;
    private const int LinuxEfbig = 27;
    private const int LinuxEdquot = 122;
    private const int MacEdquot = 69;
    private const int WinErrorHandleDiskFull = unchecked((int)0x80070027);
    private const int WinErrorDiskFull = unchecked((int)0x80070070);
    private const int WinErrorFileTooLarge = unchecked((int)0x800700DF);

    /// <summary>True when <paramref name="exception"/> is the operating system saying there is no space left.</summary>
    public static bool IsDiskFull(Exception exception) => exception is IOException io && IsDiskFull(io.HResult);

    public static bool IsDiskFull(int hresult)
    {
        if (OperatingSystem.IsWindows())
            return hresult is WinErrorDiskFull or WinErrorHandleDiskFull;
        return hresult == LinuxEnospc || hresult == (OperatingSystem.IsLinux() ? LinuxEdquot : MacEdquot);
    }

    private static bool IsFileTooLarge(int hresult) =>
        OperatingSystem.IsWindows() ? hresult == WinErrorFileTooLarge : hresult == LinuxEfbig;

    /// <summary>An error while writing <paramref name="byteCount"/> bytes at <paramref name="offset"/> of <paramref name="path"/>.</summary>
    public static StorageException Write(Exception exception, string path, long offset, long byteCount)
    {
        if (exception is StorageException storage)
            return storage;
        if (exception is IOException io && IsDiskFull(io.HResult))
        {
            return new StorageException(StorageErrorKind.DiskFull, path, string.Create(CultureInfo.InvariantCulture,
                $"The disk is full while writing '{path}' (needed {byteCount:N0} bytes at offset {offset:N0}{FreeSpace(path)})."), exception);
        }
        if (exception is IOException big && IsFileTooLarge(big.HResult))
        {
            return new StorageException(StorageErrorKind.FileTooLarge, path, string.Create(CultureInfo.InvariantCulture,
                $"Cannot write '{path}': the file system does not allow a file this large (writing {byteCount:N0} bytes at offset {offset:N0})."), exception);
        }
        return Map(exception, "write", path);
    }

    /// <summary>An error while doing <paramref name="operation"/> ("create", "open", "read", ...) on <paramref name="path"/>.</summary>
    public static StorageException Map(Exception exception, string operation, string path)
    {
        switch (exception)
        {
            case StorageException storage:
                return storage;
            case IOException io when IsDiskFull(io.HResult):
                return new StorageException(StorageErrorKind.DiskFull, path, $"The disk is full: cannot {operation} '{path}'{FreeSpace(path)}.", exception);
            case UnauthorizedAccessException when Directory.Exists(path):
                return new StorageException(StorageErrorKind.PathConflict, path, $"Cannot {operation} '{path}': a folder of that name is in the way.", exception);
            case UnauthorizedAccessException:
                return new StorageException(StorageErrorKind.AccessDenied, path, $"Cannot {operation} '{path}': access denied.", exception);
            case PathTooLongException:
                return new StorageException(StorageErrorKind.PathTooLong, path, $"Cannot {operation} '{path}': the path is too long for this system.", exception);
            case IOException io:
                return new StorageException(StorageErrorKind.IoError, path, $"Cannot {operation} '{path}': {io.Message}", exception);
            default:
                return new StorageException(StorageErrorKind.IoError, path, $"Cannot {operation} '{path}': {exception.Message}", exception);
        }
    }

    private static string FreeSpace(string path)
    {
        try
        {
            var root = System.IO.Path.GetDirectoryName(path);
            while (root is not null && !Directory.Exists(root))
                root = System.IO.Path.GetDirectoryName(root);
            if (root is null)
                return "";
            var free = new DriveInfo(root).AvailableFreeSpace;
            return string.Create(CultureInfo.InvariantCulture, $"; {free:N0} bytes free there");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return "";
        }
    }
}
