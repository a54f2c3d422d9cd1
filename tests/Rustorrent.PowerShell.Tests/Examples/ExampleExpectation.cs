namespace Rustorrent.PowerShell.Tests.Examples;

/// <summary>
/// What a test knows about one example beyond its text: what the session must hold before it (the prose says
/// "earlier in the session"), what it must have downloaded, and how it is allowed to end.
/// </summary>
internal sealed record ExampleExpectation
{
    public static ExampleExpectation Default { get; } = new();

    /// <summary>Run first, in the same session, for examples that start from jobs made earlier.</summary>
    public string? Prelude { get; init; }

    /// <summary>The example asks the DHT: it waits until the fixture DHT has found the seeder.</summary>
    public bool UsesDht { get; init; }

    /// <summary>Files the example downloads, checked byte for byte against the seeded payload.</summary>
    public IReadOnlyList<DownloadedFiles> Downloads { get; init; } = [];

    /// <summary>The error id (FullyQualifiedErrorId's start) the example ends with; null when it must write no error.</summary>
    public string? ExpectedError { get; init; }

    /// <summary>The example assigns rather than outputs; <see cref="Check"/> looks at what it made.</summary>
    public bool OutputsNothing { get; init; }

    /// <summary>Further assertions, with the session the example ran in and the fixtures.</summary>
    public Action<ExampleRun, ExampleSession, ExampleFixtures>? Check { get; init; }
}

/// <param name="Destination">The download folder, relative to the example's folder.</param>
/// <param name="Torrent">The fixture torrent's name.</param>
/// <param name="Pattern">Which of its files (a wildcard on the file name).</param>
internal sealed record DownloadedFiles(string Destination, string Torrent, string Pattern = "*");
