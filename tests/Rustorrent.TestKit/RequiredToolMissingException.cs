namespace Rustorrent.TestKit;

/// <summary>
/// A program a test needs is not installed and CI=true: a failure, never a skip, so that CI cannot go green
/// by silently testing less.
/// </summary>
public sealed class RequiredToolMissingException(string message) : Exception(message);
