using System.Management.Automation;

namespace Rustorrent.PowerShell.Commands;

/// <summary>
/// A cmdlet that works on torrents: it takes every input form of <see cref="TorrentInputCommandBase"/> and,
/// besides, the <see cref="TorrentInfo"/> objects Get-TorrentInfo outputs (`Get-TorrentInfo x | Verb-Torrent...`).
/// </summary>
public abstract class TorrentInfoInputCommandBase : TorrentInputCommandBase
{
    protected const string InputObjectSet = "InputObject";

    /// <summary>Torrents from Get-TorrentInfo.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    [ValidateNotNull]
    public TorrentInfo[] InputObject { get; set; } = [];

    protected override void ProcessRecord()
    {
        if (ParameterSetName != InputObjectSet)
        {
            base.ProcessRecord();
            return;
        }
        foreach (var torrent in InputObject)
            ProcessTorrent(torrent);
    }
}
