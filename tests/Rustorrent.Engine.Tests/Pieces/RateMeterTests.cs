using Rustorrent.Pieces;

namespace Rustorrent.Engine.Tests.Pieces;

public sealed class RateMeterTests
{
    [Fact]
    public void Averages_over_the_covered_time_with_a_one_second_floor()
    {
        var clock = new TestClock();
        var meter = new RateMeter(clock);

        meter.Add(50_000);
        Assert.Equal(50_000, meter.BytesPerSecond); // not 50,000 / 0 s

        clock.Advance(TimeSpan.FromSeconds(2));
        meter.Add(50_000);
        Assert.Equal(50_000, meter.BytesPerSecond); // 100,000 bytes over 2 s
        Assert.Equal(100_000, meter.Total);
    }

    [Fact]
    public void Old_bytes_slide_out_of_the_window()
    {
        var clock = new TestClock();
        var meter = new RateMeter(clock, windowSeconds: 5);
        for (var i = 0; i < 10; i++)
        {
            meter.Add(100_000);
            clock.Advance(TimeSpan.FromSeconds(1));
        }
        // The window now holds four full seconds and the start of a fifth: 400,000 bytes over 4 s.
        Assert.Equal(100_000, meter.BytesPerSecond, 3);

        clock.Advance(TimeSpan.FromSeconds(3));
        meter.Add(0);
        Assert.Equal(100_000 / 4.0 * 1, meter.BytesPerSecond, 3); // only the 10th second's bytes remain

        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, meter.BytesPerSecond);
        Assert.Equal(1_000_000, meter.Total);
    }
}
