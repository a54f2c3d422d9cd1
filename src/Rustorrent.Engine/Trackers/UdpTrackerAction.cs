namespace Rustorrent.Trackers;

/// <summary>The action field of UDP tracker messages (BEP 15).</summary>
internal enum UdpTrackerAction
{
    Connect = 0,
    Announce = 1,
    Scrape = 2,
    Error = 3,
}
