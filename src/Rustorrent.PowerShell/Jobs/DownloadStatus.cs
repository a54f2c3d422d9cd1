using System.Globalization;
using Rustorrent.Downloads;

namespace Rustorrent.PowerShell.Jobs;

/// <summary>The numbers users see for a download, from a progress snapshot: the same for the job's
/// properties, its progress records and the foreground progress bar.</summary>
internal static class DownloadStatus
{
    /// <summary>0 to 100, one decimal; 0 while the files on disk are being checked (the wanted size is not known yet).</summary>
    public static double Percent(DownloadProgress p) =>
        p.Phase == DownloadPhase.Checking ? 0 : Math.Round(Math.Clamp(p.Fraction * 100, 0, 100), 1, MidpointRounding.ToZero);

    /// <summary>Time left at the current rate; null while unknown (checking, no data flowing).</summary>
    public static TimeSpan? Eta(DownloadProgress p)
    {
        if (p.Phase is DownloadPhase.Seeding or DownloadPhase.Completed || (p.Phase == DownloadPhase.Downloading && p.VerifiedBytes >= p.WantedBytes))
            return TimeSpan.Zero;
        if (p.Phase != DownloadPhase.Downloading || p.DownloadRate < 1)
            return null;
        var seconds = (p.WantedBytes - p.VerifiedBytes) / p.DownloadRate;
        return seconds < TimeSpan.MaxValue.TotalSeconds / 2 ? TimeSpan.FromSeconds(Math.Ceiling(seconds)) : null;
    }

    /// <summary>The status line of a progress record.</summary>
    public static string Describe(DownloadProgress p) => p.Phase switch
    {
        DownloadPhase.Checking => "Checking the files on disk",
        DownloadPhase.Seeding => string.Create(CultureInfo.InvariantCulture,
            $"Seeding: {DisplayFormat.Size(p.UploadedBytes)} sent, {DisplayFormat.Size((long)p.UploadRate)}/s up, {p.ConnectedPeers} peers"),
        DownloadPhase.Completed => "Complete",
        _ => string.Create(CultureInfo.InvariantCulture,
            $"{DisplayFormat.Size(p.VerifiedBytes)} of {DisplayFormat.Size(p.WantedBytes)}, {DisplayFormat.Size((long)p.DownloadRate)}/s, {p.ConnectedPeers} peers ({p.KnownPeers} known)"),
    };
}
