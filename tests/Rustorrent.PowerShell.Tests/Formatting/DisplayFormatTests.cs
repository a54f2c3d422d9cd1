using Rustorrent.PowerShell.Tests.Infrastructure;

namespace Rustorrent.PowerShell.Tests.Formatting;

/// <summary>
/// The text helpers the format views call, called the way the views call them: from PowerShell, on the
/// imported module's [Rustorrent.PowerShell.DisplayFormat].
/// </summary>
public sealed class DisplayFormatTests : IDisposable
{
    private readonly PowerShellSession shell = new();

    public void Dispose() => shell.Dispose();

    private string Call(string expression, params object?[] arguments) =>
        (string)shell.Invoke("[Rustorrent.PowerShell.DisplayFormat]::" + expression, arguments).ThrowOnError().Output.Single().BaseObject;

    [Theory]
    [InlineData(0L, "0 B")]
    [InlineData(1023L, "1023 B")]
    [InlineData(1024L, "1.00 KiB")]
    [InlineData(5_620_000L, "5.36 MiB")]
    [InlineData(10L * 1024 * 1024, "10.0 MiB")]
    [InlineData(100L * 1024 * 1024, "100 MiB")]
    [InlineData(3L * 1024 * 1024 * 1024 + 1, "3.00 GiB")]
    public void Sizes_are_in_binary_units_with_three_significant_digits(long bytes, string expected) =>
        Assert.Equal(expected, Call("Size([long]$args[0])", bytes));

    [Fact]
    public void An_unknown_size_is_empty_and_an_idle_rate_too() =>
        Assert.Equal(["", "", "1.50 MiB/s"], [Call("Size($null)"), Call("Rate(0.4)"), Call("Rate(1.5 * 1MB)")]);

    [Theory]
    [InlineData(41.2, "42s")]
    [InlineData(725.0, "12m05s")]
    [InlineData(12_000.0, "3h20m")]
    [InlineData(187_200.0, "2d04h")]
    [InlineData(1000.0 * 86_400, "∞")]
    public void Eta_is_a_time_span_in_its_two_largest_units(double seconds, string expected) =>
        Assert.Equal(expected, Call("Eta([timespan]::FromSeconds($args[0]))", seconds));

    [Fact]
    public void An_unknown_eta_is_a_dash() => Assert.Equal("-", Call("Eta($null)"));

    [Theory]
    [InlineData("00:01:05.3400000", "00:01:05.3")]
    [InlineData("1.02:03:04", "1.02:03:04")]
    public void Durations_are_time_spans_with_days_past_a_day(string duration, string expected) =>
        Assert.Equal(expected, Call("Duration([timespan]$args[0])", duration));

    [Fact]
    public void Hashes_are_shortened_to_16_digits_and_an_ellipsis() =>
        Assert.Equal(["0123456789abcdef…", "0123"], [Call("ShortHash($args[0])", "0123456789abcdef0123456789abcdef01234567"), Call("ShortHash('0123')")]);
}
