namespace Rustorrent.TestKit;

/// <summary>A generated file: its '/'-separated path relative to the payload directory, full path, length and SHA-256 (lower-case hex).</summary>
public sealed record PayloadFile(string RelativePath, string FullPath, long Length, string Sha256);
