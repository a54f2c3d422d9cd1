using Microsoft.Win32.SafeHandles;

namespace Rustorrent.Storage;

/// <summary>The use of one cached file handle; the cache will not close it until this is disposed.</summary>
internal readonly struct FileHandleLease : IDisposable
{
    private readonly FileHandleCache? cache;
    private readonly FileHandleCache.Entry? entry;

    internal FileHandleLease(FileHandleCache cache, FileHandleCache.Entry entry)
    {
        this.cache = cache;
        this.entry = entry;
    }

    public SafeFileHandle Handle => entry?.Handle ?? throw new InvalidOperationException("This lease holds no handle.");

    /// <summary>Which file the handle is for (the cache's key).</summary>
    public int Key => entry?.Key ?? -1;

    public bool Writable => entry?.Writable ?? false;

    public void Dispose() => cache?.Release(entry!);
}
