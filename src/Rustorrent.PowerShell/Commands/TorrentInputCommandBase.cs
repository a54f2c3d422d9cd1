using System.Management.Automation;
using Rustorrent.Bencode;
using Rustorrent.Metainfo;

namespace Rustorrent.PowerShell.Commands;

/// <summary>
/// The torrent inputs every Rustorrent cmdlet takes, read the same way: .torrent files (by path with
/// wildcards, literal path, or http(s) URL), magnet links and bare info hashes, each becoming a
/// <see cref="TorrentInfo"/> handed to <see cref="ProcessTorrent"/>. A bad input is a non-terminating
/// error naming it; the rest go on.
/// </summary>
public abstract class TorrentInputCommandBase : PSCmdlet
{
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";
    protected const string InfoHashSet = "InfoHash";
    protected const string UriSet = "Uri";

    /// <summary>How long a .torrent download from a URL may take.</summary>
    private static readonly TimeSpan DownloadTimeout = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource stopping = new();

    /// <summary>Paths with wildcards; strings that are magnet links, http(s) URLs or info hashes are read as such.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>Bare info hashes: 40 hex or 32 base32 characters (v1), 64 hex (v2).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = InfoHashSet)]
    [ValidateNotNullOrEmpty]
    public string[] InfoHash { get; set; } = [];

    /// <summary>Magnet links, or http(s) URLs of .torrent files.</summary>
    [Parameter(Mandatory = true, ParameterSetName = UriSet)]
    [ValidateNotNullOrEmpty]
    public Uri[] Uri { get; set; } = [];

    /// <summary>Cancelled when the user stops the pipeline (Ctrl+C, Stop-Job).</summary>
    protected CancellationToken StopToken => stopping.Token;

    /// <summary>Does the cmdlet's work for one input that was read successfully.</summary>
    protected abstract void ProcessTorrent(TorrentInfo torrent);

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case PathSet:
                foreach (var item in Path)
                    ReadDetected(item);
                break;
            case LiteralPathSet:
                foreach (var item in LiteralPath)
                    ReadLiteralPath(item);
                break;
            case InfoHashSet:
                foreach (var item in InfoHash)
                    ReadInfoHash(item);
                break;
            case UriSet:
                foreach (var item in Uri)
                    ReadUri(item.OriginalString);
                break;
        }
    }

    protected override void StopProcessing() => stopping.Cancel();

    protected override void EndProcessing() => stopping.Dispose();

    /// <summary>A string from -Path or the pipeline: magnet, URL, info hash or (the default) a path.
    /// An existing file wins over a hash-shaped name.</summary>
    private void ReadDetected(string input)
    {
        switch (TorrentInputDetector.Detect(input))
        {
            case TorrentInputKind.Magnet:
                ReadMagnet(input);
                return;
            case TorrentInputKind.Url:
                ReadUrl(input);
                return;
            case TorrentInputKind.InfoHash when !PathExists(input):
                ReadInfoHash(input);
                return;
            default:
                ReadWildcardPath(input);
                return;
        }
    }

    private void ReadUri(string input)
    {
        switch (TorrentInputDetector.Detect(input))
        {
            case TorrentInputKind.Magnet:
                ReadMagnet(input);
                break;
            case TorrentInputKind.Url:
                ReadUrl(input);
                break;
            default:
                WriteInputError(new ArgumentException($"'{input}' is neither a magnet link nor an http(s) URL."), "UnsupportedUri", ErrorCategory.InvalidArgument, input);
                break;
        }
    }

    private void ReadWildcardPath(string path)
    {
        System.Collections.ObjectModel.Collection<string> resolved;
        ProviderInfo provider;
        try
        {
            resolved = GetResolvedProviderPathFromPSPath(path, out provider);
        }
        catch (ItemNotFoundException e)
        {
            WriteInputError(e, "TorrentFileNotFound", ErrorCategory.ObjectNotFound, path, $"Cannot find the torrent file '{path}'.");
            return;
        }
        catch (Exception e) when (e is ProviderNotFoundException or System.Management.Automation.DriveNotFoundException or PSArgumentException)
        {
            WriteInputError(e, "TorrentFileNotFound", ErrorCategory.ObjectNotFound, path);
            return;
        }
        if (!IsFileSystem(provider, path))
            return;
        foreach (var file in resolved)
            ReadFile(file);
    }

    private void ReadLiteralPath(string path)
    {
        string file;
        try
        {
            file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
            if (!IsFileSystem(provider, path))
                return;
        }
        catch (Exception e) when (e is ProviderNotFoundException or System.Management.Automation.DriveNotFoundException or PSArgumentException or NotSupportedException)
        {
            WriteInputError(e, "TorrentFileNotFound", ErrorCategory.ObjectNotFound, path);
            return;
        }
        ReadFile(file);
    }

    private void ReadFile(string file)
    {
        if (Directory.Exists(file))
        {
            WriteInputError(new IOException($"'{file}' is a directory, not a .torrent file."), "PathIsDirectory", ErrorCategory.InvalidArgument, file);
            return;
        }
        if (!File.Exists(file))
        {
            WriteInputError(new FileNotFoundException($"Cannot find the torrent file '{file}'.", file), "TorrentFileNotFound", ErrorCategory.ObjectNotFound, file);
            return;
        }
        try
        {
            var bytes = TorrentFileLoader.ReadFileAsync(file, stopping.Token).GetAwaiter().GetResult();
            ProcessTorrent(new TorrentInfo(TorrentMetainfo.Parse(bytes), TorrentSourceKind.File, file));
        }
        catch (Exception e) when (e is BencodeException or MetainfoException)
        {
            WriteInputError(e, "InvalidTorrentFile", ErrorCategory.InvalidData, file, $"Cannot read the torrent file '{file}': {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            WriteInputError(e, "TorrentFileAccessDenied", ErrorCategory.PermissionDenied, file, $"Cannot read the torrent file '{file}': {e.Message}");
        }
        catch (IOException e)
        {
            WriteInputError(e, "TorrentFileReadError", ErrorCategory.ReadError, file, $"Cannot read the torrent file '{file}': {e.Message}");
        }
    }

    private void ReadUrl(string url)
    {
        if (!System.Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            WriteInputError(new UriFormatException($"'{url}' is not a valid URL."), "InvalidUrl", ErrorCategory.InvalidArgument, url);
            return;
        }
        try
        {
            WriteVerbose($"Downloading {uri}");
            var bytes = TorrentFileLoader.DownloadAsync(uri, DownloadTimeout, stopping.Token).GetAwaiter().GetResult();
            ProcessTorrent(new TorrentInfo(TorrentMetainfo.Parse(bytes), TorrentSourceKind.Url, url));
        }
        catch (Exception e) when (e is BencodeException or MetainfoException)
        {
            WriteInputError(e, "InvalidTorrentFile", ErrorCategory.InvalidData, url, $"Cannot read the torrent at '{url}': {e.Message}");
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or IOException)
        {
            WriteInputError(e, "TorrentDownloadFailed", ErrorCategory.ConnectionError, url, $"Cannot download the torrent at '{url}': {e.Message}");
        }
    }

    private void ReadMagnet(string text)
    {
        if (MagnetLink.TryParse(text, out var magnet, out var error))
            ProcessTorrent(new TorrentInfo(magnet, TorrentSourceKind.Magnet, text));
        else
            WriteInputError(new FormatException(error), "InvalidMagnetLink", ErrorCategory.InvalidData, text);
    }

    private void ReadInfoHash(string text)
    {
        if (Metainfo.InfoHash.TryParse(text, out var hash, out var error))
            ProcessTorrent(new TorrentInfo(MagnetLink.FromInfoHash(hash), TorrentSourceKind.InfoHash, text));
        else
            WriteInputError(new FormatException(error), "InvalidInfoHash", ErrorCategory.InvalidData, text);
    }

    private bool PathExists(string input)
    {
        try
        {
            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(input, out var provider, out _);
            return provider.Name == "FileSystem" && File.Exists(path);
        }
        catch (Exception e) when (e is ProviderNotFoundException or System.Management.Automation.DriveNotFoundException or PSArgumentException or NotSupportedException)
        {
            return false;
        }
    }

    private bool IsFileSystem(ProviderInfo provider, string path)
    {
        if (provider.Name == "FileSystem")
            return true;
        WriteInputError(new ArgumentException($"'{path}' is on the {provider.Name} provider; torrent files must be on the file system."), "NotAFileSystemPath", ErrorCategory.InvalidArgument, path);
        return false;
    }

    /// <summary>A per-input, non-terminating error: the pipeline goes on with the next input.</summary>
    protected void WriteInputError(Exception exception, string errorId, ErrorCategory category, string target, string? message = null)
    {
        var record = new ErrorRecord(exception, errorId, category, target);
        if (message is not null)
            record.ErrorDetails = new ErrorDetails(message);
        WriteError(record);
    }
}
