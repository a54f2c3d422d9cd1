using System.Globalization;

namespace Rustorrent.PowerShell;

/// <summary>Formatting helpers the format views (Rustorrent.format.ps1xml) call: sizes, rates, hashes.</summary>
public static class DisplayFormat
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary>A byte count in binary units: "1.50 MiB", "512 B".</summary>
    public static string Size(long? bytes)
    {
        if (bytes is not { } value)
            return "";
        if (value < 1024)
            return value.ToString(CultureInfo.InvariantCulture) + " B";
        double scaled = value;
        var unit = 0;
        while (scaled >= 1024 && unit < Units.Length - 1)
        {
            scaled /= 1024;
            unit++;
        }
        var format = scaled < 10 ? "0.00" : scaled < 100 ? "0.0" : "0";
        return scaled.ToString(format, CultureInfo.InvariantCulture) + " " + Units[unit];
    }

    /// <summary>A hash shortened for tables: the first 16 hex digits and an ellipsis.</summary>
    public static string ShortHash(string? hash) =>
        hash is null ? "" : hash.Length <= 16 ? hash : string.Concat(hash.AsSpan(0, 16), "…");
}
