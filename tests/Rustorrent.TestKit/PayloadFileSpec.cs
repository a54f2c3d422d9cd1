namespace Rustorrent.TestKit;

/// <summary>One file to generate: a '/'-separated path relative to the payload directory, and its length.</summary>
public sealed record PayloadFileSpec(string RelativePath, long Length);
