using System.Security.Cryptography;
using Rustorrent.Bencode;
using Rustorrent.Metainfo;

namespace Rustorrent.Engine.Tests.Metadata;

internal static class MetadataTestData
{
    /// <summary>A v1 info dictionary of <paramref name="pieces"/> 16 KiB pieces; its "pieces" string (20 bytes a
    /// piece) is what makes it large, 2,000 pieces being 40 KB: three ut_metadata pieces, the last one short.</summary>
    public static byte[] InfoDictionary(int pieces = 2000, string name = "file.bin", int seed = 1)
    {
        var hashes = new byte[pieces * 20];
        new Random(seed).NextBytes(hashes);
        return new BencodeDictionary
        {
            ["length"] = pieces * 16384L,
            ["name"] = name,
            ["piece length"] = 16384,
            ["pieces"] = hashes,
        }.Encode();
    }

    public static InfoHash V1Hash(byte[] info) => new(SHA1.HashData(info));

    public static InfoHash V2Hash(byte[] info) => new(SHA256.HashData(info));
}
