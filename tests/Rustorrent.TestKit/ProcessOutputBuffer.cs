using System.Text;

namespace Rustorrent.TestKit;

/// <summary>
/// The most recent lines a process printed, at most <c>maxChars</c> characters in all, so a chatty or
/// hostile child cannot make the test host allocate without bound. Thread-safe.
/// </summary>
internal sealed class ProcessOutputBuffer
{
    private readonly object gate = new();
    private readonly Queue<OutputLine> lines = new();
    private readonly int maxChars;
    private long chars;
    private long nextSequence;

    public ProcessOutputBuffer(int maxChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 1024);
        this.maxChars = maxChars;
    }

    /// <summary>True once any line was dropped or cut because the buffer was full.</summary>
    public bool Truncated { get; private set; }

    public void Add(bool isStandardError, string text)
    {
        lock (gate)
        {
            if (text.Length > maxChars)
            {
                text = text[..maxChars];
                Truncated = true;
            }
            while (chars + text.Length > maxChars && lines.Count > 0)
            {
                chars -= lines.Dequeue().Text.Length;
                Truncated = true;
            }
            lines.Enqueue(new OutputLine(nextSequence++, isStandardError, text));
            chars += text.Length;
        }
    }

    /// <summary>The kept lines numbered <paramref name="fromSequence"/> or later, and the number the next line will get.</summary>
    public (List<OutputLine> Lines, long NextSequence) Since(long fromSequence)
    {
        lock (gate)
            return (lines.Where(l => l.Sequence >= fromSequence).ToList(), nextSequence);
    }

    public string Text(bool? standardError = null)
    {
        lock (gate)
        {
            var sb = new StringBuilder();
            foreach (var line in lines)
            {
                if (standardError is null)
                    sb.Append(line.ToString()).Append('\n');
                else if (line.IsStandardError == standardError)
                    sb.Append(line.Text).Append('\n');
            }
            return sb.ToString();
        }
    }
}
