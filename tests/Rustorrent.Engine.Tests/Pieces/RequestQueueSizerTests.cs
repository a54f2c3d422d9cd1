using Rustorrent.Pieces;

namespace Rustorrent.Engine.Tests.Pieces;

public sealed class RequestQueueSizerTests
{
    [Theory]
    [InlineData(0, 2)]                      // an idle peer still gets the minimum
    [InlineData(10_000, 2)]                 // 10 KB/s x 3 s = 1.8 blocks
    [InlineData(100_000, 19)]               // 300,000 B / 16,384 = 18.3, rounded up
    [InlineData(1_048_576, 192)]            // 1 MiB/s: 3 MiB in flight
    [InlineData(100_000_000, 500)]          // capped
    public void Depth_is_the_bandwidth_delay_product_in_blocks(double rate, int depth) =>
        Assert.Equal(depth, RequestQueueSizer.BandwidthDelayDepth(rate));

    [Fact]
    public void Slow_start_runs_ahead_of_the_lagging_rate_while_it_grows_then_the_product_takes_over()
    {
        var clock = new TestClock();
        var sizer = new RequestQueueSizer(clock);
        Assert.Equal(RequestQueueSizer.InitialDepth, sizer.DesiredDepth);

        // The rate doubles every second: 4, 8, 16, 32, 64 blocks a second, spread evenly.
        var received = 0;
        foreach (var perSecond in new[] { 4, 8, 16, 32, 64 })
        {
            Deliver(clock, sizer, perSecond, seconds: 1);
            received += perSecond;
            Assert.True(sizer.InSlowStart);
            var product = RequestQueueSizer.BandwidthDelayDepth(sizer.Rate.BytesPerSecond);
            Assert.Equal(Math.Min(RequestQueueSizer.DefaultRemoteLimit, Math.Max(product, RequestQueueSizer.InitialDepth + received)), sizer.DesiredDepth);
        }
        // The 5 s average lags the growth; slow start keeps the queue deeper than it.
        Assert.True(sizer.DesiredDepth > RequestQueueSizer.BandwidthDelayDepth(sizer.Rate.BytesPerSecond));

        // Then the rate holds at 40 blocks a second: slow start ends and 3 s of that rate is the depth.
        Deliver(clock, sizer, 40, seconds: 8);
        Assert.False(sizer.InSlowStart);
        Assert.Equal(RequestQueueSizer.BandwidthDelayDepth(sizer.Rate.BytesPerSecond), sizer.DesiredDepth);
        Assert.InRange(sizer.DesiredDepth, 115, 125);
        Assert.Equal(sizer.DesiredDepth - 100, sizer.RequestsToSend(100));
        Assert.Equal(0, sizer.RequestsToSend(1000));
    }

    [Fact]
    public void Remote_reqq_caps_the_depth_and_bogus_values_are_ignored()
    {
        var clock = new TestClock();
        var sizer = new RequestQueueSizer(clock);
        Assert.Equal(RequestQueueSizer.DefaultRemoteLimit, sizer.RemoteLimit);
        for (var i = 0; i < 200; i++)
            sizer.BlockReceived(PieceLayout.BlockSize);
        Assert.Equal(RequestQueueSizer.DefaultRemoteLimit, sizer.DesiredDepth); // 200 blocks in a second: 600 wanted

        sizer.SetRemoteLimit(50);
        Assert.Equal(50, sizer.DesiredDepth);
        sizer.SetRemoteLimit(0);
        sizer.SetRemoteLimit(-3);
        Assert.Equal(50, sizer.RemoteLimit);
        sizer.SetRemoteLimit(long.MaxValue);
        Assert.Equal(RequestQueueSizer.MaxDepth, sizer.RemoteLimit);
    }

    [Fact]
    public void A_snubbed_peer_gets_one_request_until_it_delivers()
    {
        var clock = new TestClock();
        var sizer = new RequestQueueSizer(clock);
        for (var i = 0; i < 20; i++)
            sizer.BlockReceived(PieceLayout.BlockSize);

        sizer.MarkSnubbed();
        Assert.Equal(1, sizer.DesiredDepth);
        Assert.Equal(0, sizer.RequestsToSend(1));

        sizer.BlockReceived(PieceLayout.BlockSize);
        Assert.False(sizer.IsSnubbed);
        Assert.False(sizer.InSlowStart);
        Assert.Equal(RequestQueueSizer.BandwidthDelayDepth(sizer.Rate.BytesPerSecond), sizer.DesiredDepth);
    }

    private static void Deliver(TestClock clock, RequestQueueSizer sizer, int perSecond, int seconds)
    {
        var gap = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / perSecond);
        for (var i = 0; i < perSecond * seconds; i++)
        {
            clock.Advance(gap);
            sizer.BlockReceived(PieceLayout.BlockSize);
        }
    }
}
