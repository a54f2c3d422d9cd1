namespace Rustorrent.Engine.Tests.Pieces;

/// <summary>A clock whose timestamps (the ones rate meters read) move only when told.</summary>
internal sealed class TestClock : TimeProvider
{
    private long ticks = 1_000_000;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => ticks;

    public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(ticks);

    public void Advance(TimeSpan by) => ticks += by.Ticks;
}
