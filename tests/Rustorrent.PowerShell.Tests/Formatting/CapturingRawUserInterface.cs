using System.Management.Automation.Host;

namespace Rustorrent.PowerShell.Tests.Formatting;

/// <summary>A fixed-size buffer with no screen behind it: the formatter only asks for its width.</summary>
internal sealed class CapturingRawUserInterface(int width) : PSHostRawUserInterface
{
    public int Width { get; } = width;

    public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;

    public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;

    public override Coordinates CursorPosition { get; set; }

    public override Coordinates WindowPosition { get; set; }

    public override int CursorSize { get; set; } = 1;

    public override Size BufferSize
    {
        get => new(Width, 3000);
        set => throw new NotSupportedException("the test buffer has a fixed size");
    }

    public override Size WindowSize
    {
        get => new(Width, 50);
        set => throw new NotSupportedException("the test window has a fixed size");
    }

    public override Size MaxWindowSize => WindowSize;

    public override Size MaxPhysicalWindowSize => WindowSize;

    public override bool KeyAvailable => false;

    public override string WindowTitle { get; set; } = "";

    public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException("the test host cannot read keys");

    public override void FlushInputBuffer()
    {
    }

    public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) => throw new NotSupportedException("no screen buffer");

    public override void SetBufferContents(Rectangle rectangle, BufferCell fill) => throw new NotSupportedException("no screen buffer");

    public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException("no screen buffer");

    public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) =>
        throw new NotSupportedException("no screen buffer");
}
