namespace Rustorrent.Storage;

/// <summary>How far a check of existing files has got: pieces read so far, how many of them verified, out of how many.</summary>
internal readonly record struct ResumeProgress(int PiecesChecked, int PiecesVerified, int PiecesToCheck);
