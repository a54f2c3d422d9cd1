using System.Management.Automation;
using System.Net;
using System.Text;
using Rustorrent.PowerShell.Tests.Infrastructure;

namespace Rustorrent.PowerShell.Tests;

/// <summary>Get-TorrentInfo through the hosted engine, with the module imported from Rustorrent.psd1.</summary>
public sealed class GetTorrentInfoTests : IDisposable
{
    private const string UbuntuHash = "dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c";
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("rustorrent-ps-");
    private readonly PowerShellSession shell;

    public GetTorrentInfoTests() => shell = new PowerShellSession(folder.FullName);

    public void Dispose()
    {
        shell.Dispose();
        folder.Delete(recursive: true);
    }

    private static IReadOnlyList<dynamic> Files(object info) => PowerShellResult.Items((object)((dynamic)info).Files);

    private string InFolder(string name) => Path.Combine(folder.FullName, name);

    private TestTorrent.Written MultiFile(string fileName = "multi.torrent") => TestTorrent.Write(InFolder(fileName), "Album",
        [(["disc 1", "01.flac"], 40_000), (["disc 1", "02.flac"], 0), (["cover.jpg"], 1_000)],
        trackers: ["http://127.0.0.1:6969/announce", "udp://127.0.0.1:6969/announce"], comment: "made by a test");

    [Fact]
    public void Module_imports_from_the_manifest_with_its_cmdlets_and_formats()
    {
        Assert.Equal("Rustorrent", shell.Module.Name);
        Assert.Equal(new Version(0, 1, 0), shell.Module.Version);
        Assert.Contains("Get-TorrentInfo", shell.Module.ExportedCmdlets.Keys);
        Assert.Contains(shell.Module.ExportedFormatFiles, f => f.EndsWith("Rustorrent.format.ps1xml", StringComparison.Ordinal));
        var command = shell.Invoke("Get-Command Get-TorrentInfo").ThrowOnError().Output.Select(o => (CmdletInfo)o.BaseObject).Single();
        Assert.Equal("Rustorrent.PowerShell.TorrentInfo", command.OutputType.Single().Name);
    }

    [Fact]
    public void Reads_a_torrent_file_by_path_into_a_rich_object()
    {
        var written = MultiFile();
        var info = shell.Invoke("Get-TorrentInfo multi.torrent").ThrowOnError().OutputOf("TorrentInfo").Single();

        Assert.Equal("Album", info.Name);
        Assert.Equal(written.InfoHash, info.InfoHash);
        Assert.Null(info.InfoHashV2);
        Assert.Equal("V1", info.Version.ToString());
        Assert.Equal(41_000L, (long?)info.TotalSize);
        Assert.Equal(16384, (int?)info.PieceLength);
        Assert.Equal(written.PieceCount, (int?)info.PieceCount);
        Assert.Equal(3, (int)info.FileCount);
        Assert.Equal([Path.Combine("disc 1", "01.flac"), Path.Combine("disc 1", "02.flac"), "cover.jpg"], Files((object)info).Select(f => (string)f.Path));
        Assert.Equal([0L, 40_000, 40_000], Files((object)info).Select(f => (long)f.Offset));
        Assert.Equal((0, 2), ((int)info.Files[0].FirstPiece, (int)info.Files[0].LastPiece));
        Assert.Equal((-1, -1), ((int)info.Files[1].FirstPiece, (int)info.Files[1].LastPiece));
        Assert.Equal([(0, "http://127.0.0.1:6969/announce"), (1, "udp://127.0.0.1:6969/announce")], PowerShellResult.Items((object)info.Trackers).Select(t => ((int)t.Tier, (string)t.Uri)));
        Assert.Equal("made by a test", info.Comment);
        Assert.True(info.HasMetadata);
        Assert.Equal("File", info.SourceKind.ToString());
        Assert.Equal(InFolder("multi.torrent"), info.Source);
        Assert.StartsWith($"magnet:?xt=urn:btih:{written.InfoHash}", info.MagnetUri, StringComparison.Ordinal);
    }

    [Fact]
    public void Wildcards_expand_and_literal_paths_do_not()
    {
        MultiFile("a.torrent");
        MultiFile("b.torrent");
        MultiFile("[c].torrent");

        Assert.Equal(3, shell.Invoke("Get-TorrentInfo -Path *.torrent").ThrowOnError().Output.Count);
        var literal = shell.Invoke("Get-TorrentInfo -LiteralPath '[c].torrent'").ThrowOnError().OutputOf("TorrentInfo").Single();
        Assert.Equal(InFolder("[c].torrent"), literal.Source);
        Assert.Empty(shell.Invoke("Get-TorrentInfo -Path nothing-here-*.torrent").ThrowOnError().Output);
    }

    [Fact]
    public void Binds_PSPath_from_objects_the_way_Get_ChildItem_output_does()
    {
        var written = MultiFile("[odd] name.torrent");
        // FileInfo objects from Get-ChildItem carry a PSPath note property; the test host has no
        // Get-ChildItem, so build the same shape.
        var script = """
            $item = [System.IO.FileInfo]::new($args[0])
            $item = [psobject]::AsPSObject($item)
            $item.PSObject.Properties.Add([psnoteproperty]::new('PSPath', 'Microsoft.PowerShell.Core\FileSystem::' + $args[0]))
            $item | Get-TorrentInfo
            """;
        var info = shell.Invoke(script, written.Path).ThrowOnError().OutputOf("TorrentInfo").Single();
        Assert.Equal(written.InfoHash, info.InfoHash);
    }

    [Fact]
    public void Pipeline_strings_are_detected_as_paths_magnets_and_hashes()
    {
        var written = MultiFile();
        File.WriteAllLines(InFolder("inputs.txt"), [
            "multi.torrent",
            $"magnet:?xt=urn:btih:{UbuntuHash}&dn=ubuntu%20server&tr=udp%3A%2F%2F127.0.0.1%3A6969%2Fannounce&xl=2048",
            UbuntuHash.ToUpperInvariant(),
        ]);
        // As Get-Content would send them (the test host has no Get-Content): one string per line.
        var results = shell.Invoke("[System.IO.File]::ReadAllLines($args[0]) | Get-TorrentInfo", InFolder("inputs.txt")).ThrowOnError().OutputOf("TorrentInfo");

        Assert.Equal(3, results.Count);
        Assert.Equal(("File", written.InfoHash, true), ((string)results[0].SourceKind.ToString(), (string)results[0].InfoHash, (bool)results[0].HasMetadata));

        var magnet = results[1];
        Assert.Equal(("Magnet", UbuntuHash, false), ((string)magnet.SourceKind.ToString(), (string)magnet.InfoHash, (bool)magnet.HasMetadata));
        Assert.Equal("ubuntu server", magnet.Name);
        Assert.Equal(2048L, (long?)magnet.TotalSize);
        Assert.Equal("udp://127.0.0.1:6969/announce", (string)PowerShellResult.Items((object)magnet.Trackers).Single().Uri);
        Assert.Empty(Files((object)magnet));

        var hash = results[2];
        Assert.Equal(("InfoHash", UbuntuHash, false), ((string)hash.SourceKind.ToString(), (string)hash.InfoHash, (bool)hash.HasMetadata));
        Assert.Equal($"magnet:?xt=urn:btih:{UbuntuHash}", hash.MagnetUri);
    }

    [Fact]
    public void Explicit_InfoHash_and_Uri_parameters()
    {
        const string v2 = "1220caf1e1c30e81cb361b9ee167c4aa64228a7fa4fa9f6105232b28ad099f3a302e";
        var results = shell.Invoke($"Get-TorrentInfo -InfoHash {UbuntuHash}; Get-TorrentInfo -Uri 'magnet:?xt=urn:btmh:{v2}&dn=v2'")
            .ThrowOnError().OutputOf("TorrentInfo");
        Assert.Equal(UbuntuHash, results[0].InfoHash);
        Assert.Equal(v2[4..], results[1].InfoHashV2);
        Assert.Equal("V2", results[1].Version.ToString());
        Assert.Null(results[1].InfoHash);
    }

    [Fact]
    public void Bad_inputs_are_non_terminating_errors_and_the_pipeline_goes_on()
    {
        var good = MultiFile();
        File.WriteAllText(InFolder("truncated.torrent"), "d4:infod4:name5:ab");
        var script = """
            'truncated.torrent', 'multi.torrent', 'missing.torrent', 'magnet:?xt=urn:btih:nothex', 'magnet:?dn=x', $args[0] | Get-TorrentInfo
            """;
        var result = shell.Invoke(script, UbuntuHash[..39] + "z");

        Assert.Equal(good.InfoHash, result.OutputOf("TorrentInfo").Single().InfoHash);
        Assert.Equal(5, result.Errors.Count);
        var bad = result.Errors[0];
        Assert.Equal("InvalidTorrentFile,Rustorrent.PowerShell.Commands.GetTorrentInfoCommand", bad.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, bad.CategoryInfo.Category);
        Assert.Equal(InFolder("truncated.torrent"), bad.TargetObject);
        Assert.Contains("truncated.torrent", bad.ToString(), StringComparison.Ordinal);
        Assert.Contains("at byte", bad.ToString(), StringComparison.Ordinal);

        Assert.Equal("TorrentFileNotFound,Rustorrent.PowerShell.Commands.GetTorrentInfoCommand", result.Errors[1].FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, result.Errors[1].CategoryInfo.Category);
        Assert.Equal("InvalidMagnetLink,Rustorrent.PowerShell.Commands.GetTorrentInfoCommand", result.Errors[2].FullyQualifiedErrorId);
        Assert.Equal("magnet:?xt=urn:btih:nothex", result.Errors[2].TargetObject);
        Assert.Equal("InvalidMagnetLink,Rustorrent.PowerShell.Commands.GetTorrentInfoCommand", result.Errors[3].FullyQualifiedErrorId);
        // 40 characters with a non-hex one is not a hash: it is read as a path that does not exist.
        Assert.Equal(ErrorCategory.ObjectNotFound, result.Errors[4].CategoryInfo.Category);
    }

    [Theory]
    [InlineData("deep", "InvalidTorrentFile")]
    [InlineData("huge-string", "InvalidTorrentFile")]
    [InlineData("overflow", "InvalidTorrentFile")]
    [InlineData("traversal", null)]
    public void Hostile_files_answer_quickly_with_an_error_or_safe_names(string kind, string? errorId)
    {
        var path = InFolder(kind + ".torrent");
        switch (kind)
        {
            case "deep":
                File.WriteAllText(path, "d4:info" + new string('l', 1_000_000) + new string('e', 1_000_000) + "e");
                break;
            case "huge-string":
                File.WriteAllText(path, "d4:infod4:name99999999999999:x");
                break;
            case "overflow":
                File.WriteAllText(path, "d4:infod6:lengthi99999999999999999999999e4:name1:ae");
                break;
            case "traversal":
                TestTorrent.Write(path, "../../escape", [(["..", "..", "etc", "passwd"], 10), (["/abs", "x"], 10)]);
                break;
        }

        var result = shell.Invoke("Get-TorrentInfo -LiteralPath $args[0]", path);

        if (errorId is not null)
        {
            var error = Assert.Single(result.Errors);
            Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
            Assert.Contains("at byte", error.ToString(), StringComparison.Ordinal);
            return;
        }
        var info = result.ThrowOnError().OutputOf("TorrentInfo").Single();
        var destination = Path.GetFullPath(InFolder("downloads"));
        foreach (var file in Files((object)info))
        {
            string full = Path.GetFullPath(Path.Combine(destination, (string)info.Name, (string)file.Path));
            Assert.StartsWith(destination + Path.DirectorySeparatorChar, full, StringComparison.Ordinal);
            Assert.NotNull((string?)file.OriginalPath);
        }
        string name = info.Name;
        Assert.True(name.IndexOfAny(['/', '\\']) < 0 && name is not ("." or ".."), name);
        Assert.Equal("../../escape", (string)info.OriginalName);
    }

    [Fact]
    public void Downloads_a_torrent_from_an_http_url_with_a_size_cap()
    {
        var written = MultiFile();
        var torrentBytes = File.ReadAllBytes(written.Path);
        using var server = new LoopbackHttpServer(request => request.Url!.AbsolutePath switch
        {
            "/x.torrent" => (200, torrentBytes),
            "/huge.torrent" => (200, new byte[65 * 1024 * 1024]),
            _ => (404, Encoding.UTF8.GetBytes("not here")),
        });

        var result = shell.Invoke("$args | Get-TorrentInfo", server.Url("x.torrent"), server.Url("missing.torrent"), server.Url("huge.torrent"));

        var info = result.OutputOf("TorrentInfo").Single();
        Assert.Equal((written.InfoHash, "Url"), ((string)info.InfoHash, (string)info.SourceKind.ToString()));
        Assert.Equal(2, result.Errors.Count);
        Assert.StartsWith("TorrentDownloadFailed,", result.Errors[0].FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("404", result.Errors[0].ToString(), StringComparison.Ordinal);
        Assert.StartsWith("InvalidTorrentFile,", result.Errors[1].FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("bytes a .torrent may have", result.Errors[1].ToString(), StringComparison.Ordinal);
    }

    /// <summary>A minimal HTTP server on 127.0.0.1 for URL inputs.</summary>
    private sealed class LoopbackHttpServer : IDisposable
    {
        private readonly HttpListener listener = new();
        private readonly int port;

        public LoopbackHttpServer(Func<HttpListenerRequest, (int Status, byte[] Body)> handler)
        {
            var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener.Start();
            _ = Task.Run(async () =>
            {
                while (listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await listener.GetContextAsync();
                    }
                    catch (Exception) when (!listener.IsListening)
                    {
                        return;
                    }
                    try
                    {
                        var (status, body) = handler(context.Request);
                        context.Response.StatusCode = status;
                        context.Response.ContentLength64 = body.Length;
                        await context.Response.OutputStream.WriteAsync(body);
                        context.Response.Close();
                    }
                    catch (Exception)
                    {
                        context.Response.Abort(); // the client gave up (a capped download): fine
                    }
                }
            });
        }

        public string Url(string path) => $"http://127.0.0.1:{port}/{path}";

        public void Dispose() => listener.Close();
    }
}
