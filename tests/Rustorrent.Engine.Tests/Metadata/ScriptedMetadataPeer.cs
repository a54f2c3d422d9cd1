using System.Buffers.Binary;
using System.Text;
using Rustorrent.Engine.Tests.Peers.Wire;
using Rustorrent.Metainfo;
using Rustorrent.Peers;
using Rustorrent.Peers.Extensions;

namespace Rustorrent.Engine.Tests.Metadata;

/// <summary>
/// A hostile (or honest) metadata peer written with raw bytes: it takes our connection, answers the handshake
/// with the extension bit, sends the extension handshake the test gives it, and answers each ut_metadata
/// request with whatever bytes the test's script returns (null: silence). Its own parsing is by hand, so
/// it does not trust the code under test.
/// </summary>
internal sealed class ScriptedMetadataPeer : IAsyncDisposable
{
    /// <summary>The id we receive ut_metadata under from the fetcher ("m" of our handshake below).</summary>
    public const byte OurMetadataId = 3;

    private readonly RawPeer raw = new();
    private readonly TaskCompletionSource<int> firstRequest = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? running;

    public PeerEndpoint EndPoint => raw.EndPoint;

    /// <summary>Completes with the first piece index the fetcher asks for.</summary>
    public Task<int> FirstRequest => firstRequest.Task;

    /// <summary>Completes when the script ends: the fetcher closed the connection (or never came, or went quiet).</summary>
    public Task Ended => ended.Task;

    /// <summary>Requests received, by piece.</summary>
    public List<int> Requests { get; } = [];

    /// <summary>True once the fetcher closed the connection.</summary>
    public bool ClosedByFetcher { get; private set; }

    /// <summary>Runs the peer: <paramref name="extensionHandshake"/> is the payload of its extended message 0;
    /// <paramref name="answer"/> maps a requested piece and the fetcher's ut_metadata id to a whole wire message.</summary>
    /// <param name="pexPayload">A ut_pex payload to send once the fetcher's extension handshake names its ut_pex id.</param>
    public void Start(InfoHash infoHash, byte[] extensionHandshake, Func<int, byte, byte[]?> answer, byte[]? pexPayload = null) =>
        running = Task.Run(() => RunAsync(infoHash, extensionHandshake, answer, pexPayload));

    /// <summary>An extension handshake with ut_metadata and the given metadata_size (any number, as a liar would).</summary>
    public static byte[] Handshake(long metadataSize) =>
        Encoding.ASCII.GetBytes($"d1:md11:ut_metadatai{OurMetadataId}ee13:metadata_sizei{metadataSize}e1:v7:raw/1.0e");

    /// <summary>An extended message (BEP 10): id 20, the extended id, the payload.</summary>
    public static byte[] Extended(byte extendedId, byte[] payload) => WireBytes.Message(20, [extendedId], payload);

    /// <summary>A ut_metadata data message, written by hand.</summary>
    public static byte[] DataMessage(byte fetchersId, int piece, long totalSize, ReadOnlySpan<byte> data) =>
        Extended(fetchersId, [.. Encoding.ASCII.GetBytes($"d8:msg_typei1e5:piecei{piece}e10:total_sizei{totalSize}ee"), .. data]);

    private async Task RunAsync(InfoHash infoHash, byte[] extensionHandshake, Func<int, byte, byte[]?> answer, byte[]? pexPayload)
    {
        try
        {
            await raw.AcceptAsync();
            var theirs = await raw.ReceiveExactlyAsync(68);
            Assert.Equal(infoHash.Truncated.ToArray(), theirs[28..48]);
            Assert.True((theirs[25] & 0x10) != 0, "the fetcher sets the extension bit (BEP 10)");
            // An empty extension handshake stands for a peer without BEP 10: no extension bit, no handshake.
            var extensions = extensionHandshake.Length > 0;
            await raw.SendAsync(WireBytes.Handshake(infoHash.Truncated.ToArray(), new PeerId("-RAW001-hostilepeer1"u8), reserved: extensions ? 0x10_0000UL : 0));
            if (extensions)
                await raw.SendAsync(Extended(0, extensionHandshake));
            byte fetchersId = 0;
            while (true)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(await raw.ReceiveExactlyAsync(4));
                if (length == 0)
                    continue;
                var body = await raw.ReceiveExactlyAsync(length);
                if (body[0] != 20)
                    continue;
                var text = Encoding.Latin1.GetString(body, 2, body.Length - 2);
                if (body[1] == 0)
                {
                    // "11:ut_metadatai<id>e" in the fetcher's handshake.
                    var at = text.IndexOf("11:ut_metadatai", StringComparison.Ordinal);
                    fetchersId = byte.Parse(text[(at + 15)..text.IndexOf('e', at + 15)]);
                    var pexAt = text.IndexOf("6:ut_pexi", StringComparison.Ordinal);
                    if (pexPayload is not null && pexAt >= 0)
                        await raw.SendAsync(Extended(byte.Parse(text[(pexAt + 9)..text.IndexOf('e', pexAt + 9)]), pexPayload));
                    continue;
                }
                if (body[1] != OurMetadataId || !text.StartsWith("d8:msg_typei0e5:piecei", StringComparison.Ordinal))
                    continue;
                var piece = int.Parse(text[22..text.IndexOf('e', 22)]);
                Requests.Add(piece);
                firstRequest.TrySetResult(piece);
                if (answer(piece, fetchersId) is { } reply)
                    await raw.SendAsync(reply);
            }
        }
        catch (Exception e) when (e is EndOfStreamException or System.Net.Sockets.SocketException or ObjectDisposedException or TimeoutException)
        {
            // Closed by the fetcher (or never dialled, or quiet past the raw peer's patience): the script ends.
            ClosedByFetcher = e is EndOfStreamException or System.Net.Sockets.SocketException;
        }
        finally
        {
            ended.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await raw.DisposeAsync();
        if (running is not null)
            await running.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
