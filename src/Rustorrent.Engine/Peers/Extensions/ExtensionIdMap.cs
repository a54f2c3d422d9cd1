namespace Rustorrent.Peers.Extensions;

/// <summary>
/// The two id spaces of one connection (BEP 10): messages we send carry the id the peer chose for that
/// extension in its handshake; messages we receive carry the id we chose in ours. A later handshake from the
/// peer may add extensions or disable one with id 0. Owned by the connection's session (not thread-safe).
/// </summary>
internal sealed class ExtensionIdMap
{
    private readonly Dictionary<string, byte> remote = new(StringComparer.Ordinal);
    private readonly Dictionary<byte, string> localById = [];

    /// <param name="local">Our names and ids; null: ut_metadata and ut_pex with <see cref="ExtensionNames"/>' ids.</param>
    public ExtensionIdMap(IReadOnlyDictionary<string, byte>? local = null)
    {
        local ??= Default;
        foreach (var (name, id) in local)
        {
            if (id == ExtensionNames.HandshakeId)
                throw new ArgumentException($"Extended id 0 is the handshake; {name} needs another.", nameof(local));
            if (!localById.TryAdd(id, name))
                throw new ArgumentException($"Extended id {id} is given to both {localById[id]} and {name}.", nameof(local));
        }
        Local = local;
    }

    /// <summary>ut_metadata and ut_pex under our ids.</summary>
    public static IReadOnlyDictionary<string, byte> Default { get; } = new Dictionary<string, byte>(StringComparer.Ordinal)
    {
        [ExtensionNames.Metadata] = ExtensionNames.LocalMetadataId,
        [ExtensionNames.Pex] = ExtensionNames.LocalPexId,
    };

    /// <summary>Our names and ids, for our handshake's "m".</summary>
    public IReadOnlyDictionary<string, byte> Local { get; }

    /// <summary>True once a handshake from the peer has been applied.</summary>
    public bool HasRemoteHandshake { get; private set; }

    /// <summary>Applies the peer's (first or later) handshake: its ids replace earlier ones, id 0 disables.</summary>
    public void Update(ExtensionHandshake theirs)
    {
        ArgumentNullException.ThrowIfNull(theirs);
        foreach (var (name, id) in theirs.Messages)
        {
            if (id == 0)
                remote.Remove(name);
            else
                remote[name] = id;
        }
        HasRemoteHandshake = true;
    }

    /// <summary>The id to send <paramref name="name"/> messages with; false when the peer does not speak it.</summary>
    public bool TryGetRemoteId(string name, out byte id) => remote.TryGetValue(name, out id);

    public bool RemoteSupports(string name) => remote.ContainsKey(name);

    /// <summary>What a received extended message is: the extension we gave that id, or null (unknown: ignore it, BEP 10).</summary>
    public string? LocalName(byte id) => localById.GetValueOrDefault(id);
}
