using Rustorrent.Bencode;
using Rustorrent.Metainfo;
using Rustorrent.Storage;
using static Rustorrent.Engine.Tests.Metainfo.MetainfoTestData;

namespace Rustorrent.Engine.Tests.Storage;

/// <summary>Choosing files by name with wildcards.</summary>
public class FileSelectionTests
{
    private static TorrentMetainfo Torrent3()
    {
        var files = new BencodeList
        {
            new BencodeDictionary { ["length"] = 10, ["path"] = Path("video", "Movie.MKV") },
            new BencodeDictionary { ["length"] = 6, ["attr"] = "p", ["path"] = Path(".pad", "6") },
            new BencodeDictionary { ["length"] = 3, ["path"] = Path("video", "extra", "clip.mkv") },
            new BencodeDictionary { ["length"] = 0, ["path"] = Path("readme.txt") },
        };
        var info = new BencodeDictionary { ["name"] = "Show", ["files"] = files, ["piece length"] = 16, ["pieces"] = new byte[40] };
        return TorrentMetainfo.Parse(Torrent(info));
    }

    private static string[] Chosen(FileSelection selection) => [.. selection.SelectedFiles.Select(f => string.Join('/', f.PathComponents))];

    [Fact]
    public void Patterns_match_paths_names_and_the_torrent_folder_without_regard_to_case()
    {
        var meta = Torrent3();

        Assert.Equal(["video/Movie.MKV", "video/extra/clip.mkv"], Chosen(FileSelection.FromPatterns(meta, ["*.mkv"])));
        Assert.Equal(["video/extra/clip.mkv"], Chosen(FileSelection.FromPatterns(meta, ["video/extra/*"])));
        Assert.Equal(["video/Movie.MKV"], Chosen(FileSelection.FromPatterns(meta, ["show/video/movie.???"])));
        Assert.Equal(["video/extra/clip.mkv", "readme.txt"], Chosen(FileSelection.FromPatterns(meta, ["README.txt", @"video\extra\clip.mkv"])));
        Assert.False(FileSelection.FromPatterns(meta, ["*.txt"]).IsEverything);
    }

    [Fact]
    public void Padding_is_never_chosen_even_by_a_star()
    {
        var meta = Torrent3();
        var all = FileSelection.FromPatterns(meta, ["*"]);

        Assert.Equal(["video/Movie.MKV", "video/extra/clip.mkv", "readme.txt"], Chosen(all));
        Assert.True(all.IsEverything);
        Assert.False(all.IsSelected(1));
        Assert.Equal(Chosen(all), Chosen(FileSelection.All(meta)));
        Assert.Throws<ArgumentException>(() => FileSelection.FromFiles(meta, [meta.AllFiles[1]]));
    }

    [Fact]
    public void A_pattern_matching_nothing_is_an_error_naming_it_and_the_files()
    {
        var e = Assert.Throws<ArgumentException>(() => FileSelection.FromPatterns(Torrent3(), ["*.mkv", "*.avi"]));

        Assert.Contains("No file of torrent 'Show' matches '*.avi'", e.Message);
        Assert.Contains("'video/Movie.MKV'", e.Message);
        Assert.Throws<ArgumentException>(() => FileSelection.FromPatterns(Torrent3(), []));
        Assert.Throws<ArgumentException>(() => FileSelection.FromPatterns(Torrent3(), [" "]));
    }

    [Fact]
    public void Files_of_another_torrent_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => FileSelection.FromFiles(Torrent3(), [Torrent3().Files[0]]));
        Assert.Contains("is not a file of torrent 'Show'", e.Message);
    }
}
