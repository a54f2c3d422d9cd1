namespace Rustorrent.Downloads;

/// <summary>A download that cannot finish, with the reason in plain words (no peers, disk full, ...).</summary>
internal sealed class DownloadFailedException(string message, Exception? inner = null) : Exception(message, inner);
