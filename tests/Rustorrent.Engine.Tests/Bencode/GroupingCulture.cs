using System.Globalization;

namespace Rustorrent.Engine.Tests.Bencode;

/// <summary>
/// Puts the current thread (and the async flow) under a culture that writes numbers the German way
/// ("1.234.567,5") until disposed, to check that messages meant to read the same everywhere do not follow the
/// user's culture. Built from the invariant culture, so it does not depend on the machine's culture data.
/// </summary>
internal sealed class GroupingCulture : IDisposable
{
    private readonly CultureInfo savedCulture = CultureInfo.CurrentCulture;
    private readonly CultureInfo savedUiCulture = CultureInfo.CurrentUICulture;

    private GroupingCulture()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberGroupSeparator = ".";
        culture.NumberFormat.NumberDecimalSeparator = ",";
        CultureInfo.CurrentCulture = CultureInfo.ReadOnly(culture);
        CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture;
        // Proves the culture is in force, so the caller's assertions cannot pass for the wrong reason.
        Assert.Equal("99.999.999.999", 99_999_999_999L.ToString("N0"));
        Assert.Equal("2,5", 2.5.ToString("0.#"));
    }

    public static GroupingCulture Enter() => new();

    public void Dispose()
    {
        CultureInfo.CurrentCulture = savedCulture;
        CultureInfo.CurrentUICulture = savedUiCulture;
    }
}
