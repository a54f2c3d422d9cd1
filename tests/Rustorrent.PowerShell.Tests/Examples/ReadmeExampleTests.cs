using Rustorrent.PowerShell.Tests.Infrastructure;

namespace Rustorrent.PowerShell.Tests.Examples;

/// <summary>
/// README.md's ```powershell blocks run as written against the loopback swarm, the same way as the help's
/// examples (<see cref="Help.HelpExampleTests"/>): internet endpoints and info hashes rewritten to the
/// fixtures', each block in a folder of its own holding the files it names (./Downloads standing in for
/// ~/Downloads). A ```text sample after a block is compared with what the block output (<see cref="SampleOutput"/>).
/// Get-Content, Get-ChildItem, Sort-Object and Format-List are shims in the test host (<see cref="ExampleSession.Shims"/>).
/// </summary>
[Collection(ExampleCollection.Name)]
public sealed class ReadmeExampleTests(ExampleFixtures fixtures)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Blocks that cannot run here, by their first line, with the reason (none today).</summary>
    private static readonly Dictionary<string, string> NotRun = new(StringComparer.Ordinal);

    /// <summary>What each block needs before it and does beyond outputting something, by its first line.</summary>
    private static readonly Dictionary<string, ExampleExpectation> Expectations = new(StringComparer.Ordinal)
    {
        ["Get-TorrentInfo ./*.torrent -ErrorVariable bad -ErrorAction SilentlyContinue"] = new()
        {
            // A file that is not a torrent, so there is an error to sort out.
            Prelude = "[System.IO.File]::WriteAllText([System.IO.Path]::Combine($PWD.ProviderPath, 'broken.torrent'), 'not a torrent')",
            Check = (run, _, _) => Assert.Contains(run.Output, o => o.ToString().Contains("broken.torrent: ", StringComparison.Ordinal)),
        },
        ["Get-TorrentInfo ./debian.torrent | Resolve-TorrentPeers"] = new() { UsesDht = true },
        ["Get-Content ./torrents.txt | Start-TorrentDownload -Destination ./dl | Wait-Job | Receive-Job"] = new()
        {
            Downloads = [new("dl", "album"), new("dl", "debian.iso")],
        },
        ["Stop-Job -Name album                      # closes the files, keeps the verified pieces"] = new()
        {
            Prelude = "$null = Start-TorrentDownload ./album.torrent -Destination ./dl -DownloadRateLimit 1MB",
            Check = (_, session, _) =>
            {
                Assert.Equal("Stopped", Assert.Single(session.Invoke("(Get-TorrentJob)[0].State.ToString()", Patience).Output).ToString());
                Assert.Equal("Completed", ExampleRunner.WaitForResult(session, "(Get-TorrentJob)[-1]"));
            },
            Downloads = [new("dl", "album")],
        },
        ["Start-TorrentDownload ./album.torrent -Destination ./music -Port 51413 -SeedRatio 2"] = new()
        {
            // -SeedRatio seeds on once complete (nobody downloads from it here, so it runs until the session ends).
            Check = (_, session, _) => Assert.Equal("Running", ExampleRunner.WaitForResult(session, "(Get-TorrentJob)[-1]")),
            Downloads = [new("music", "album")],
        },
        ["Get-TorrentInfo ./album.torrent | Start-TorrentDownload -Destination ./music -Peer 127.0.0.1:17002 -File '*.flac' -Wait"] = new()
        {
            Downloads = [new("music", "album", "*.flac")],
        },
        ["Start-TorrentDownload 'magnet:?xt=urn:btih:6cdaf80e1d20ecab33eafadb567890b5e73fc812&tr=http%3A%2F%2F127.0.0.1%3A16969%2Fannounce' -Destination ./dl -Wait"] = new()
        {
            UsesDht = true,
            Downloads = [new("dl", "debian.iso")],
            Check = (_, session, swarm) => Assert.Equal(swarm.Torrent("debian.iso").InfoHash,
                Assert.Single(session.Invoke("(Get-TorrentInfo ./found.torrent).InfoHash", Patience).Output).ToString()),
        },
    };

    private static IReadOnlyList<ReadmeExample> Readme() => ReadmeExample.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md")));

    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var example in Readme())
            data.Add(example.Title);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Examples))]
    public async Task Example_runs_as_written(string title)
    {
        Skip.If(NotRun.TryGetValue(title, out var reason), reason);
        Skip.If(fixtures.Unavailable is not null, fixtures.Unavailable);
        var example = Readme().Single(e => e.Title == title);

        await ExampleRunner.RunAsync(fixtures, "README: " + title, example.Code, Expectations.GetValueOrDefault(title, ExampleExpectation.Default),
            example.SampleOutput is { } sample ? (run, session) => SampleOutput.AssertMatches(fixtures.Substitutions.Apply(sample), run, session) : null);
    }

    [Fact]
    public void The_readme_has_examples_and_every_one_listed_here_exists()
    {
        var all = Readme().Select(e => e.Title).ToList();

        Assert.True(all.Count >= 8, $"README.md has {all.Count} PowerShell examples");
        Assert.Equal(all.Count, all.Distinct(StringComparer.Ordinal).Count());
        Assert.All(NotRun.Keys.Concat(Expectations.Keys), key => Assert.Contains(key, all));
        Assert.Contains(Readme(), e => e.SampleOutput is not null);
    }
}
