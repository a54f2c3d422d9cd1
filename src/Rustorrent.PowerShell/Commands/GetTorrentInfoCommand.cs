using System.Management.Automation;

namespace Rustorrent.PowerShell.Commands;

/// <summary>
/// Get-TorrentInfo: reads .torrent files (by path, literal path or URL), magnet links and bare info hashes
/// into <see cref="TorrentInfo"/> objects. Each bad input is a non-terminating error; the rest go on.
/// </summary>
[Cmdlet(VerbsCommon.Get, "TorrentInfo", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TorrentInfo))]
public sealed class GetTorrentInfoCommand : TorrentInputCommandBase
{
    protected override void ProcessTorrent(TorrentInfo torrent) => WriteObject(torrent);
}
