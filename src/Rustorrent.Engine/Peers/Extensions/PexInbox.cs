using System.Buffers;

namespace Rustorrent.Peers.Extensions;

/// <summary>
/// The ut_pex messages one peer sends us, bounded: a message that comes sooner than
/// <see cref="MinInterval"/> after the last one is ignored (BEP 11 has senders wait a minute; a little slack
/// for timers), each is read up to <see cref="PexMessage.MaxReceivedPerList"/> entries, and at most
/// <see cref="MaxPeersPerConnection"/> peers are taken from one connection in all, so a hostile peer cannot
/// flood the swarm's candidate list. Owned by the connection's session.
/// </summary>
internal sealed class PexInbox
{
    /// <summary>Closest two messages may come and both count.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(45);

    /// <summary>Peers taken from one connection over its life.</summary>
    public const int MaxPeersPerConnection = 500;

    private readonly TimeProvider time;
    private long lastAccepted;
    private bool acceptedAny;
    private int taken;

    public PexInbox(TimeProvider? time = null) => this.time = time ?? TimeProvider.System;

    /// <summary>Messages ignored because they came too soon.</summary>
    public int TooSoon { get; private set; }

    /// <summary>Messages that did not parse.</summary>
    public int Malformed { get; private set; }

    /// <summary>Peers not taken: past the per-message or per-connection caps, or port 0.</summary>
    public int PeersIgnored { get; private set; }

    /// <summary>
    /// Reads one ut_pex payload and returns the added peers to try (none when the message is refused or
    /// too soon) and the dropped ones, with the reason when the message was refused.
    /// </summary>
    public IReadOnlyList<PexPeer> Receive(in ReadOnlySequence<byte> payload, out IReadOnlyList<PeerEndpoint> dropped, out string? refused)
    {
        dropped = [];
        if (acceptedAny && time.GetElapsedTime(lastAccepted) < MinInterval)
        {
            TooSoon++;
            refused = "a ut_pex message less than a minute after the last (BEP 11)";
            return [];
        }
        if (!PexMessage.TryParse(payload, out var message, out refused))
        {
            Malformed++;
            return [];
        }
        acceptedAny = true;
        lastAccepted = time.GetTimestamp();
        PeersIgnored += message!.IgnoredEntries;
        dropped = message.Dropped;
        var room = Math.Max(0, MaxPeersPerConnection - taken);
        if (message.Added.Count <= room)
        {
            taken += message.Added.Count;
            return message.Added;
        }
        PeersIgnored += message.Added.Count - room;
        taken += room;
        return message.Added.Take(room).ToArray();
    }
}
