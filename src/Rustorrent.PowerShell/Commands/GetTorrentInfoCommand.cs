using System.Management.Automation;
using Rustorrent.Metadata;
using Rustorrent.PowerShell.Metadata;

namespace Rustorrent.PowerShell.Commands;

/// <summary>
/// Get-TorrentInfo: reads .torrent files (by path, literal path or URL), magnet links and bare info hashes
/// into <see cref="TorrentInfo"/> objects. Each bad input is a non-terminating error; the rest go on. With
/// -ResolveMetadata, magnets and hashes get their metadata from peers (BEP 9) and -OutFile saves it.
/// </summary>
[Cmdlet(VerbsCommon.Get, "TorrentInfo", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(TorrentInfo))]
public sealed class GetTorrentInfoCommand : TorrentInputCommandBase
{
    /// <summary>Fetch the metadata of magnet links and info hashes from peers (BEP 9), so they come out whole.</summary>
    [Parameter]
    public SwitchParameter ResolveMetadata { get; set; }

    /// <summary>Seconds to look for the metadata of each magnet link or info hash.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int Timeout { get; set; } = 60;

    /// <summary>Peers (address:port) to ask for the metadata besides those the trackers and the DHT give.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Peer { get; set; } = [];

    /// <summary>DHT nodes (host:port) to bootstrap from.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] DhtBootstrap { get; set; } = [];

    /// <summary>Ask the magnet's trackers and -Peer only, not the DHT.</summary>
    [Parameter]
    public SwitchParameter NoDht { get; set; }

    /// <summary>Save each torrent as a .torrent file: this file, or, for an existing folder, "name.torrent" in it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    private MetadataLookup? lookup;

    protected override void BeginProcessing()
    {
        lookup = new MetadataLookup(PeerArguments.Parse(this, Peer), !NoDht.IsPresent, DhtBootstrap, TimeSpan.FromSeconds(Timeout));
    }

    protected override void ProcessTorrent(TorrentInfo torrent)
    {
        if (ResolveMetadata && !torrent.HasMetadata)
        {
            try
            {
                torrent = lookup!.FetchAsync(torrent, StopToken).GetAwaiter().GetResult();
            }
            catch (MetadataFetchException e)
            {
                WriteError(MetadataLookup.Failed(torrent, e));
                return;
            }
            catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
            {
                return;
            }
        }
        if (OutFile is not null && !Save(torrent))
            return;
        WriteObject(torrent);
    }

    /// <summary>Writes the .torrent; false (with an error written) when it cannot be.</summary>
    private bool Save(TorrentInfo torrent)
    {
        if (torrent.Metainfo is not { } metainfo)
        {
            WriteError(new ErrorRecord(
                new InvalidOperationException($"'{torrent.Name}' has no metadata to save: add -ResolveMetadata to fetch it from peers."),
                "MetadataRequired", ErrorCategory.InvalidOperation, torrent));
            return false;
        }
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutFile);
        if (Directory.Exists(path))
            path = System.IO.Path.Combine(path, metainfo.Name + ".torrent");
        if (!ShouldProcess(path, $"Save '{torrent.Name}' as a .torrent file"))
            return true;
        try
        {
            File.WriteAllBytes(path, TorrentFileWriter.Write(metainfo));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(new ErrorRecord(e, "TorrentFileWriteError", ErrorCategory.WriteError, path));
            return false;
        }
    }
}
