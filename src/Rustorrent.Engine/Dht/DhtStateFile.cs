using System.Net.Sockets;
using Rustorrent.Bencode;

namespace Rustorrent.Dht;

/// <summary>
/// The node id and routing table kept between sessions, so that a restart needs no router and keeps its place
/// in the DHT (libtorrent does the same). Bencoded: {"id": 20 bytes, "nodes": compact IPv4 node info} for an
/// IPv4 node, "nodes6" with IPv6 node info for an IPv6 one (use one file per node).
/// </summary>
internal static class DhtStateFile
{
    /// <summary>Most nodes saved: every bucket of a well-filled table.</summary>
    public const int MaxNodes = 400;

    private const int MaxFileBytes = 64 * 1024;

    /// <summary>The IPv4 node's file in the user's data folder: %LOCALAPPDATA%\Rustorrent\dht.dat on Windows,
    /// ~/.local/share/Rustorrent/dht.dat elsewhere.</summary>
    public static string DefaultPath => DefaultPathFor(AddressFamily.InterNetwork);

    /// <summary>The default file of the node of <paramref name="family"/>: dht.dat (IPv4) or dht6.dat (IPv6), each
    /// node keeping its own table.</summary>
    public static string DefaultPathFor(AddressFamily family) =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
            "Rustorrent", family == AddressFamily.InterNetworkV6 ? "dht6.dat" : "dht.dat");

    public static async Task SaveAsync(string path, NodeId id, IReadOnlyList<DhtContact> nodes, CancellationToken cancellationToken = default)
    {
        var state = new BencodeDictionary
        {
            ["id"] = id.Span.ToArray(),
            ["nodes"] = DhtContact.ToCompactList(nodes.Take(MaxNodes), AddressFamily.InterNetwork),
            ["nodes6"] = DhtContact.ToCompactList(nodes.Take(MaxNodes), AddressFamily.InterNetworkV6),
        };
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        // Written aside and moved over, so a crash mid-write never leaves a torn file.
        var temporary = path + ".tmp";
        await File.WriteAllBytesAsync(temporary, state.Encode(), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a saved state, the nodes of <paramref name="family"/>; null when there is none or it is
    /// unreadable (a fresh start is the cure).</summary>
    public static (NodeId Id, List<DhtContact> Nodes)? TryLoad(string path, AddressFamily family = AddressFamily.InterNetwork)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length > MaxFileBytes)
                return null;
            var root = BencodeDocument.Parse(File.ReadAllBytes(path)).Root;
            if (!root.IsDictionary || !root.TryGetValue("id"u8, out var id) || !id.IsString || id.Count != NodeId.Length)
                return null;
            var nodes = new List<DhtContact>();
            var key = family == AddressFamily.InterNetworkV6 ? "nodes6"u8 : "nodes"u8;
            if (root.TryGetValue(key, out var n) && n.IsString)
                DhtContact.ReadCompactList(n.StringSpan, family, nodes, MaxNodes);
            return (new NodeId(id.StringSpan), nodes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BencodeException)
        {
            return null;
        }
    }
}
