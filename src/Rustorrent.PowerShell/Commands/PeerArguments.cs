using System.Management.Automation;
using Rustorrent.Peers;

namespace Rustorrent.PowerShell.Commands;

/// <summary>The -Peer values of a cmdlet, parsed once before any input: a typo stops the cmdlet (InvalidPeer)
/// rather than failing each torrent.</summary>
internal static class PeerArguments
{
    public static List<PeerEndpoint> Parse(PSCmdlet cmdlet, IEnumerable<string> texts)
    {
        var peers = new List<PeerEndpoint>();
        foreach (var text in texts)
        {
            if (!PeerEndpoint.TryParse(text, out var endpoint, out var error))
                cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-Peer '{text}': {error}"), "InvalidPeer", ErrorCategory.InvalidArgument, text));
            peers.Add(endpoint);
        }
        return peers;
    }
}
