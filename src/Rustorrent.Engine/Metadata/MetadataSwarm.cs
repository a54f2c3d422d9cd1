using System.Security.Cryptography;
using Rustorrent.Metainfo;
using Rustorrent.Peers;

namespace Rustorrent.Metadata;

/// <summary>
/// The shared state of one metadata fetch: which peer is asked for which piece, the pieces in hand, and who
/// lied. Pieces come from several peers at once. When the whole does not hash to the info hash, a lone
/// contributor is the liar and is banned; with several, nobody can be blamed yet, so from then on one peer at
/// a time fetches a whole attempt (its failure bans it). Every peer's pieces are remembered by their SHA-1, so
/// once the metadata is verified whoever sent a piece that differs from it is banned too (as smart-ban does
/// for pieces). Peers that claim another size than the attempt's wait until no peer of that size is left.
/// Thread-safe: peer sessions call in from their own tasks; one lock guards the state.
/// </summary>
internal sealed class MetadataSwarm
{
    private readonly object gate = new();
    private readonly InfoHash infoHash;
    private readonly List<Member> members = [];
    private readonly List<PeerEndpoint> liars = [];
    private readonly Dictionary<int, Member> assigned = [];
    private readonly Dictionary<int, Member> contributors = [];
    private readonly TaskCompletionSource<byte[]> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MetadataAssembler? attempt;
    private bool oneAtATime;
    private Member? owner;
    private List<PeerEndpoint> sources = [];

    public MetadataSwarm(InfoHash infoHash)
    {
        if (infoHash.IsEmpty)
            throw new ArgumentException("The info hash is empty.", nameof(infoHash));
        this.infoHash = infoHash;
    }

    /// <summary>The verified info dictionary, once there is one.</summary>
    public Task<byte[]> Completion => completion.Task;

    /// <summary>Attempts that did not hash to the info hash.</summary>
    public int FailedAttempts { get; private set; }

    /// <summary>Peers banned for sending wrong metadata, in the order they were caught.</summary>
    public IReadOnlyList<PeerEndpoint> Liars
    {
        get
        {
            lock (gate)
                return liars.ToArray();
        }
    }

    /// <summary>The peers whose pieces made up the verified metadata.</summary>
    public IReadOnlyList<PeerEndpoint> Sources
    {
        get
        {
            lock (gate)
                return sources.ToArray();
        }
    }

    /// <summary>Adds a peer that claims <paramref name="size"/> bytes of metadata; null when the size is beyond the
    /// cap (nothing is allocated for it) or the peer has been caught lying.</summary>
    public Member? Join(PeerEndpoint endpoint, long size)
    {
        if (!MetadataAssembler.IsAcceptableSize(size))
            return null;
        lock (gate)
        {
            if (liars.Contains(endpoint))
                return null;
            var member = new Member(endpoint, (int)size);
            members.Add(member);
            attempt ??= new MetadataAssembler(infoHash, size);
            Signal();
            return member;
        }
    }

    public bool IsBanned(Member member)
    {
        lock (gate)
            return member.Banned;
    }

    /// <summary>A missing piece for <paramref name="member"/> to request, if there is one it may fetch now.</summary>
    public bool TryAssign(Member member, out int piece)
    {
        piece = -1;
        lock (gate)
        {
            if (completion.Task.IsCompleted || member.Banned || member.Left || attempt is null)
                return false;
            if (member.Size != attempt.Size)
            {
                if (members.Any(m => m.IsActive && m.Size == attempt.Size))
                    return false;
                StartAttempt(member.Size);
            }
            if (oneAtATime)
            {
                owner ??= member;
                if (owner != member)
                    return false;
            }
            for (var i = 0; i < attempt.PieceCount; i++)
            {
                if (!attempt.Has(i) && assigned.TryAdd(i, member))
                {
                    piece = i;
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>The peer will not deliver this piece (rejected, timed out): another may ask for it.</summary>
    public void Release(Member member, int piece)
    {
        lock (gate)
        {
            if (assigned.TryGetValue(piece, out var holder) && holder == member)
            {
                assigned.Remove(piece);
                Signal();
            }
        }
    }

    /// <summary>
    /// A piece from <paramref name="member"/>. When it completes the metadata, the whole is verified here: on a
    /// match <see cref="Completion"/> is set; otherwise the attempt starts over and the liar, if it can be told,
    /// is banned (see <see cref="IsBanned"/>). A piece of the wrong length bans its sender at once.
    /// </summary>
    public MetadataPieceOutcome Deliver(Member member, int piece, ReadOnlySpan<byte> data)
    {
        lock (gate)
        {
            if (completion.Task.IsCompleted || attempt is null || member.Banned || member.Size != attempt.Size
                || oneAtATime && owner != member)
                return MetadataPieceOutcome.Duplicate;
            if (assigned.TryGetValue(piece, out var holder) && holder == member)
                assigned.Remove(piece);
            var outcome = attempt.Add(piece, data);
            switch (outcome)
            {
                case MetadataPieceOutcome.Invalid:
                    Ban(member);
                    return outcome;
                case MetadataPieceOutcome.Duplicate:
                    return outcome;
            }
            member.Digests[piece] = SHA1.HashData(data);
            contributors[piece] = member;
            if (outcome == MetadataPieceOutcome.Complete)
                Finish();
            Signal();
            return outcome;
        }
    }

    /// <summary>The peer's session is over: its requests are free, and a one-peer attempt of its is dropped.</summary>
    public void Leave(Member member)
    {
        lock (gate)
        {
            member.Left = true;
            foreach (var piece in assigned.Where(a => a.Value == member).Select(a => a.Key).ToArray())
                assigned.Remove(piece);
            if (owner == member)
            {
                owner = null;
                attempt?.Clear();
                contributors.Clear();
            }
            Signal();
        }
    }

    /// <summary>Completes when something changed (a piece freed or in, a peer joined or left), or after <paramref name="most"/>.</summary>
    public async Task WaitForChangeAsync(TimeSpan most, CancellationToken cancellationToken)
    {
        Task signal;
        lock (gate)
            signal = changed.Task;
        try
        {
            await signal.WaitAsync(most, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A bounded wait: the caller looks again.
        }
    }

    private void Finish()
    {
        var whole = attempt!.Verify();
        if (whole is not null)
        {
            // Whoever sent a piece other than the verified one lied, in this attempt or an earlier one.
            foreach (var member in members)
            {
                if (member.Size != attempt.Size)
                    continue;
                foreach (var (piece, digest) in member.Digests)
                {
                    if (!SHA1.HashData(attempt.GetPiece(piece)).AsSpan().SequenceEqual(digest))
                    {
                        Ban(member);
                        break;
                    }
                }
            }
            sources = contributors.Values.Select(m => m.EndPoint).Distinct().ToList();
            completion.TrySetResult(whole);
            return;
        }
        FailedAttempts++;
        var blamed = contributors.Values.Distinct().ToList();
        if (blamed.Count == 1)
            Ban(blamed[0]);
        else
            oneAtATime = true;
        owner = null;
        attempt.Clear();
        contributors.Clear();
        assigned.Clear();
    }

    private void StartAttempt(int size)
    {
        attempt = new MetadataAssembler(infoHash, size);
        contributors.Clear();
        assigned.Clear();
        oneAtATime = false;
        owner = null;
    }

    private void Ban(Member member)
    {
        if (member.Banned)
            return;
        member.Banned = true;
        liars.Add(member.EndPoint);
        foreach (var piece in assigned.Where(a => a.Value == member).Select(a => a.Key).ToArray())
            assigned.Remove(piece);
        if (owner == member)
            owner = null;
    }

    private void Signal()
    {
        var previous = changed;
        changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }

    /// <summary>One peer's place in the fetch; its fields are guarded by the swarm's lock.</summary>
    internal sealed class Member
    {
        internal Member(PeerEndpoint endpoint, int size)
        {
            EndPoint = endpoint;
            Size = size;
        }

        public PeerEndpoint EndPoint { get; }

        /// <summary>The metadata size the peer claims.</summary>
        public int Size { get; }

        internal bool Banned { get; set; }

        internal bool Left { get; set; }

        internal bool IsActive => !Banned && !Left;

        /// <summary>SHA-1 of each piece the peer sent (20 bytes a piece, at most 2,048 pieces).</summary>
        internal Dictionary<int, byte[]> Digests { get; } = [];

        public override string ToString() => EndPoint.ToString();
    }
}
