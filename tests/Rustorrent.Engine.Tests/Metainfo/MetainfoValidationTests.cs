using System.Text;
using Rustorrent.Bencode;
using Rustorrent.Engine.Tests.Bencode;
using Rustorrent.Metainfo;
using static Rustorrent.Engine.Tests.Metainfo.MetainfoTestData;

namespace Rustorrent.Engine.Tests.Metainfo;

/// <summary>Every way a .torrent can be wrong gets its own reason and, where one value is to blame, its offset.</summary>
public class MetainfoValidationTests
{
    private static MetainfoException Reject(byte[] torrent, string reason)
    {
        var e = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(torrent));
        Assert.Contains(reason, e.Reason);
        return e;
    }

    private static BencodeDictionary ValidSingle() => SingleFileInfo("x.bin", Content(100, 1), 16384);

    private static BencodeDictionary ValidMulti() =>
        MultiFileInfo("dir", 16384, new TestFile("a", 100, 1), new TestFile("b", 200, 2));

    private static BencodeDictionary FirstFile(BencodeDictionary info) => (BencodeDictionary)((BencodeList)info["files"])[0];

    [Fact]
    public void Message_names_the_problem_and_the_offset()
    {
        var e = new MetainfoException("something is off", 42);
        Assert.Equal("Invalid torrent: something is off (at byte 42)", e.Message);
        Assert.Equal("something is off", e.Reason);
        Assert.Equal(42, e.Offset);
        Assert.IsAssignableFrom<FormatException>(e);

        var noOffset = new MetainfoException("no info", inner: new InvalidOperationException("x"));
        Assert.Equal("Invalid torrent: no info", noOffset.Message);
        Assert.Null(noOffset.Offset);
        Assert.IsType<InvalidOperationException>(noOffset.InnerException);
    }

    [Fact]
    public void Input_that_is_not_bencode_is_a_bencode_error()
    {
        Assert.Throws<BencodeException>(() => TorrentMetainfo.Parse("<html>"u8.ToArray()));
        Assert.Throws<BencodeException>(() => TorrentMetainfo.Parse(ReadOnlyMemory<byte>.Empty));
        Assert.Throws<BencodeException>(() => TorrentMetainfo.Parse("d4:infod"u8.ToArray()));
    }

    [Fact]
    public void The_top_level_must_be_a_dictionary()
    {
        var e = Reject("l4:infoe"u8.ToArray(), "the file is a bencoded list, not a dictionary");
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void Info_must_be_present_and_a_dictionary()
    {
        var missing = Reject("d8:announce3:urle"u8.ToArray(), "there is no 'info' dictionary");
        Assert.Null(missing.Offset);
        Assert.Equal("Invalid torrent: there is no 'info' dictionary", missing.Message);

        var wrongKind = Reject("d4:infoli1ee4:name1:xe"u8.ToArray(), "'info' is a list, not a dictionary");
        Assert.Equal(7, wrongKind.Offset);
    }

    [Fact]
    public void Name_must_be_present_and_a_string()
    {
        var info = ValidSingle();
        var torrent = Torrent(Without(info, "name"));
        var e = Reject(torrent, "the info dictionary has no 'name'");
        Assert.Equal(InfoStart(torrent), e.Offset);

        info["name"] = 12;
        torrent = Torrent(info);
        e = Reject(torrent, "'name' is an integer, not a byte string");
        Assert.Equal(OffsetOf(torrent, "4:namei12e") + 6, e.Offset);
    }

    [Fact]
    public void Numbers_in_reasons_read_the_same_in_every_culture()
    {
        var tooLong = ValidSingle();
        tooLong["piece length"] = 1L << 31;
        var extraHash = ValidSingle();
        extraHash["pieces"] = new byte[40];

        using var german = GroupingCulture.Enter();
        Reject(Torrent(tooLong), "'piece length' is 2,147,483,648 bytes, more than the 1,073,741,824 this client accepts");
        Reject(Torrent(extraHash), "(100 bytes in pieces of 16,384 bytes)");
    }

    [Fact]
    public void Piece_length_must_be_a_positive_integer_of_sane_size()
    {
        var info = ValidSingle();
        Reject(Torrent(Without(info, "piece length")), "the info dictionary has no 'piece length'");

        foreach (var (value, reason) in new (BencodeValue, string)[]
        {
            (0, "'piece length' is 0; it must be positive"),
            (-16384, "'piece length' is -16384; it must be positive"),
            ("16384", "'piece length' is a byte string, not an integer"),
            (1L << 31, "'piece length' is 2,147,483,648 bytes, more than the 1,073,741,824 this client accepts"),
        })
        {
            info["piece length"] = value;
            var torrent = Torrent(info);
            var e = Reject(torrent, reason);
            Assert.Equal(OffsetOf(torrent, "12:piece length") + 15, e.Offset);
        }
    }

    [Fact]
    public void Pieces_must_be_whole_hashes_matching_the_size()
    {
        var info = ValidSingle();
        Reject(Torrent(Without(info, "pieces")), "the info dictionary has no 'pieces'");

        info["pieces"] = 5;
        var torrent = Torrent(info);
        Assert.Equal(OffsetOf(torrent, "6:piecesi5e") + 8, Reject(torrent, "'pieces' is an integer, not a byte string").Offset);

        info["pieces"] = new byte[30];
        torrent = Torrent(info);
        Assert.Equal(OffsetOf(torrent, "6:pieces30:") + 8, Reject(torrent, "'pieces' is 30 bytes, not a whole number of 20-byte SHA-1 hashes").Offset);

        info["pieces"] = new byte[40];
        torrent = Torrent(info);
        Assert.Equal(OffsetOf(torrent, "6:pieces40:") + 8, Reject(torrent, "'pieces' holds 2 piece hashes but the files (100 bytes in pieces of 16,384 bytes) need 1").Offset);

        info["pieces"] = Array.Empty<byte>();
        Reject(Torrent(info), "'pieces' holds 0 piece hashes");
    }

    [Fact]
    public void Single_file_length_must_be_a_non_negative_integer()
    {
        var info = ValidSingle();
        info["length"] = -1;
        var torrent = Torrent(info);
        Assert.Equal(OffsetOf(torrent, "i-1e"), Reject(torrent, "'length' is -1; a length cannot be negative").Offset);

        info["length"] = "100";
        torrent = Torrent(info);
        Assert.Equal(OffsetOf(torrent, "6:length3:100") + 8, Reject(torrent, "'length' is a byte string, not an integer").Offset);
    }

    [Fact]
    public void A_torrent_needs_length_or_files()
    {
        var torrent = Torrent(Without(ValidSingle(), "length"));
        var e = Reject(torrent, "neither 'length' (a single file) nor 'files' (a list of files)");
        Assert.Equal(InfoStart(torrent), e.Offset);
    }

    [Fact]
    public void Files_must_be_a_non_empty_list_of_dictionaries()
    {
        var info = ValidMulti();
        info["files"] = "abc";
        var torrent = Torrent(info);
        Assert.Equal(OffsetOf(torrent, "5:files3:abc") + 7, Reject(torrent, "'files' is a byte string, not a list").Offset);

        info["files"] = List();
        torrent = Torrent(info);
        Assert.Equal(OffsetOf(torrent, "5:filesle") + 7, Reject(torrent, "'files' is an empty list").Offset);

        info["files"] = List(new BencodeDictionary { ["length"] = 1, ["path"] = Path("a") }, List());
        torrent = Torrent(info);
        Assert.Equal(OffsetOf(torrent, "ee") + 2, Reject(torrent, "an entry of 'files' is a list, not a dictionary").Offset);
    }

    [Fact]
    public void Each_file_needs_a_non_negative_length()
    {
        var info = ValidMulti();
        FirstFile(info)["length"] = -5;
        var torrent = Torrent(info);
        Assert.Equal(OffsetOf(torrent, "i-5e"), Reject(torrent, "a file's 'length' is -5; a length cannot be negative").Offset);

        info = ValidMulti();
        info["files"] = List(new BencodeDictionary { ["path"] = Path("a") });
        torrent = Torrent(info);
        Assert.Equal(OffsetOf(torrent, "5:filesld") + 8, Reject(torrent, "a file in 'files' has no 'length'").Offset);
    }

    [Fact]
    public void Each_file_needs_a_non_empty_list_of_strings_as_path()
    {
        var info = ValidMulti();
        info["files"] = List(new BencodeDictionary { ["length"] = 100 });
        var torrent = Torrent(info);
        Assert.Equal(OffsetOf(torrent, "5:filesld") + 8, Reject(torrent, "a file in 'files' has no 'path'").Offset);

        info["files"] = List(new BencodeDictionary { ["length"] = 100, ["path"] = "a/b" });
        torrent = Torrent(info);
        Assert.Equal(OffsetOf(torrent, "4:path3:a/b") + 6, Reject(torrent, "a file's 'path' is a byte string, not a list").Offset);

        info["files"] = List(new BencodeDictionary { ["length"] = 100, ["path"] = List() });
        torrent = Torrent(info);
        Assert.Equal(OffsetOf(torrent, "4:pathle") + 6, Reject(torrent, "a file's 'path' is an empty list").Offset);

        info["files"] = List(new BencodeDictionary { ["length"] = 100, ["path"] = List("a", 7) });
        torrent = Torrent(info);
        Assert.Equal(OffsetOf(torrent, "1:ai7e") + 3, Reject(torrent, "a file's 'path' holds an integer, not only byte strings").Offset);
    }

    [Fact]
    public void Sizes_that_overflow_are_rejected()
    {
        var info = ValidMulti();
        info["files"] = List(
            new BencodeDictionary { ["length"] = long.MaxValue / 2 + 1, ["path"] = Path("a") },
            new BencodeDictionary { ["length"] = long.MaxValue / 2 + 1, ["path"] = Path("b") });
        var e = Reject(Torrent(info), "the files add up to more than");

        info["files"] = List(new BencodeDictionary { ["length"] = long.MaxValue, ["path"] = Path("a") });
        Reject(Torrent(info), "the files add up to more than");

        // Within 64 bits but more pieces than any torrent may have.
        info["files"] = List(new BencodeDictionary { ["length"] = (long)MetainfoParser.MaxPieces * 16384 + 1, ["path"] = Path("a") });
        Reject(Torrent(info), $"the most {MetainfoParser.MaxPieces:N0} pieces of 16,384 bytes can hold");
        Assert.NotNull(e.Offset);
    }

    [Fact]
    public void A_torrent_of_only_empty_files_or_only_padding_is_rejected()
    {
        var info = ValidMulti();
        info["files"] = List(new BencodeDictionary { ["length"] = 0, ["path"] = Path("a") });
        info["pieces"] = Array.Empty<byte>();
        Reject(Torrent(info), "the torrent has no data: every file is empty");

        info["files"] = List(new BencodeDictionary { ["length"] = 10, ["path"] = Path("a"), ["attr"] = "p" });
        info["pieces"] = new byte[20];
        Reject(Torrent(info), "the torrent lists no files, only padding");
    }

    [Fact]
    public void Reasons_carry_no_offset_prefix_and_messages_do()
    {
        var info = ValidSingle();
        info["length"] = -1;
        var torrent = Torrent(info);

        var e = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(torrent));

        Assert.Equal($"Invalid torrent: {e.Reason} (at byte {OffsetOf(torrent, "i-1e")})", e.Message);
    }

    private static BencodeDictionary Without(BencodeDictionary source, string key)
    {
        var copy = new BencodeDictionary();
        foreach (var (k, v) in source)
        {
            if (Encoding.UTF8.GetString(k) != key)
                copy[k] = v;
        }
        return copy;
    }
}
