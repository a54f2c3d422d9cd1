using System.Collections.Concurrent;

namespace Rustorrent.TestKit;

/// <summary>
/// Every <see cref="ManagedProcess"/> still alive, killed when the test host exits normally (a test that
/// forgot to dispose one must not leave a tracker or seeder running). A host killed by SIGKILL cannot
/// run this: the <c>timeout</c> wrapper and our scripts' stdin-EOF exit cover that case.
/// </summary>
internal static class ProcessRegistry
{
    private static readonly ConcurrentDictionary<ManagedProcess, byte> Live = new();

    static ProcessRegistry()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    public static void Add(ManagedProcess process) => Live.TryAdd(process, 0);

    public static void Remove(ManagedProcess process) => Live.TryRemove(process, out _);

    public static int Count => Live.Count;

    public static void KillAll()
    {
        foreach (var process in Live.Keys)
            process.Kill();
    }
}
