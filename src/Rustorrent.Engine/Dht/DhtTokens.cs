using System.Net;
using System.Security.Cryptography;

namespace Rustorrent.Dht;

/// <summary>
/// Write tokens for announce_peer (BEP 5): a get_peers reply carries a token bound to the asker's IP address,
/// and only that address may announce with it, for up to ten minutes. The token is a hash of the address and a
/// secret that changes every five minutes; the previous secret is still accepted, so a token lives 5 to 10
/// minutes. Thread-safe.
/// </summary>
internal sealed class DhtTokens
{
    public const int TokenLength = 8;
    public static readonly TimeSpan RotationInterval = TimeSpan.FromMinutes(5);

    private const int SecretLength = 16;
    private readonly object gate = new();
    private readonly TimeProvider time;
    private byte[] current = NewSecret();
    private byte[] previous = NewSecret();
    private DateTimeOffset rotatedAt;

    public DhtTokens(TimeProvider? timeProvider = null)
    {
        time = timeProvider ?? TimeProvider.System;
        rotatedAt = time.GetUtcNow();
    }

    public byte[] Issue(IPAddress address)
    {
        lock (gate)
        {
            Rotate();
            return Compute(current, address);
        }
    }

    public bool IsValid(ReadOnlySpan<byte> token, IPAddress address)
    {
        if (token.Length != TokenLength)
            return false;
        lock (gate)
        {
            Rotate();
            return CryptographicOperations.FixedTimeEquals(token, Compute(current, address))
                || CryptographicOperations.FixedTimeEquals(token, Compute(previous, address));
        }
    }

    private void Rotate()
    {
        var now = time.GetUtcNow();
        var elapsed = now - rotatedAt;
        if (elapsed < RotationInterval)
            return;
        // Two intervals or more: both secrets are too old.
        previous = elapsed >= 2 * RotationInterval ? NewSecret() : current;
        current = NewSecret();
        rotatedAt = now;
    }

    private static byte[] Compute(byte[] secret, IPAddress address)
    {
        Span<byte> input = stackalloc byte[SecretLength + 16];
        secret.CopyTo(input);
        address.TryWriteBytes(input[SecretLength..], out var written);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input[..(SecretLength + written)], hash);
        return hash[..TokenLength].ToArray();
    }

    private static byte[] NewSecret() => RandomNumberGenerator.GetBytes(SecretLength);
}
