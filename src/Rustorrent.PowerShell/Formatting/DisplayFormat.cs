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

    /// <summary>A rate in bytes per second: "1.50 MiB/s"; empty for zero, so idle columns stay quiet.</summary>
    public static string Rate(double bytesPerSecond) =>
        bytesPerSecond >= 1 ? Size((long)bytesPerSecond) + "/s" : "";

    /// <summary>A percentage with one decimal: "42.5%".</summary>
    public static string Percent(double percent) =>
        percent.ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>A duration as a time span: "00:01:05.3" (tenths of a second), "2.04:00:10" past a day.</summary>
    public static string Duration(TimeSpan duration) =>
        duration.ToString(duration.Days != 0 ? @"d\.hh\:mm\:ss" : @"hh\:mm\:ss\.f", CultureInfo.InvariantCulture);

    /// <summary>Time left as a download manager shows it: "42s", "12m05s", "3h20m", "2d04h"; "-" when unknown.</summary>
    public static string Eta(TimeSpan? eta)
    {
        if (eta is not { } t || t < TimeSpan.Zero)
            return "-";
        if (t.TotalSeconds < 60)
            return ((int)Math.Ceiling(t.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + "s";
        if (t.TotalMinutes < 60)
            return string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}m{t.Seconds:00}s");
        if (t.TotalHours < 24)
            return string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}h{t.Minutes:00}m");
        return t.TotalDays < 1000 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalDays}d{t.Hours:00}h") : "∞";
    }
}
