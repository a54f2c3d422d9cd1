using System.Security.Cryptography;

namespace Rustorrent.TestKit;

/// <summary>Writes deterministic pseudo-random files to seed torrents from, and hashes files to check downloads.</summary>
public static class Payload
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>
    /// Writes every file of <paramref name="spec"/> under <paramref name="directory"/> (folders included,
    /// empty files too) and returns them with their SHA-256. The bytes of a file depend only on the seed and
    /// its relative path.
    /// </summary>
    public static async Task<IReadOnlyList<PayloadFile>> CreateAsync(string directory, PayloadSpec spec, CancellationToken cancellationToken = default)
    {
        var created = new List<PayloadFile>(spec.Files.Count);
        var chunk = new byte[ChunkSize];
        foreach (var file in spec.Files)
        {
            if (file.Length < 0 || file.RelativePath.Length == 0 || Path.IsPathRooted(file.RelativePath) || file.RelativePath.Split('/').Contains(".."))
                throw new ArgumentException($"Bad payload file '{file.RelativePath}' ({file.Length} bytes): a relative path without '..' and a length >= 0.", nameof(spec));
            var fullPath = Path.Combine(directory, file.RelativePath.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
            var bytes = new DeterministicBytes(spec.Seed + "\0" + file.RelativePath);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var stream = new FileStream(fullPath, FileMode.Create, FileAccess.Write, FileShare.None, 0, useAsync: true))
            {
                for (var left = file.Length; left > 0;)
                {
                    var n = (int)Math.Min(ChunkSize, left);
                    bytes.Fill(chunk.AsSpan(0, n));
                    sha.AppendData(chunk, 0, n);
                    await stream.WriteAsync(chunk.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                    left -= n;
                }
            }
            created.Add(new PayloadFile(file.RelativePath, fullPath, file.Length, Convert.ToHexStringLower(sha.GetHashAndReset())));
        }
        return created;
    }

    /// <summary>SHA-256 of a file's content, lower-case hex.</summary>
    public static string Sha256Of(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
