using System.Buffers;
using System.Net.Sockets;
using Rustorrent.Peers;
using Rustorrent.Peers.Extensions;
using Rustorrent.Peers.Wire;
using Rustorrent.Pieces;
using Rustorrent.Storage;

namespace Rustorrent.Downloads;

/// <summary>The loops of one connected peer: receiving (blocks, haves, requests, extension messages), sending
/// (choke changes, haves, interest, requests, cancels) and uploading (blocks it asked for).</summary>
internal sealed partial class TorrentDownload
{
    /// <summary>One connected peer, either direction: our pieces first, then its messages until it goes or we stop.</summary>
    private async Task RunSessionAsync(PeerConnection connection, CancellationToken cancellationToken)
    {
        PeerSession? session = null;
        var remoteId = connection.RemoteHandshake.PeerId;
        try
        {
            byte[]? bitfield = null;
            var haveCount = 0;
            lock (gate)
            {
                // Banned, ourselves (a tracker lists us too), or a second connection to the same peer.
                if (banned.Contains(connection.RemoteEndPoint.Address) || remoteId == engine.PeerId || !connectedIds.Add(remoteId))
                    return;
                var handle = picker.AddPeer();
                session = new PeerSession(connection, handle, TimeProvider.System);
                sessions.Add(session);
                senders[handle] = connection.RemoteEndPoint.Address;
                connected.Add(connection.RemoteEndPoint);
                peersUsed++;
                haveCount = picker.Have.Count;
                if (haveCount > 0 && !(connection.FastExtension && haveCount == picker.PieceCount))
                    bitfield = picker.Have.ToWire();
            }
            Raise(DownloadEventLevel.Information, DownloadEventKind.PeerConnected,
                $"Connected to {connection} ({ClientName(remoteId)}) for '{metainfo.Name}'.");
            // BEP 3: the bitfield, if any, is the first message; BEP 6 has "have all"/"have none" instead.
            if (connection.FastExtension && haveCount == 0)
                await connection.SendAsync(PeerMessageId.HaveNone, cancellationToken).ConfigureAwait(false);
            else if (bitfield is null && haveCount > 0)
                await connection.SendAsync(PeerMessageId.HaveAll, cancellationToken).ConfigureAwait(false);
            else if (bitfield is not null)
                await connection.SendBitfieldAsync(bitfield, cancellationToken).ConfigureAwait(false);
            if (connection.ExtensionProtocol)
            {
                // BEP 10: our extensions (ut_metadata to serve magnet users, ut_pex unless private, BEP 27).
                var extensions = new PeerExtensions(connection.RemoteEndPoint, metadataResponder, pex: !metainfo.IsPrivate);
                lock (gate)
                    session.Extensions = extensions;
                await connection.SendExtendedAsync(ExtensionNames.HandshakeId, extensions.CreateHandshake(TorrentEngine.ClientName, engine.ListenPort), cancellationToken).ConfigureAwait(false);
            }
            await ServePeerAsync(session, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PeerProtocolException or SocketException or TimeoutException or IOException or ObjectDisposedException)
        {
            // This peer is gone or broke the protocol; others carry on.
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (StorageException e)
        {
            Fail(new DownloadFailedException($"Cannot read or write '{metainfo.Name}': {e.Message}", e));
        }
        finally
        {
            if (session is not null)
            {
                lock (gate)
                {
                    sessions.Remove(session);
                    connected.Remove(connection.RemoteEndPoint);
                    connectedIds.Remove(remoteId);
                    picker.RemovePeer(session.Handle);
                }
                WakeAll(); // its requests go back to the pool: others may take them
            }
        }
    }

    /// <summary>The client in an Azureus-style peer id ("-LT2080-..." is LT2080), else the id as text.</summary>
    private static string ClientName(PeerId id)
    {
        var bytes = id.Span;
        if (bytes.Length == PeerId.Length && bytes[0] == (byte)'-' && bytes[7] == (byte)'-' && System.Text.Ascii.IsValid(bytes[1..7]))
            return System.Text.Encoding.ASCII.GetString(bytes[1..7]);
        return id.ToString();
    }

    /// <summary>The receive loop of one peer. Requests, haves and choke changes go out from
    /// <see cref="SendLoopAsync"/>, blocks it asked for from <see cref="UploadLoopAsync"/>; both are woken
    /// by its messages and by events elsewhere (a verified piece, a failed one, a peer gone).</summary>
    private async Task ServePeerAsync(PeerSession session, CancellationToken cancellationToken)
    {
        var connection = session.Connection;
        var handle = session.Handle;
        using var stopLoops = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sender = ClosingOnExitAsync(SendLoopAsync(session, stopLoops.Token), connection);
        var uploader = ClosingOnExitAsync(UploadLoopAsync(session, stopLoops.Token), connection);
        try
        {
            while (await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false))
            {
                var message = connection.Current;
                var wakeUploads = false;
                lock (gate)
                {
                    if (banned.Contains(connection.RemoteEndPoint.Address))
                        return;
                    switch (message.Id)
                    {
                        case PeerMessageId.Bitfield:
                            picker.PeerBitfield(handle, message.Payload.IsSingleSegment ? message.Payload.FirstSpan : message.Payload.ToArray());
                            break;
                        case PeerMessageId.HaveAll:
                            picker.PeerHasAll(handle);
                            break;
                        case PeerMessageId.HaveNone:
                            picker.PeerHasNone(handle);
                            break;
                        case PeerMessageId.Have:
                            picker.PeerHasPiece(handle, message.PieceIndex);
                            break;
                        case PeerMessageId.Choke:
                            session.Choked = true;
                            if (!connection.FastExtension)
                                picker.PeerChoked(handle);
                            else
                                foreach (var dropped in connection.RequestsDroppedByChoke)
                                    picker.ReleaseRequest(handle, new BlockInfo(dropped.PieceIndex, dropped.Begin, dropped.Length));
                            break;
                        case PeerMessageId.Unchoke:
                            session.Choked = false;
                            break;
                        case PeerMessageId.Interested:
                            session.PeerInterested = true;
                            // A free slot is given at once rather than at the next choke round.
                            if (session.AmChoking && sessions.Count(s => !s.AmChoking) < choker.TotalSlots)
                                session.AmChoking = false;
                            break;
                        case PeerMessageId.NotInterested:
                            session.PeerInterested = false;
                            break;
                        case PeerMessageId.Request:
                            wakeUploads = OnRequest(session, new BlockRequest(message.PieceIndex, message.Begin, message.Length));
                            break;
                        case PeerMessageId.Cancel:
                            // BEP 6: a cancelled request is answered, by the piece or by a reject.
                            var cancelled = new BlockRequest(message.PieceIndex, message.Begin, message.Length);
                            if (session.RemoveUpload(cancelled) && connection.FastExtension)
                                session.PendingRejects.Enqueue(cancelled);
                            break;
                        case PeerMessageId.Reject:
                            session.CancelledInFlight.Remove(new BlockRequest(message.PieceIndex, message.Begin, message.Length));
                            picker.ReleaseRequest(handle, new BlockInfo(message.PieceIndex, message.Begin, message.Length));
                            break;
                        case PeerMessageId.Piece when connection.CurrentBlockKind == ReceivedBlockKind.Cancelled:
                            session.CancelledInFlight.Remove(new BlockRequest(message.PieceIndex, message.Begin, message.Length));
                            break;
                        case PeerMessageId.Piece when connection.CurrentBlockKind == ReceivedBlockKind.Requested:
                            OnBlock(session, message);
                            break;
                        case PeerMessageId.Extended when session.Extensions is { } extensions:
                            OnExtended(session, extensions, message);
                            break;
                    }
                }
                if (wakeUploads)
                    session.WakeUploads();
                session.Wake();
            }
        }
        finally
        {
            await stopLoops.CancelAsync().ConfigureAwait(false);
            await QuietlyAsync(sender).ConfigureAwait(false);
            await QuietlyAsync(uploader).ConfigureAwait(false);
        }
    }

    /// <summary>A BEP 10 message (under <see cref="gate"/>): ut_metadata requests are answered from our info
    /// dictionary; peers named by ut_pex become candidates.</summary>
    private void OnExtended(PeerSession session, PeerExtensions extensions, PeerMessage message)
    {
        var received = extensions.Receive(message.ExtendedId, message.Payload);
        if (received.Reply is { } reply)
            session.PendingExtended.Enqueue((received.ReplyId, reply));
        foreach (var added in received.AddedPeers)
        {
            if (!banned.Contains(added.EndPoint.Address) && !dialAttempts.ContainsKey(added.EndPoint))
                peersFromPex++;
            AddCandidate(added.EndPoint);
        }
    }

    /// <summary>A peer's request (under <see cref="gate"/>): queued when we unchoke it and have the piece,
    /// else refused (BEP 6 reject; without the fast extension a choked peer's requests are just dropped).
    /// True when the upload loop has work.</summary>
    private bool OnRequest(PeerSession session, BlockRequest request)
    {
        if (!session.AmChoking && picker.Have[request.PieceIndex] && session.TryQueueUpload(request))
            return true;
        if (session.Connection.FastExtension)
            session.PendingRejects.Enqueue(request);
        return false;
    }

    /// <summary>A loop that ends for any reason closes the connection, so the receive loop ends too.</summary>
    private static async Task ClosingOnExitAsync(Task loop, PeerConnection connection)
    {
        try
        {
            await loop.ConfigureAwait(false);
        }
        finally
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task QuietlyAsync(Task loop)
    {
        try
        {
            await loop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or PeerProtocolException or SocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    /// <summary>Everything we tell one peer: choke changes (with BEP 6 rejects), haves, interest, cancels, and
    /// requests at the depth its rate calls for (bandwidth-delay product).</summary>
    private async Task SendLoopAsync(PeerSession session, CancellationToken cancellationToken)
    {
        var picked = new BlockInfo[MaxRequestBatch];
        var requests = new BlockRequest[MaxRequestBatch];
        var dropped = new List<BlockRequest>();
        var connection = session.Connection;
        while (true)
        {
            // Woken by each message and event; the timeout is a safety net for wake-ups that raced.
            await session.Signal.WaitAsync(RequestTick, cancellationToken).ConfigureAwait(false);

            bool choking;
            lock (gate)
            {
                choking = session.AmChoking;
                if (choking && !session.SentChoking)
                    session.ClearUploads(dropped);
            }
            if (choking != session.SentChoking)
            {
                await connection.SendAsync(choking ? PeerMessageId.Choke : PeerMessageId.Unchoke, cancellationToken).ConfigureAwait(false);
                session.SentChoking = choking;
                // BEP 6: with the fast extension a choke does not drop requests silently; each is rejected.
                if (connection.FastExtension)
                {
                    foreach (var request in dropped)
                        await connection.SendRejectAsync(request, cancellationToken).ConfigureAwait(false);
                }
                dropped.Clear();
            }
            while (session.PendingRejects.TryDequeue(out var reject))
                await connection.SendRejectAsync(reject, cancellationToken).ConfigureAwait(false);
            while (session.PendingExtended.TryDequeue(out var extended))
                await connection.SendExtendedAsync(extended.Id, extended.Payload, cancellationToken).ConfigureAwait(false);
            if (!session.PendingHaves.IsEmpty)
            {
                await connection.SendBatchAsync(session.PendingHaves, static (writer, haves) =>
                {
                    while (haves.TryDequeue(out var piece))
                        PeerMessageWriter.WriteHave(writer, piece);
                }, cancellationToken).ConfigureAwait(false);
            }

            bool interesting, complete, peerIsSeed;
            lock (gate)
            {
                interesting = picker.IsInteresting(session.Handle);
                complete = picker.IsFinished;
                peerIsSeed = picker.PeerIsSeed(session.Handle);
            }
            if (complete && peerIsSeed)
                return; // two seeds have nothing to give each other
            if (interesting != session.AmInterested)
            {
                session.AmInterested = interesting;
                await connection.SendAsync(interesting ? PeerMessageId.Interested : PeerMessageId.NotInterested, cancellationToken).ConfigureAwait(false);
            }
            if (session.Choked || !session.AmInterested)
                continue;
            var count = 0;
            lock (gate)
            {
                if (banned.Contains(connection.RemoteEndPoint.Address))
                    return;
                var wanted = Math.Min(session.Sizer.RequestsToSend(connection.OutstandingRequestCount), MaxRequestBatch);
                if (wanted > 0 && pendingWriteBytes < MaxPendingWriteBytes)
                    count = picker.PickBlocks(session.Handle, picked.AsSpan(0, wanted));
            }
            // Endgame cancels go out after the pick: a cancel queued before a block was freed again and
            // re-picked for this peer must reach the wire before the new request for it.
            while (session.PendingCancels.TryDequeue(out var cancel))
            {
                if (await connection.SendCancelAsync(cancel, cancellationToken).ConfigureAwait(false))
                    lock (gate)
                        session.CancelledInFlight.Add(cancel);
            }
            if (count == 0)
                continue;
            var sending = 0;
            var bytes = 0;
            lock (gate)
            {
                for (var i = 0; i < count; i++)
                {
                    var request = new BlockRequest(picked[i].Piece, picked[i].Offset, picked[i].Length);
                    // The peer may still answer our cancel with that very block (BEP 3, BEP 6): asking again
                    // now would bring it twice. Leave it to others until the first answer is in.
                    if (session.CancelledInFlight.Contains(request))
                    {
                        picker.ReleaseRequest(session.Handle, picked[i]);
                    }
                    else
                    {
                        requests[sending++] = request;
                        bytes += request.Length;
                    }
                }
            }
            if (sending == 0)
                continue;
            // The download limit holds requests back: what is not asked for does not come.
            await downloadLimit.TakeAsync(bytes, cancellationToken).ConfigureAwait(false);
            await connection.SendRequestsAsync(requests.AsMemory(0, sending), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Serves the blocks the peer asked for, one positional read each, within the upload limit.</summary>
    private async Task UploadLoopAsync(PeerSession session, CancellationToken cancellationToken)
    {
        var connection = session.Connection;
        var buffer = ArrayPool<byte>.Shared.Rent(connection.Limits.MaxBlockLength);
        try
        {
            while (true)
            {
                await session.UploadSignal.WaitAsync(cancellationToken).ConfigureAwait(false);
                while (true)
                {
                    BlockRequest request;
                    lock (gate)
                    {
                        if (session.AmChoking || !session.TryDequeueUpload(out request))
                            break;
                    }
                    await uploadLimit.TakeAsync(request.Length, cancellationToken).ConfigureAwait(false);
                    var block = buffer.AsMemory(0, request.Length);
                    await storage.ReadAsync(request.PieceIndex, request.Begin, block, cancellationToken).ConfigureAwait(false);
                    await connection.SendPieceAsync(request.PieceIndex, request.Begin, block, cancellationToken).ConfigureAwait(false);
                    Interlocked.Add(ref uploadedBytes, request.Length);
                    lock (gate)
                    {
                        uploadRate.Add(request.Length);
                        session.Sent.Add(request.Length);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Under <see cref="gate"/>: tells the other requesters of an endgame block to cancel it.</summary>
    private void QueueCancels(BlockInfo block, PeerHandle first, PeerHandle second)
    {
        foreach (var session in sessions)
        {
            if (session.Handle == first || session.Handle == second)
            {
                session.PendingCancels.Enqueue(new BlockRequest(block.Piece, block.Offset, block.Length));
                session.Wake();
            }
        }
    }

    private void WakeAll()
    {
        lock (gate)
        {
            foreach (var session in sessions)
                session.Wake();
        }
    }
}
