using Rustorrent.Downloads;
using Rustorrent.Engine.Tests.Pieces;

namespace Rustorrent.Engine.Tests.Downloads;

public sealed class ByteRateLimiterTests
{
    [Fact]
    public async Task Without_a_limit_every_take_completes_at_once()
    {
        var limiter = new ByteRateLimiter(0);
        for (var i = 0; i < 1000; i++)
            Assert.True(limiter.TakeAsync(1 << 20, CancellationToken.None).IsCompleted);
        await limiter.TakeAsync(1, CancellationToken.None);
    }

    [Fact]
    public void A_burst_passes_then_takers_wait_until_the_rate_pays_their_debt()
    {
        var clock = new TestClock();
        var limiter = new ByteRateLimiter(100_000, clock);

        Assert.True(limiter.TakeAsync(64 * 1024, CancellationToken.None).IsCompleted); // the burst
        var inDebt = limiter.TakeAsync(50_000, CancellationToken.None);
        Assert.False(inDebt.IsCompleted);

        // Half a second pays back 50,000 bytes: the debt is gone, and a small take passes again.
        clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.False(limiter.TakeAsync(16_384, CancellationToken.None).IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TakeAsync(16_384, CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task A_waiting_take_is_cancelled_by_its_token()
    {
        var limiter = new ByteRateLimiter(1000);
        await limiter.TakeAsync(64 * 1024, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = limiter.TakeAsync(64 * 1024, cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }
}
