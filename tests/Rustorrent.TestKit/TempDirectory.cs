namespace Rustorrent.TestKit;

/// <summary>A fresh directory under <c>{temp}/rustorrent-tests/</c>, deleted with everything in it on <see cref="Dispose"/>.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string? label = null)
    {
        var name = (label is null ? "" : label + "-") + Guid.NewGuid().ToString("N")[..12];
        Path = System.IO.Path.Combine(Root, name);
        Directory.CreateDirectory(Path);
    }

    /// <summary>Where every test directory lives.</summary>
    public static string Root { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rustorrent-tests");

    public string Path { get; }

    /// <summary>A path inside this directory (nothing is created); <paramref name="relative"/> may use '/'.</summary>
    public string Combine(string relative) =>
        System.IO.Path.Combine(Path, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));

    /// <summary>Creates a subdirectory and returns its full path.</summary>
    public string CreateSubdirectory(string relative) => Directory.CreateDirectory(Combine(relative)).FullName;

    public void Dispose()
    {
        // A child process may still be closing files it wrote here: retry briefly, and never fail a test over it.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (Directory.Exists(Path))
                    Directory.Delete(Path, recursive: true);
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Thread.Sleep(100);
            }
        }
    }

    public override string ToString() => Path;
}
