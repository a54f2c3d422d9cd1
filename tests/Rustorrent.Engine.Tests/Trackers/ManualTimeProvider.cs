namespace Rustorrent.Engine.Tests.Trackers;

/// <summary>A clock that moves only when told, for the UDP connection id's one minute.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}
