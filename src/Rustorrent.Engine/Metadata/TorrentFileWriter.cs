using System.Buffers;
using Rustorrent.Bencode;
using Rustorrent.Metainfo;

namespace Rustorrent.Metadata;

/// <summary>
/// Writes a .torrent file around an info dictionary's exact bytes (so the info hash is unchanged), e.g. one
/// fetched with ut_metadata: "announce" (the first tracker), "announce-list" (BEP 12 tiers), "comment",
/// "created by", "creation date", "info" and "url-list" (BEP 19), keys in canonical order. v2 piece layers
/// are not written: a torrent from ut_metadata has none (peers give them with BEP 52 hash requests).
/// </summary>
internal static class TorrentFileWriter
{
    /// <exception cref="ArgumentException"><paramref name="infoDictionary"/> is not one bencoded dictionary.</exception>
    public static byte[] Write(
        ReadOnlyMemory<byte> infoDictionary,
        IReadOnlyList<IReadOnlyList<string>>? trackers = null,
        IReadOnlyList<string>? webSeeds = null,
        DateTimeOffset? creationDate = null,
        string? createdBy = null,
        string? comment = null)
    {
        try
        {
            if (!BencodeDocument.Parse(infoDictionary).Root.IsDictionary)
                throw new ArgumentException("The info dictionary is not a bencoded dictionary.", nameof(infoDictionary));
        }
        catch (BencodeException e)
        {
            throw new ArgumentException("The info dictionary is not bencode: " + e.Message, nameof(infoDictionary), e);
        }
        var tiers = (trackers ?? []).Select(t => (t ?? []).Where(u => !string.IsNullOrWhiteSpace(u)).ToArray()).Where(t => t.Length > 0).ToArray();
        var seeds = (webSeeds ?? []).Where(u => !string.IsNullOrWhiteSpace(u)).ToArray();

        var output = new ArrayBufferWriter<byte>(infoDictionary.Length + 512);
        output.Write("d"u8);
        if (tiers.Length > 0)
        {
            Key("announce", output);
            BencodeWriter.WriteString(System.Text.Encoding.UTF8.GetBytes(tiers[0][0]), output);
            Key("announce-list", output);
            var list = new BencodeList();
            foreach (var tier in tiers)
            {
                var urls = new BencodeList();
                foreach (var url in tier)
                    urls.Add(url);
                list.Add(urls);
            }
            BencodeWriter.Write(list, output);
        }
        if (comment is not null)
        {
            Key("comment", output);
            BencodeWriter.Write(comment, output);
        }
        if (createdBy is not null)
        {
            Key("created by", output);
            BencodeWriter.Write(createdBy, output);
        }
        if (creationDate is { } date)
        {
            Key("creation date", output);
            BencodeWriter.WriteInteger(date.ToUnixTimeSeconds(), output);
        }
        Key("info", output);
        output.Write(infoDictionary.Span);
        if (seeds.Length > 0)
        {
            Key("url-list", output);
            var list = new BencodeList();
            foreach (var url in seeds)
                list.Add(url);
            BencodeWriter.Write(list, output);
        }
        output.Write("e"u8);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A .torrent for <paramref name="torrent"/>: its info dictionary, trackers, web seeds, comment,
    /// creator and creation date (what <see cref="TorrentMetainfo.Parse"/> reads back).</summary>
    public static byte[] Write(TorrentMetainfo torrent)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        return Write(torrent.InfoDictionary, torrent.Trackers, torrent.WebSeeds, torrent.CreationDate, torrent.CreatedBy, torrent.Comment);
    }

    public static async Task WriteAsync(string path, TorrentMetainfo torrent, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        await File.WriteAllBytesAsync(path, Write(torrent), cancellationToken).ConfigureAwait(false);
    }

    private static void Key(string key, IBufferWriter<byte> output) => BencodeWriter.WriteString(System.Text.Encoding.ASCII.GetBytes(key), output);
}
