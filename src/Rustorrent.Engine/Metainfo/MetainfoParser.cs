using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Rustorrent.Bencode;

namespace Rustorrent.Metainfo;

/// <summary>
/// Reads .torrent files and info dictionaries into <see cref="TorrentMetainfo"/>: BEP 3 (v1), BEP 52 (v2 and
/// hybrid), BEP 12 tiers, BEP 17/19 web seeds, BEP 27 private flag, BEP 47 padding files. Every check names
/// what is wrong and, where one value is to blame, its byte offset. Walking the input never recurses and
/// costs time and memory linear in its size.
/// </summary>
internal static class MetainfoParser
{
    /// <summary>Largest piece length accepted: a piece is buffered whole when it is checked, so this bounds
    /// that buffer (libtorrent's limit is of the same order).</summary>
    public const int MaxPieceLength = 1 << 30;

    /// <summary>Fewest bytes in a v2 piece: one merkle leaf (BEP 52).</summary>
    public const int MinV2PieceLength = PieceLayers.BlockSize;

    /// <summary>Most pieces a torrent may have, so that bitfields and piece tables stay bounded even for a v2
    /// info dictionary, which carries no per-piece data (libtorrent's default limit is 2^21).</summary>
    public const int MaxPieces = 1 << 22;

    private const int Sha1Length = 20;

    /// <summary>Latest creation date a torrent may claim: the end of year 9999, what <see cref="DateTimeOffset"/> holds.</summary>
    private const long MaxUnixSeconds = 253_402_300_799;

    public static TorrentMetainfo Parse(ReadOnlyMemory<byte> torrentFile)
    {
        var document = BencodeDocument.Parse(torrentFile);
        var root = document.Root;
        if (!root.IsDictionary)
            throw Error($"the file is a bencoded {BencodeDocument.Describe(root.Kind)}, not a dictionary", root.Offset);

        BencodeNode? infoEntry = null, announce = null, announceList = null, urlList = null, httpSeeds = null,
            pieceLayers = null, creationDate = null, comment = null, commentUtf8 = null, createdBy = null, createdByUtf8 = null;
        // One pass over the keys; the first of duplicate keys wins (as a lookup would find it).
        foreach (var (key, value) in root.Entries)
        {
            var k = key.StringSpan;
            if (k.SequenceEqual("info"u8)) infoEntry ??= value;
            else if (k.SequenceEqual("announce"u8)) announce ??= value;
            else if (k.SequenceEqual("announce-list"u8)) announceList ??= value;
            else if (k.SequenceEqual("url-list"u8)) urlList ??= value;
            else if (k.SequenceEqual("httpseeds"u8)) httpSeeds ??= value;
            else if (k.SequenceEqual("piece layers"u8)) pieceLayers ??= value;
            else if (k.SequenceEqual("creation date"u8)) creationDate ??= value;
            else if (k.SequenceEqual("comment"u8)) comment ??= value;
            else if (k.SequenceEqual("comment.utf-8"u8)) commentUtf8 ??= value;
            else if (k.SequenceEqual("created by"u8)) createdBy ??= value;
            else if (k.SequenceEqual("created by.utf-8"u8)) createdByUtf8 ??= value;
        }

        if (infoEntry is not { } info)
            throw new MetainfoException("there is no 'info' dictionary");
        if (!info.IsDictionary)
            throw Error($"'info' is {Article(info.Kind)}, not a dictionary", info.Offset);

        // A private copy: the hashes, piece hashes and pieces roots must not change if the caller reuses its buffer.
        var infoBytes = info.RawSpan.ToArray();
        var parsed = ParseInfo(info, infoBytes);

        var layers = PieceLayers.None;
        var layersComplete = parsed.Version != TorrentVersion.V1 && !parsed.NeedsPieceLayers;
        if (parsed.Version != TorrentVersion.V1 && pieceLayers is { } layersNode)
        {
            layers = PieceLayers.Read(layersNode, parsed.Files, parsed.PieceLength);
            layersComplete = true;
        }
        else if (parsed.Version == TorrentVersion.V2 && parsed.NeedsPieceLayers)
        {
            // A hybrid torrent can still be checked with its SHA-1 piece hashes; a v2-only one could not be checked at all.
            throw new MetainfoException("the torrent has no 'piece layers', which BEP 52 requires for files larger than one piece");
        }

        return Build(
            parsed,
            infoBytes,
            ReadTrackers(announce, announceList),
            ReadWebSeeds(urlList, httpSeeds),
            layers,
            layersComplete,
            ReadText(createdByUtf8, createdBy),
            ReadText(commentUtf8, comment),
            ReadCreationDate(creationDate));
    }

    public static TorrentMetainfo ParseInfoDictionary(
        ReadOnlyMemory<byte> infoDictionary,
        IReadOnlyList<IReadOnlyList<string>>? trackers,
        IReadOnlyList<string>? webSeeds)
    {
        var infoBytes = infoDictionary.ToArray();
        var document = BencodeDocument.Parse(infoBytes);
        var info = document.Root;
        if (!info.IsDictionary)
            throw Error($"the info dictionary is a bencoded {BencodeDocument.Describe(info.Kind)}, not a dictionary", info.Offset);
        var parsed = ParseInfo(info, infoBytes);

        var tiers = new List<IReadOnlyList<string>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (trackers is not null)
        {
            foreach (var tier in trackers)
            {
                var urls = new List<string>();
                if (tier is not null)
                {
                    foreach (var url in tier)
                        AddUrl(urls, seen, url);
                }
                if (urls.Count > 0)
                    tiers.Add(urls.AsReadOnly());
            }
        }
        var seeds = new List<string>();
        seen.Clear();
        if (webSeeds is not null)
        {
            foreach (var url in webSeeds)
                AddUrl(seeds, seen, url);
        }

        return Build(
            parsed, infoBytes, tiers.AsReadOnly(), seeds.AsReadOnly(), PieceLayers.None,
            parsed.Version != TorrentVersion.V1 && !parsed.NeedsPieceLayers, null, null, null);
    }

    private static TorrentMetainfo Build(
        ParsedInfo parsed,
        byte[] infoBytes,
        IReadOnlyList<IReadOnlyList<string>> trackers,
        IReadOnlyList<string> webSeeds,
        PieceLayers layers,
        bool layersComplete,
        string? createdBy,
        string? comment,
        DateTimeOffset? creationDate) => new()
    {
        Name = parsed.Name,
        OriginalName = parsed.OriginalName,
        InfoHashV1 = parsed.InfoHashV1,
        InfoHashV2 = parsed.InfoHashV2,
        Version = parsed.Version,
        TotalSize = parsed.TotalSize,
        PieceLength = parsed.PieceLength,
        PieceCount = parsed.PieceCount,
        IsMultiFile = parsed.IsMultiFile,
        Files = parsed.Files,
        AllFiles = parsed.AllFiles,
        PayloadSize = parsed.PayloadSize,
        Trackers = trackers,
        WebSeeds = webSeeds,
        IsPrivate = parsed.IsPrivate,
        CreatedBy = createdBy,
        Comment = comment,
        CreationDate = creationDate,
        SourceTag = parsed.SourceTag,
        InfoDictionary = infoBytes,
        PieceHashes = parsed.PieceHashes,
        HasPieceLayers = layersComplete,
        PieceLayers = layers,
    };

    // ---- the info dictionary ----

    /// <summary>
    /// Validates the info dictionary and lays out its files. <paramref name="infoBytes"/> is the private copy of
    /// <paramref name="info"/>'s bytes; slices handed out (piece hashes, pieces roots) point into it.
    /// </summary>
    private static ParsedInfo ParseInfo(BencodeNode info, byte[] infoBytes)
    {
        var infoStart = info.Offset;
        BencodeNode? name = null, nameUtf8 = null, pieceLengthNode = null, piecesNode = null, lengthNode = null,
            filesNode = null, fileTreeNode = null, metaVersion = null, privateNode = null, source = null, attr = null;
        foreach (var (key, value) in info.Entries)
        {
            var k = key.StringSpan;
            if (k.SequenceEqual("name"u8)) name ??= value;
            else if (k.SequenceEqual("name.utf-8"u8)) nameUtf8 ??= value;
            else if (k.SequenceEqual("piece length"u8)) pieceLengthNode ??= value;
            else if (k.SequenceEqual("pieces"u8)) piecesNode ??= value;
            else if (k.SequenceEqual("length"u8)) lengthNode ??= value;
            else if (k.SequenceEqual("files"u8)) filesNode ??= value;
            else if (k.SequenceEqual("file tree"u8)) fileTreeNode ??= value;
            else if (k.SequenceEqual("meta version"u8)) metaVersion ??= value;
            else if (k.SequenceEqual("private"u8)) privateNode ??= value;
            else if (k.SequenceEqual("source"u8)) source ??= value;
            else if (k.SequenceEqual("attr"u8)) attr ??= value;
        }

        // BEP 52: "meta version" 2 means a v2 (or hybrid) torrent with a "file tree".
        var version = 1L;
        if (metaVersion is { } versionNode)
        {
            if (!versionNode.IsInteger)
                throw Error($"'meta version' is {Article(versionNode.Kind)}, not an integer", versionNode.Offset);
            version = versionNode.IntegerValue;
            if (version > 2)
                throw Error($"'meta version' is {version}; only versions 1 and 2 are known", versionNode.Offset);
            if (version < 1)
                throw Error($"'meta version' is {version}; it must be 1 or 2", versionNode.Offset);
        }
        var hasV2 = version == 2;
        if (hasV2 && fileTreeNode is null)
            throw new MetainfoException("'meta version' is 2 but there is no 'file tree'", metaVersion!.Value.Offset);
        if (!hasV2 && fileTreeNode is { } strayTree)
            throw new MetainfoException("there is a 'file tree' but 'meta version' is not 2", strayTree.Offset);
        // A v2 torrent is also v1 (hybrid) when it has a v1 file list too (libtorrent decides the same way).
        var hasV1 = !hasV2 || filesNode is not null || lengthNode is not null;

        // Name: BEP 3 says it is advisory; "name.utf-8" is preferred when present, as libtorrent does.
        var nameNode = nameUtf8 is { IsString: true } utf8Name ? utf8Name
            : name ?? throw new MetainfoException("the info dictionary has no 'name'", infoStart);
        if (!nameNode.IsString)
            throw Error($"'name' is {Article(nameNode.Kind)}, not a byte string", nameNode.Offset);

        var pieceLength = ReadPieceLength(pieceLengthNode, hasV2, infoStart);

        // Raw files as the torrent lists them; their path components are collected in one shared list.
        var components = new List<ReadOnlyMemory<byte>>();
        List<RawFile>? v1Files = null;
        var isMultiFile = false;
        if (hasV1)
        {
            if (filesNode is { } files)
            {
                // libtorrent also lets "files" win when "length" is there as well.
                v1Files = ReadV1Files(files, components);
                isMultiFile = true;
            }
            else if (lengthNode is { } length)
            {
                var fileLength = ReadLength(length, "'length'");
                components.Add(nameNode.StringMemory);
                v1Files = [new RawFile(0, 1, fileLength, ReadAttributes(attr), IsPadding: false, default, info.Offset)];
            }
            else
            {
                throw new MetainfoException("the info dictionary has neither 'length' (a single file) nor 'files' (a list of files)", infoStart);
            }
        }

        List<RawFile>? v2Files = null;
        if (hasV2)
        {
            v2Files = ReadFileTree(fileTreeNode!.Value, components, infoBytes, infoStart);
            // BEP 52 has no separate single-file form: a tree with one file at its top is one (libtorrent agrees),
            // unless a v1 "files" list says the torrent is a folder.
            isMultiFile = filesNode is not null || !(v2Files.Count == 1 && v2Files[0].ComponentCount == 1);
        }

        // Lay the files out in piece space.
        var maxPayload = (long)MaxPieces * pieceLength;
        List<RawFile> layout;
        long[] offsets;
        long payloadSize;
        if (v1Files is not null)
        {
            layout = v1Files;
            offsets = new long[layout.Count];
            payloadSize = 0;
            for (var i = 0; i < layout.Count; i++)
            {
                offsets[i] = payloadSize;
                payloadSize = Advance(payloadSize, layout[i].Length, maxPayload, pieceLength, layout[i].NodeOffset);
            }
            if (v2Files is not null)
                MatchHybrid(layout, offsets, v2Files, components, pieceLength, maxPayload);
        }
        else
        {
            // v2 only: every file starts on a piece boundary (BEP 52). The gaps are filled with padding entries so
            // that the file list tiles the piece space, as in v1 and hybrid torrents. They go straight after each
            // file that does not end on a boundary, the last file included, exactly where libtorrent puts them
            // (file_storage::add_file, following the BEP 52 reference implementation, which pads the end of files):
            // the indices count the padding, and BEP 53 "so=" selects files by those indices, so they must agree.
            // An empty file thus sits after the previous file's padding, and the piece space is whole pieces.
            layout = new List<RawFile>(2 * v2Files!.Count);
            var positions = new List<long>(2 * v2Files.Count);
            payloadSize = 0;
            foreach (var file in v2Files)
            {
                layout.Add(file);
                positions.Add(payloadSize);
                payloadSize = Advance(payloadSize, file.Length, maxPayload, pieceLength, file.NodeOffset);
                var misalignment = payloadSize % pieceLength;
                if (misalignment != 0)
                {
                    // Cannot pass the limit: it is a whole number of pieces.
                    var pad = pieceLength - misalignment;
                    layout.Add(new RawFile(-1, 0, pad, "p", IsPadding: true, default, file.NodeOffset));
                    positions.Add(payloadSize);
                    payloadSize += pad;
                }
            }
            offsets = [.. positions];
        }

        long totalSize = 0;
        var userFileCount = 0;
        foreach (var file in layout)
        {
            if (!file.IsPadding)
            {
                totalSize += file.Length;
                userFileCount++;
            }
        }
        if (userFileCount == 0)
            throw new MetainfoException("the torrent lists no files, only padding", filesNode?.Offset ?? infoStart);
        if (totalSize == 0)
            throw new MetainfoException("the torrent has no data: every file is empty", filesNode?.Offset ?? infoStart);

        var pieceCount = (int)((payloadSize + pieceLength - 1) / pieceLength);
        var pieceHashes = ReadOnlyMemory<byte>.Empty;
        if (hasV1)
        {
            if (piecesNode is not { } pieces)
                throw new MetainfoException("the info dictionary has no 'pieces'", infoStart);
            if (!pieces.IsString)
                throw Error($"'pieces' is {Article(pieces.Kind)}, not a byte string", pieces.Offset);
            if (pieces.Count % Sha1Length != 0)
                throw Error($"'pieces' is {pieces.Count:N0} bytes, not a whole number of 20-byte SHA-1 hashes", pieces.Offset);
            if (pieces.Count / Sha1Length != pieceCount)
                throw Error(
                    $"'pieces' holds {pieces.Count / Sha1Length:N0} piece hashes but the files ({payloadSize:N0} bytes in pieces of {pieceLength:N0} bytes) need {pieceCount:N0}",
                    pieces.Offset);
            pieceHashes = infoBytes.AsMemory(StringContentOffset(pieces) - infoStart, pieces.Count);
        }

        var infoHashV1 = hasV1 ? new InfoHash(SHA1.HashData(infoBytes)) : (InfoHash?)null;
        var infoHashV2 = hasV2 ? new InfoHash(SHA256.HashData(infoBytes)) : (InfoHash?)null;
        var primaryHash = infoHashV1 ?? infoHashV2!.Value;

        // The torrent's name; one that sanitises away entirely (".", "..", "") becomes the info hash, as in libtorrent.
        var safeName = TorrentPathSanitizer.SanitizeComponent(nameNode.StringSpan, out var nameChanged) ?? primaryHash.ToHex();
        var originalName = nameChanged ? nameNode.GetUtf8String() : null;

        // A v1 single-file torrent's file is its name, so both get the same safe form.
        var singleFileName = hasV1 && filesNode is null ? safeName : null;
        var (allFiles, userFiles) = BuildFiles(layout, offsets, components, pieceLength, isMultiFile, singleFileName);

        var needsPieceLayers = false;
        if (hasV2)
        {
            foreach (var file in userFiles)
                needsPieceLayers |= file.Length > pieceLength;
        }

        return new ParsedInfo
        {
            Name = safeName,
            OriginalName = originalName,
            InfoHashV1 = infoHashV1,
            InfoHashV2 = infoHashV2,
            Version = hasV1 ? hasV2 ? TorrentVersion.Hybrid : TorrentVersion.V1 : TorrentVersion.V2,
            PieceLength = pieceLength,
            PieceCount = pieceCount,
            PayloadSize = payloadSize,
            TotalSize = totalSize,
            IsMultiFile = isMultiFile,
            AllFiles = Array.AsReadOnly(allFiles),
            Files = Array.AsReadOnly(userFiles),
            PieceHashes = pieceHashes,
            NeedsPieceLayers = needsPieceLayers,
            // BEP 27: "private=1".
            IsPrivate = privateNode is { IsInteger: true } flag && flag.IntegerValue == 1,
            SourceTag = source is { IsString: true, Count: > 0 } sourceTag ? sourceTag.GetUtf8String() : null,
        };
    }

    private static int ReadPieceLength(BencodeNode? entry, bool v2, int infoStart)
    {
        if (entry is not { } node)
            throw new MetainfoException("the info dictionary has no 'piece length'", infoStart);
        if (!node.IsInteger)
            throw Error($"'piece length' is {Article(node.Kind)}, not an integer", node.Offset);
        var value = node.IntegerValue;
        if (value <= 0)
            throw Error($"'piece length' is {value}; it must be positive", node.Offset);
        if (value > MaxPieceLength)
            throw Error($"'piece length' is {value:N0} bytes, more than the {MaxPieceLength:N0} this client accepts", node.Offset);
        // BEP 52: "It must be a power of two and at least 16KiB."
        if (v2 && (value < MinV2PieceLength || (value & (value - 1)) != 0))
            throw Error($"'piece length' is {value:N0}; a v2 torrent needs a power of two of at least {MinV2PieceLength:N0} (BEP 52)", node.Offset);
        return (int)value;
    }

    /// <summary>Reads a v1 "files" list (BEP 3), with BEP 47 attributes and "path.utf-8" preferred as libtorrent does.</summary>
    private static List<RawFile> ReadV1Files(BencodeNode files, List<ReadOnlyMemory<byte>> components)
    {
        if (!files.IsList)
            throw Error($"'files' is {Article(files.Kind)}, not a list", files.Offset);
        if (files.Count == 0)
            throw new MetainfoException("'files' is an empty list", files.Offset);

        var result = new List<RawFile>(files.Count);
        foreach (var entry in files.Items)
        {
            if (!entry.IsDictionary)
                throw Error($"an entry of 'files' is {Article(entry.Kind)}, not a dictionary", entry.Offset);
            BencodeNode? lengthNode = null, pathNode = null, pathUtf8 = null, attr = null;
            foreach (var (key, value) in entry.Entries)
            {
                var k = key.StringSpan;
                if (k.SequenceEqual("length"u8)) lengthNode ??= value;
                else if (k.SequenceEqual("path"u8)) pathNode ??= value;
                else if (k.SequenceEqual("path.utf-8"u8)) pathUtf8 ??= value;
                else if (k.SequenceEqual("attr"u8)) attr ??= value;
            }

            if (lengthNode is not { } length)
                throw new MetainfoException("a file in 'files' has no 'length'", entry.Offset);
            var fileLength = ReadLength(length, "a file's 'length'");
            var attributes = ReadAttributes(attr);
            var isPadding = attributes.Contains('p', StringComparison.Ordinal);

            var start = components.Count;
            if (pathUtf8 is { } utf8Path && IsNonEmptyStringList(utf8Path))
            {
                foreach (var component in utf8Path.Items)
                    components.Add(component.StringMemory);
            }
            else if (pathNode is { } path)
            {
                if (!path.IsList)
                    throw Error($"a file's 'path' is {Article(path.Kind)}, not a list", path.Offset);
                if (path.Count == 0)
                    throw new MetainfoException("a file's 'path' is an empty list", path.Offset);
                foreach (var component in path.Items)
                {
                    if (!component.IsString)
                        throw Error($"a file's 'path' holds {Article(component.Kind)}, not only byte strings", component.Offset);
                    components.Add(component.StringMemory);
                }
            }
            else if (isPadding)
            {
                // BEP 47 padding files need no real name; libtorrent accepts them without one too.
                components.Add(".pad"u8.ToArray());
                components.Add(Encoding.ASCII.GetBytes(fileLength.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
            else
            {
                throw new MetainfoException("a file in 'files' has no 'path'", entry.Offset);
            }

            var count = components.Count - start;
            isPadding |= IsLegacyPadding(CollectionsMarshal.AsSpan(components).Slice(start, count));
            result.Add(new RawFile(start, count, fileLength, attributes, isPadding, default, entry.Offset));
        }
        return result;
    }

    /// <summary>
    /// Walks a BEP 52 "file tree" depth first, in the order its keys appear, without recursion: an explicit
    /// stack of dictionary cursors (the bencode reader already bounds the depth at 100).
    /// </summary>
    private static List<RawFile> ReadFileTree(BencodeNode tree, List<ReadOnlyMemory<byte>> components, byte[] infoBytes, int infoStart)
    {
        if (!tree.IsDictionary)
            throw Error($"'file tree' is {Article(tree.Kind)}, not a dictionary", tree.Offset);

        var result = new List<RawFile>();
        var directory = new List<ReadOnlyMemory<byte>>(); // names of the directories above the cursor
        var cursors = new Stack<BencodeNode.DictionaryEnumerator>();
        cursors.Push(tree.Entries);
        while (cursors.Count > 0)
        {
            var cursor = cursors.Pop();
            if (!cursor.MoveNext())
            {
                if (directory.Count > 0)
                    directory.RemoveAt(directory.Count - 1);
                continue;
            }
            var (key, value) = cursor.Current;
            cursors.Push(cursor); // come back to the rest of this directory after the entry

            if (key.Count == 0)
                throw new MetainfoException("a 'file tree' directory has an entry with an empty name", key.Offset);
            if (!value.IsDictionary)
                throw Error($"the 'file tree' entry '{Shorten(key.GetUtf8String())}' is {Article(value.Kind)}, not a dictionary", value.Offset);

            if (value.TryGetValue(""u8, out var leaf))
            {
                // A file: { "": { "length": n, "pieces root": h } } and nothing else in that dictionary.
                if (value.Count != 1)
                    throw Error($"the 'file tree' entry '{Shorten(key.GetUtf8String())}' is both a file and a directory", value.Offset);
                var start = components.Count;
                components.AddRange(directory);
                components.Add(key.StringMemory);
                result.Add(ReadV2File(leaf, key, start, components.Count - start, infoBytes, infoStart));
            }
            else if (value.Count > 0)
            {
                directory.Add(key.StringMemory);
                cursors.Push(value.Entries);
            }
            // An empty directory holds nothing to download.
        }

        if (result.Count == 0)
            throw new MetainfoException("the 'file tree' holds no files", tree.Offset);
        return result;
    }

    private static RawFile ReadV2File(BencodeNode leaf, BencodeNode key, int start, int count, byte[] infoBytes, int infoStart)
    {
        var name = Shorten(key.GetUtf8String());
        if (!leaf.IsDictionary)
            throw Error($"the file '{name}' in the 'file tree' is described by {Article(leaf.Kind)}, not a dictionary", leaf.Offset);
        BencodeNode? lengthNode = null, rootNode = null, attr = null;
        foreach (var (k, v) in leaf.Entries)
        {
            var s = k.StringSpan;
            if (s.SequenceEqual("length"u8)) lengthNode ??= v;
            else if (s.SequenceEqual("pieces root"u8)) rootNode ??= v;
            else if (s.SequenceEqual("attr"u8)) attr ??= v;
        }
        if (lengthNode is not { } length)
            throw Error($"the file '{name}' in the 'file tree' has no 'length'", leaf.Offset);
        var fileLength = ReadLength(length, $"the 'length' of '{name}'");
        var attributes = ReadAttributes(attr);
        if (attributes.Contains('p', StringComparison.Ordinal))
            throw Error($"the file '{name}' in the 'file tree' is marked as padding; padding files belong only in a v1 'files' list", attr!.Value.Offset);

        var piecesRoot = ReadOnlyMemory<byte>.Empty;
        if (fileLength > 0)
        {
            // BEP 52: every non-empty file has the 32-byte root of its merkle tree.
            if (rootNode is not { } root)
                throw Error($"the file '{name}' in the 'file tree' has no 'pieces root'", leaf.Offset);
            if (!root.IsString || root.Count != PieceLayers.HashSize)
                throw Error($"the 'pieces root' of '{name}' is not a 32-byte string", root.Offset);
            if (!root.StringSpan.ContainsAnyExcept((byte)0))
                throw Error($"the 'pieces root' of '{name}' is all zeros", root.Offset);
            piecesRoot = infoBytes.AsMemory(StringContentOffset(root) - infoStart, PieceLayers.HashSize);
        }
        return new RawFile(start, count, fileLength, attributes, IsPadding: false, piecesRoot, leaf.Offset);
    }

    /// <summary>
    /// BEP 52: a hybrid torrent's v1 file list must describe the same files as its file tree, in the same
    /// order, with padding that puts every non-empty file where the v2 layout has it (on a piece boundary).
    /// Otherwise v1 and v2 peers would disagree about what a piece is. The v2 pieces roots are carried over.
    /// </summary>
    private static void MatchHybrid(List<RawFile> v1, long[] v1Offsets, List<RawFile> v2, List<ReadOnlyMemory<byte>> components, int pieceLength, long maxPayload)
    {
        var all = CollectionsMarshal.AsSpan(components);
        var next = 0;
        long v2Position = 0;
        for (var i = 0; i < v1.Count; i++)
        {
            var file = v1[i];
            if (file.IsPadding)
                continue;
            if (next == v2.Count)
                throw Error($"the v1 'files' list has more files than the v2 'file tree' ({v2.Count:N0})", file.NodeOffset);
            var other = v2[next++];
            var v1Path = all.Slice(file.ComponentStart, file.ComponentCount);
            var v2Path = all.Slice(other.ComponentStart, other.ComponentCount);
            if (!SamePath(v1Path, v2Path) || file.Length != other.Length)
                throw Error(
                    $"the v1 'files' list and the v2 'file tree' differ at file {next - 1}: '{Shorten(JoinRaw(v1Path))}' ({file.Length:N0} bytes) against '{Shorten(JoinRaw(v2Path))}' ({other.Length:N0} bytes)",
                    file.NodeOffset);

            if (other.Length > 0 && v2Position % pieceLength != 0)
                v2Position += pieceLength - v2Position % pieceLength;
            if (other.Length > 0 && v1Offsets[i] != v2Position)
                throw Error(
                    $"in the v1 'files' list, '{Shorten(JoinRaw(v1Path))}' starts at byte {v1Offsets[i]:N0} of the torrent, not at {v2Position:N0} where the v2 layout puts it; the padding files are wrong",
                    file.NodeOffset);
            v2Position = Advance(v2Position, other.Length, maxPayload, pieceLength, other.NodeOffset);
            v1[i] = file with { PiecesRoot = other.PiecesRoot };
        }
        if (next != v2.Count)
            throw Error($"the v2 'file tree' has {v2.Count:N0} files but the v1 'files' list only {next:N0}");

        var v1Payload = v1Offsets.Length == 0 ? 0 : v1Offsets[^1] + v1[^1].Length;
        if ((v1Payload + pieceLength - 1) / pieceLength != (v2Position + pieceLength - 1) / pieceLength)
            throw new MetainfoException("the v1 'files' list ends with padding beyond the last piece of the v2 layout");
    }

    /// <summary>Makes the <see cref="TorrentFile"/>s: sanitised, de-duplicated paths and piece positions.</summary>
    private static (TorrentFile[] All, TorrentFile[] User) BuildFiles(
        List<RawFile> layout, long[] offsets, List<ReadOnlyMemory<byte>> components, int pieceLength, bool isMultiFile, string? singleFileName)
    {
        var all = CollectionsMarshal.AsSpan(components);
        var paths = new string[layout.Count][];
        var changed = new bool[layout.Count];
        var userPaths = new List<string[]>(layout.Count);
        var userIndexes = new List<int>(layout.Count);
        for (var i = 0; i < layout.Count; i++)
        {
            var file = layout[i];
            if (file.ComponentStart < 0)
            {
                // Padding we made up to align a v2 file.
                paths[i] = [".pad", file.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)];
                continue;
            }
            paths[i] = TorrentPathSanitizer.SanitizePath(all.Slice(file.ComponentStart, file.ComponentCount), out changed[i]);
            if (singleFileName is not null && !file.IsPadding)
                paths[i] = [singleFileName];
            if (!file.IsPadding)
            {
                userPaths.Add(paths[i]);
                userIndexes.Add(i);
            }
        }

        // Padding is never written, so only the user's files need places of their own.
        if (isMultiFile)
        {
            var renamed = TorrentPathSanitizer.MakeUnique(userPaths);
            for (var u = 0; u < renamed.Length; u++)
                changed[userIndexes[u]] |= renamed[u];
        }

        var allFiles = new TorrentFile[layout.Count];
        var userFiles = new TorrentFile[userPaths.Count];
        var next = 0;
        for (var i = 0; i < layout.Count; i++)
        {
            var file = layout[i];
            var original = changed[i] && file.ComponentStart >= 0 ? JoinRaw(all.Slice(file.ComponentStart, file.ComponentCount)) : null;
            var torrentFile = new TorrentFile(paths[i], original, file.Length, offsets[i], pieceLength, file.IsPadding, file.Attributes, file.PiecesRoot, i);
            allFiles[i] = torrentFile;
            if (!file.IsPadding)
                userFiles[next++] = torrentFile;
        }
        return (allFiles, userFiles);
    }

    /// <summary>Adds a file's length to the running size, refusing sizes no torrent may have (which also rules out overflow).</summary>
    private static long Advance(long position, long length, long maxPayload, int pieceLength, int offset)
    {
        if (length > maxPayload - position)
            throw Error(
                $"the files add up to more than {maxPayload:N0} bytes, the most {MaxPieces:N0} pieces of {pieceLength:N0} bytes can hold", offset);
        return position + length;
    }

    private static long ReadLength(BencodeNode node, string what)
    {
        if (!node.IsInteger)
            throw Error($"{what} is {Article(node.Kind)}, not an integer", node.Offset);
        var value = node.IntegerValue;
        if (value < 0)
            throw Error($"{what} is {value}; a length cannot be negative", node.Offset);
        return value;
    }

    /// <summary>BEP 47 "attr": a string of flags; anything but letters is ignored, so a hostile value cannot
    /// smuggle text into what we show.</summary>
    private static string ReadAttributes(BencodeNode? entry)
    {
        if (entry is not { IsString: true } node)
            return "";
        var span = node.StringSpan;
        var builder = new StringBuilder(Math.Min(span.Length, 16));
        foreach (var b in span)
        {
            if (char.IsAsciiLetter((char)b) && builder.Length < 16)
                builder.Append((char)b);
        }
        return builder.ToString();
    }

    /// <summary>Padding files named the way older creators name them: ".pad/&lt;n&gt;" (libtorrent) and
    /// "_____padding_file_…" (BitComet), which libtorrent also treats as padding.</summary>
    private static bool IsLegacyPadding(ReadOnlySpan<ReadOnlyMemory<byte>> path)
    {
        if (path.Length == 2 && path[0].Span.SequenceEqual(".pad"u8) && !path[1].IsEmpty && !path[1].Span.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
            return true;
        return path.Length > 0 && path[^1].Span.StartsWith("_____padding_file_"u8);
    }

    private static bool IsNonEmptyStringList(BencodeNode node)
    {
        if (!node.IsList || node.Count == 0)
            return false;
        foreach (var item in node.Items)
        {
            if (!item.IsString)
                return false;
        }
        return true;
    }

    private static bool SamePath(ReadOnlySpan<ReadOnlyMemory<byte>> a, ReadOnlySpan<ReadOnlyMemory<byte>> b)
    {
        if (a.Length != b.Length)
            return false;
        for (var i = 0; i < a.Length; i++)
        {
            if (!a[i].Span.SequenceEqual(b[i].Span))
                return false;
        }
        return true;
    }

    /// <summary>The torrent's own path, joined with '/' (invalid UTF-8 shows as U+FFFD).</summary>
    private static string JoinRaw(ReadOnlySpan<ReadOnlyMemory<byte>> path)
    {
        if (path.Length == 1)
            return Encoding.UTF8.GetString(path[0].Span);
        var builder = new StringBuilder();
        for (var i = 0; i < path.Length; i++)
        {
            if (i > 0)
                builder.Append('/');
            builder.Append(Encoding.UTF8.GetString(path[i].Span));
        }
        return builder.ToString();
    }

    /// <summary>Offset of a byte string's content (after "len:") in the document.</summary>
    private static int StringContentOffset(BencodeNode node) => node.Offset + node.RawSpan.Length - node.Count;

    /// <summary>An error whose numbers are formatted the same in every culture.</summary>
    internal static MetainfoException Error(FormattableString reason, long? offset = null) =>
        new(FormattableString.Invariant(reason), offset);

    /// <summary>"an integer", "a list", "a dictionary", "a byte string".</summary>
    internal static string Article(BencodeKind kind) =>
        kind == BencodeKind.Integer ? "an integer" : "a " + BencodeDocument.Describe(kind);

    private static string Shorten(string text) => text.Length <= 100 ? text : string.Concat(text.AsSpan(0, 97), "...");

    // ---- outside the info dictionary ----

    /// <summary>BEP 12: "announce-list" tiers when any holds a usable URL, else the single "announce".</summary>
    private static IReadOnlyList<IReadOnlyList<string>> ReadTrackers(BencodeNode? announce, BencodeNode? announceList)
    {
        var tiers = new List<IReadOnlyList<string>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (announceList is { IsList: true } list)
        {
            foreach (var tier in list.Items)
            {
                var urls = new List<string>();
                if (tier.IsList)
                {
                    foreach (var url in tier.Items)
                    {
                        if (url.IsString)
                            AddUrl(urls, seen, url.GetUtf8String());
                    }
                }
                else if (tier.IsString)
                {
                    // Some creators write a flat list of URLs; read each as a tier of its own.
                    AddUrl(urls, seen, tier.GetUtf8String());
                }
                if (urls.Count > 0)
                    tiers.Add(urls.AsReadOnly());
            }
        }
        if (tiers.Count == 0 && announce is { IsString: true } single)
        {
            var urls = new List<string>(1);
            AddUrl(urls, seen, single.GetUtf8String());
            if (urls.Count > 0)
                tiers.Add(urls.AsReadOnly());
        }
        return tiers.AsReadOnly();
    }

    /// <summary>BEP 19 "url-list" and BEP 17 "httpseeds": each a string or a list of strings.</summary>
    private static IReadOnlyList<string> ReadWebSeeds(BencodeNode? urlList, BencodeNode? httpSeeds)
    {
        var seeds = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in (ReadOnlySpan<BencodeNode?>)[urlList, httpSeeds])
        {
            if (entry is not { } node)
                continue;
            if (node.IsString)
            {
                AddUrl(seeds, seen, node.GetUtf8String());
            }
            else if (node.IsList)
            {
                foreach (var url in node.Items)
                {
                    if (url.IsString)
                        AddUrl(seeds, seen, url.GetUtf8String());
                }
            }
        }
        return seeds.AsReadOnly();
    }

    private static void AddUrl(List<string> urls, HashSet<string> seen, string? url)
    {
        var trimmed = url?.Trim();
        if (!string.IsNullOrEmpty(trimmed) && seen.Add(trimmed))
            urls.Add(trimmed);
    }

    /// <summary>A text field, the ".utf-8" variant preferred; null when absent, empty or not a string.</summary>
    private static string? ReadText(BencodeNode? preferred, BencodeNode? fallback)
    {
        if (preferred is { IsString: true, Count: > 0 } first)
            return first.GetUtf8String();
        if (fallback is { IsString: true, Count: > 0 } second)
            return second.GetUtf8String();
        return null;
    }

    /// <summary>"creation date" in Unix seconds; a value before 1970-01-01T00:00:01 or past year 9999 is no date.</summary>
    private static DateTimeOffset? ReadCreationDate(BencodeNode? entry)
    {
        if (entry is not { IsInteger: true } node)
            return null;
        var seconds = node.IntegerValue;
        return seconds is > 0 and <= MaxUnixSeconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
    }

    /// <summary>A file as the torrent lists it. ComponentStart is -1 for padding we made up.</summary>
    private readonly record struct RawFile(
        int ComponentStart,
        int ComponentCount,
        long Length,
        string Attributes,
        bool IsPadding,
        ReadOnlyMemory<byte> PiecesRoot,
        int NodeOffset);

    private sealed class ParsedInfo
    {
        public required string Name { get; init; }
        public string? OriginalName { get; init; }
        public InfoHash? InfoHashV1 { get; init; }
        public InfoHash? InfoHashV2 { get; init; }
        public TorrentVersion Version { get; init; }
        public int PieceLength { get; init; }
        public int PieceCount { get; init; }
        public long PayloadSize { get; init; }
        public long TotalSize { get; init; }
        public bool IsMultiFile { get; init; }
        public required IReadOnlyList<TorrentFile> AllFiles { get; init; }
        public required IReadOnlyList<TorrentFile> Files { get; init; }
        public ReadOnlyMemory<byte> PieceHashes { get; init; }
        public bool NeedsPieceLayers { get; init; }
        public bool IsPrivate { get; init; }
        public string? SourceTag { get; init; }
    }
}
