using System.Net.Sockets;
using Rustorrent.Peers;
using Rustorrent.Peers.Wire;

namespace Rustorrent.Downloads;

/// <summary>Which peers we talk to: candidates from every source, dialled while there is room and again
/// after a failure; peers that dial us through the engine's listener.</summary>
internal sealed partial class TorrentDownload
{
    private void AddCandidate(PeerEndpoint peer)
    {
        lock (gate)
        {
            if (banned.Contains(peer.Address) || !dialAttempts.TryAdd(peer, 0))
                return;
        }
        candidates.Writer.TryWrite(peer);
    }

    /// <summary>Dials the peer again later, unless it is banned or was tried too often.</summary>
    private void ScheduleRedial(PeerEndpoint peer)
    {
        int attempt;
        lock (gate)
        {
            if (runToken.IsCancellationRequested || banned.Contains(peer.Address) || !dialAttempts.TryGetValue(peer, out attempt) || attempt >= RedialDelays.Length)
                return;
            dialAttempts[peer] = attempt + 1;
        }
        _ = RedialAsync(peer, RedialDelays[attempt], runToken);
    }

    private async Task RedialAsync(PeerEndpoint peer, TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            candidates.Writer.TryWrite(peer);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Dials candidates while there are free connection slots.</summary>
    private async Task ConnectLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var peer in candidates.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                bool skip;
                lock (gate)
                    skip = connected.Contains(peer) || banned.Contains(peer.Address);
                if (skip)
                    continue;
                await connectionSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
                lock (gate)
                    peerTasks.Add(RunOutgoingAsync(peer, cancellationToken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The listener has a peer for this torrent: take it if there is room.</summary>
    private bool TryAcceptIncoming(PeerConnection connection)
    {
        if (runToken.IsCancellationRequested)
            return false;
        lock (gate)
        {
            if (banned.Contains(connection.RemoteEndPoint.Address))
                return false;
        }
        if (!connectionSlots.Wait(0))
            return false;
        lock (gate)
            peerTasks.Add(RunIncomingAsync(connection, runToken));
        return true;
    }

    private async Task RunIncomingAsync(PeerConnection connection, CancellationToken cancellationToken)
    {
        await Task.Yield(); // the listener's accept loop goes on at once
        try
        {
            await RunSessionAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            engine.CloseConnection();
            connectionSlots.Release();
        }
    }

    private async Task RunOutgoingAsync(PeerEndpoint endpoint, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var opened = false;
        try
        {
            if (!engine.TryOpenConnection())
                return; // the engine is full: try again later
            opened = true;
            var ours = new PeerHandshake(metainfo.PrimaryInfoHash, engine.PeerId, engine.ReservedBits);
            await using var connection = await PeerConnection.ConnectAsync(endpoint, ours, WireLimits.ForTorrent(metainfo), cancellationToken: cancellationToken).ConfigureAwait(false);
            await RunSessionAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PeerProtocolException or SocketException or TimeoutException or IOException or ObjectDisposedException)
        {
            // Unreachable or broke the protocol at the handshake; others carry on.
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (opened)
                engine.CloseConnection();
            connectionSlots.Release();
            ScheduleRedial(endpoint);
        }
    }
}
