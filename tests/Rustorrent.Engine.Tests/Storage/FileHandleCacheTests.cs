using Microsoft.Win32.SafeHandles;
using Rustorrent.Storage;
using Rustorrent.TestKit;

namespace Rustorrent.Engine.Tests.Storage;

/// <summary>The open-handle cache stays within its bound, but never closes a handle in use.</summary>
public sealed class FileHandleCacheTests : IDisposable
{
    private readonly TempDirectory temp = new("handle-cache");

    public void Dispose() => temp.Dispose();

    private SafeFileHandle Open(int i) =>
        File.OpenHandle(temp.Combine($"f{i}.bin"), FileMode.OpenOrCreate, FileAccess.ReadWrite);

    [Fact]
    public void Idle_handles_beyond_the_bound_are_closed_least_recently_used_first()
    {
        using var cache = new FileHandleCache(2);
        var handles = Enumerable.Range(0, 3).Select(Open).ToArray();
        cache.Add(0, handles[0], writable: true).Dispose();
        cache.Add(1, handles[1], writable: true).Dispose();
        Assert.True(cache.TryAcquire(0, write: true, out var again)); // 0 is now the most recent
        again.Dispose();
        cache.Add(2, handles[2], writable: true).Dispose();

        Assert.Equal(2, cache.Count);
        Assert.True(handles[1].IsClosed);
        Assert.False(handles[0].IsClosed);
        Assert.False(cache.TryAcquire(1, write: false, out _));
    }

    [Fact]
    public void Leased_handles_stay_open_over_the_bound_until_released()
    {
        var cache = new FileHandleCache(1);
        var handles = Enumerable.Range(0, 3).Select(Open).ToArray();
        var leases = handles.Select((h, i) => cache.Add(i, h, writable: true)).ToArray();

        Assert.Equal(3, cache.Count);
        Assert.All(handles, h => Assert.False(h.IsClosed));
        RandomAccess.Write(leases[0].Handle, new byte[] { 1 }, 0);

        foreach (var lease in leases)
            lease.Dispose();
        Assert.Equal(1, cache.Count);
        Assert.Equal(2, handles.Count(h => h.IsClosed));

        Assert.True(cache.TryAcquire(2, write: true, out var held));
        cache.Dispose();
        Assert.False(handles[2].IsClosed); // still leased
        held.Dispose();
        Assert.True(handles[2].IsClosed);
    }

    [Fact]
    public void A_read_only_handle_is_not_leased_for_writing_and_is_replaced_when_idle()
    {
        using var cache = new FileHandleCache(4);
        File.WriteAllBytes(temp.Combine("f0.bin"), [1, 2, 3]);
        var readOnly = File.OpenHandle(temp.Combine("f0.bin"), FileMode.Open, FileAccess.Read);
        cache.Add(0, readOnly, writable: false).Dispose();

        Assert.True(cache.TryAcquire(0, write: false, out var read));
        read.Dispose();
        Assert.False(cache.TryAcquire(0, write: true, out _));

        using (var write = cache.Add(0, Open(0), writable: true))
            Assert.True(write.Writable);
        Assert.True(readOnly.IsClosed);
        Assert.True(cache.TryAcquire(0, write: true, out var writable));
        writable.Dispose();
    }
}
