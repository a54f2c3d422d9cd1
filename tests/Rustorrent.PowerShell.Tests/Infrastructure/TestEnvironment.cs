using System.Runtime.CompilerServices;

namespace Rustorrent.PowerShell.Tests.Infrastructure;

/// <summary>
/// Keeps the module's shared engine on this machine while tests run: no public DHT routers, and its files
/// (the DHT routing table) in a temporary folder instead of the user's. Runs before any test.
/// </summary>
internal static class TestEnvironment
{
    public static string DataFolder { get; } = Path.Combine(Path.GetTempPath(), "rustorrent-tests", "engine-data-" + Environment.ProcessId);

    [ModuleInitializer]
    internal static void Initialize()
    {
        Environment.SetEnvironmentVariable("RUSTORRENT_DHT_ROUTERS", "none");
        Environment.SetEnvironmentVariable("RUSTORRENT_DATA", DataFolder);
    }
}
