using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Rustorrent.Storage;

/// <summary>
/// Writes that bypass the page cache (Linux O_DIRECT): a verified piece goes from our buffer to the disk
/// with no copy into the page cache, which on a busy or virtualised host costs more CPU than hashing the
/// piece. Only whole, aligned blocks can be written so: buffer address, file offset and length must be
/// multiples of <see cref="Alignment"/>; everything else (file tails, unaligned file starts) goes through
/// the ordinary handle. File systems without O_DIRECT (tmpfs, some FUSE) simply keep the ordinary path.
/// </summary>
internal static class DirectIo
{
    /// <summary>The logical block size every Linux file system accepts for O_DIRECT.</summary>
    public const int Alignment = 4096;

    private const int ReadWrite = 2;
    private const int CloseOnExec = 0x80000;

    /// <summary>O_DIRECT differs by architecture; null where we do not know it.</summary>
    private static readonly int? DirectFlag = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x4000,
        Architecture.Arm64 or Architecture.Arm => 0x10000,
        _ => null,
    };

    public static bool IsAvailable => OperatingSystem.IsLinux() && DirectFlag is not null;

    /// <summary>Opens an existing file for direct writes; null when the file system refuses O_DIRECT.</summary>
    public static SafeFileHandle? TryOpenForWrite(string path)
    {
        if (!IsAvailable)
            return null;
        var fd = Open(path, ReadWrite | CloseOnExec | DirectFlag!.Value, 0);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);
}
