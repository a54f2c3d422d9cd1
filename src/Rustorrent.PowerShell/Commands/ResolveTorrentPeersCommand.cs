using System.Management.Automation;
using Rustorrent.Discovery;
using Rustorrent.Trackers;

namespace Rustorrent.PowerShell.Commands;

/// <summary>
/// Resolve-TorrentPeers: asks every tracker of every tier of each torrent at once, and the DHT (BEP 5) unless
/// the torrent is private or -NoDht is given, and streams the peers as they come, deduplicated per torrent.
/// A tracker that fails is a warning; a torrent for which no source answered at all is a non-terminating error.
/// </summary>
[Cmdlet(VerbsDiagnostic.Resolve, "TorrentPeers", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TorrentPeer), typeof(TrackerScrape))]
public sealed class ResolveTorrentPeersCommand : TorrentInfoInputCommandBase
{

    /// <summary>Seconds to wait for trackers; what was found by then is returned.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int Timeout { get; set; } = 5;

    /// <summary>More trackers to ask, each in a tier of its own after the torrent's own.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Tracker { get; set; } = [];

    /// <summary>Also ask each tracker for the swarm's counts and output them as TrackerScrape objects.</summary>
    [Parameter]
    public SwitchParameter Scrape { get; set; }

    /// <summary>DHT nodes (host:port) to bootstrap from, besides the routers and the nodes known from before.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] DhtBootstrap { get; set; } = [];

    /// <summary>Ask the trackers only, not the DHT.</summary>
    [Parameter]
    public SwitchParameter NoDht { get; set; }

    protected override void ProcessTorrent(TorrentInfo torrent)
    {
        var tiers = torrent.Trackers.GroupBy(t => t.Tier).OrderBy(g => g.Key)
            .Select(g => (IReadOnlyList<string>)g.Select(t => t.Uri).ToList())
            .Concat(Tracker.Select(t => (IReadOnlyList<string>)[t]))
            .ToList();
        var useDht = !NoDht.IsPresent && TorrentEngine.Shared.Dht.Enabled;
        if (tiers.Count == 0 && (!useDht || torrent.IsPrivate))
        {
            var why = torrent.IsPrivate ? "it is private (BEP 27: trackers only)" : "the DHT is off";
            WriteError(new ErrorRecord(
                new InvalidOperationException($"'{torrent.Name}' names no tracker and {why}. Give a tracker with -Tracker."),
                "NoPeerSource", ErrorCategory.InvalidOperation, torrent));
            return;
        }

        var request = new PeerResolutionRequest(
            Metainfo.InfoHash.Parse(torrent.InfoHash ?? torrent.InfoHashV2!),
            tiers,
            Left: torrent.TotalSize ?? 16 * 1024, // unknown size (a magnet): any non-zero, so we are not taken for a seed
            Scrape: Scrape.IsPresent,
            IsPrivate: torrent.IsPrivate,
            UseDht: useDht,
            DhtBootstrap: DhtBootstrap);
        var peers = 0;
        var failures = new List<string>();
        var resolution = new PeerResolver(TorrentEngine.Shared).ResolveAsync(request, TimeSpan.FromSeconds(Timeout), StopToken).GetAsyncEnumerator(StopToken);
        try
        {
            while (resolution.MoveNextAsync().AsTask().GetAwaiter().GetResult())
            {
                switch (resolution.Current)
                {
                    case PeerFound found:
                        peers++;
                        WriteObject(new TorrentPeer(found.Peer, found.Source, found.Origin, torrent));
                        break;
                    case TrackerAnnounced { Result: { Response: { } response } result }:
                        WriteVerbose($"{result.Tracker} answered for '{torrent.Name}' in {result.Elapsed.TotalMilliseconds:0} ms: {response.Peers.Count} peers, next announce in {response.Interval}.");
                        if (response.WarningMessage is { } warning)
                            WriteWarning($"Tracker {result.Tracker} warns about '{torrent.Name}': {warning}");
                        break;
                    case TrackerAnnounced { Result: { Error: { } error } result }:
                        failures.Add($"{result.Tracker}: {error.Reason}");
                        WriteWarning($"Tracker {result.Tracker} failed for '{torrent.Name}': {error.Reason}");
                        break;
                    case TrackerTimedOut timedOut:
                        failures.Add($"{timedOut.Tracker}: no answer within {Timeout} s");
                        WriteWarning($"Tracker {timedOut.Tracker} did not answer for '{torrent.Name}' within {Timeout} s.");
                        break;
                    case TrackerScraped { Response: { } counts } scraped:
                        WriteObject(new TrackerScrape(scraped.Tracker.ToString(), counts.Seeders, counts.Leechers, counts.Completed, torrent));
                        break;
                    case DhtAsked asked:
                        WriteVerbose($"Asking the DHT for '{torrent.Name}' ({asked.KnownNodes} nodes known).");
                        break;
                    case TrackerScraped { Error: { } error } scraped:
                        WriteWarning($"Tracker {scraped.Tracker} gave no scrape for '{torrent.Name}': {error.Reason}");
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            return; // the pipeline is stopping
        }
        finally
        {
            resolution.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        if (peers == 0 && tiers.Count == 0)
        {
            WriteError(new ErrorRecord(
                new InvalidOperationException($"The DHT found no peer for '{torrent.Name}' within {Timeout} s."),
                "NoPeersFound", ErrorCategory.ObjectNotFound, torrent));
        }
        else if (peers == 0 && failures.Count == tiers.Sum(t => t.Count))
        {
            WriteError(new ErrorRecord(
                new InvalidOperationException($"No tracker answered for '{torrent.Name}': {string.Join("; ", failures)}"),
                "NoTrackerAnswered", ErrorCategory.ConnectionError, torrent));
        }
    }
}
