using System.Buffers;

namespace Rustorrent.Storage;

/// <summary>
/// Resume: finds which needed pieces are already on disk by reading and hashing them, so that a download
/// started again over existing files fetches only what is missing. Nothing on disk is trusted without its
/// hash, which is also why a killed process loses only pieces it had not verified yet. Missing or short
/// files simply leave their pieces missing; reading never creates or grows a file.
/// </summary>
internal static class ResumeChecker
{
    /// <summary>Pieces read and hashed at once: one reads while the other hashes, without flooding a slow disk.</summary>
    public const int DefaultParallelism = 2;

    /// <summary>
    /// Returns, by piece index, true for each needed piece whose bytes on disk match its SHA-1; pieces not
    /// needed are false. Runs on the thread pool with one pooled piece buffer per worker.
    /// </summary>
    public static async Task<bool[]> CheckAsync(
        TorrentStorage storage,
        IProgress<ResumeProgress>? progress = null,
        int parallelism = DefaultParallelism,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parallelism);
        var metainfo = storage.Metainfo;
        if (!PieceVerifier.CanVerify(metainfo))
            throw new NotSupportedException($"Torrent '{metainfo.Name}' is v2 only: checking existing files needs SHA-256 piece layers (BEP 52).");

        var needed = storage.GetNeededPieces();
        var toCheck = new List<int>(storage.NeededPieceCount);
        for (var piece = 0; piece < needed.Length; piece++)
        {
            if (needed[piece])
                toCheck.Add(piece);
        }
        var verified = new bool[needed.Length];
        var next = -1;
        var checkedCount = 0;
        var verifiedCount = 0;
        progress?.Report(new ResumeProgress(0, 0, toCheck.Count));

        async Task WorkAsync()
        {
            var buffer = ArrayPool<byte>.Shared.Rent(storage.Map.PieceLength);
            try
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < toCheck.Count)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var piece = toCheck[i];
                    var size = storage.Map.GetPieceSize(piece);
                    var ok = await storage.TryReadPieceAsync(piece, buffer.AsMemory(0, size), cancellationToken).ConfigureAwait(false)
                        && PieceVerifier.Verify(metainfo, piece, buffer.AsSpan(0, size));
                    if (ok)
                    {
                        verified[piece] = true;
                        Interlocked.Increment(ref verifiedCount);
                    }
                    var done = Interlocked.Increment(ref checkedCount);
                    progress?.Report(new ResumeProgress(done, Volatile.Read(ref verifiedCount), toCheck.Count));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        var workers = new Task[Math.Min(parallelism, Math.Max(1, toCheck.Count))];
        for (var w = 0; w < workers.Length; w++)
            workers[w] = Task.Run(WorkAsync, cancellationToken);
        await Task.WhenAll(workers).ConfigureAwait(false);
        return verified;
    }
}
