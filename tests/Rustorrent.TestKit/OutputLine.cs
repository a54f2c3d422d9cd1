namespace Rustorrent.TestKit;

/// <summary>One line a <see cref="ManagedProcess"/> printed, numbered in the order it was read.</summary>
public readonly record struct OutputLine(long Sequence, bool IsStandardError, string Text)
{
    public override string ToString() => IsStandardError ? "err: " + Text : Text;
}
