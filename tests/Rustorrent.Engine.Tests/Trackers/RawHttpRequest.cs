namespace Rustorrent.Engine.Tests.Trackers;

/// <summary>One request as <see cref="RawHttpTracker"/> received it: the request line, its target (path and
/// query exactly as sent) and the headers.</summary>
internal sealed record RawHttpRequest(string RequestLine, string Target, IReadOnlyDictionary<string, string> Headers);
