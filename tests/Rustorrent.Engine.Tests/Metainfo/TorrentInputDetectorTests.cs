using Rustorrent.Metainfo;

namespace Rustorrent.Engine.Tests.Metainfo;

public class TorrentInputDetectorTests
{
    [Theory]
    [InlineData("magnet:?xt=urn:btih:dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c")]
    [InlineData("MAGNET:?xt=urn:btih:dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c")]
    [InlineData("Magnet:")]
    [InlineData("  magnet:?xt=broken")] // Detect only classifies; MagnetLink.Parse reports what is wrong
    public void Magnet_links(string input) => Assert.Equal(TorrentInputKind.Magnet, TorrentInputDetector.Detect(input));

    [Theory]
    [InlineData("http://example.com/a.torrent")]
    [InlineData("https://example.com/a.torrent?x=1")]
    [InlineData("HTTPS://EXAMPLE.COM/A.TORRENT")]
    [InlineData(" http://x/")]
    public void Urls(string input) => Assert.Equal(TorrentInputKind.Url, TorrentInputDetector.Detect(input));

    [Theory]
    [InlineData("dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c")]
    [InlineData("DD8255ECDC7CA55FB0BBF81323D87062DB1F6D1C")]
    [InlineData("3WBFL3G4PSSV7MF37AJSHWDQMLNR63I4")]
    [InlineData("eed0e98d16bc4f8c553705c16a6b50d77ea3c82009dd5ed4d5a0f849b27e512c")]
    [InlineData(" dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c ")]
    public void Info_hashes(string input) => Assert.Equal(TorrentInputKind.InfoHash, TorrentInputDetector.Detect(input));

    [Theory]
    [InlineData("ubuntu.torrent")]
    [InlineData("/home/me/Downloads/ubuntu.torrent")]
    [InlineData(@"C:\Users\me\a.torrent")]
    [InlineData("./dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c")] // how a user names a file that looks like a hash
    [InlineData("dd8255ecdc7ca55fb0bbf81323d87062db1f6d1")] // 39 hex digits
    [InlineData("dd8255ecdc7ca55fb0bbf81323d87062db1f6d1z")] // 40 characters, not all hex
    [InlineData("ftp://example.com/a.torrent")]
    [InlineData("httpfile.torrent")]
    [InlineData("http:/one-slash")]
    [InlineData("magnet")]
    [InlineData("")]
    public void Everything_else_is_a_path(string input) => Assert.Equal(TorrentInputKind.Path, TorrentInputDetector.Detect(input));

    [Fact]
    public void Null_is_an_argument_error() =>
        Assert.Throws<ArgumentNullException>(() => TorrentInputDetector.Detect(null!));

    [Fact]
    public void Huge_path_is_a_path() =>
        Assert.Equal(TorrentInputKind.Path, TorrentInputDetector.Detect(new string('a', 1_000_000)));
}
