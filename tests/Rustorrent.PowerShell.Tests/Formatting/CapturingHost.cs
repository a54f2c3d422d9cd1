using System.Globalization;
using System.Management.Automation.Host;

namespace Rustorrent.PowerShell.Tests.Formatting;

/// <summary>
/// A PowerShell host without a console: what Out-Default (and Write-Host) writes is kept as text, and the
/// formatter sees a buffer <see cref="CapturingRawUserInterface.Width"/> columns wide, as a terminal of that width.
/// </summary>
internal sealed class CapturingHost(int width) : PSHost
{
    private readonly CapturingHostUserInterface ui = new(new CapturingRawUserInterface(width));

    public override string Name => "Rustorrent.Tests.CapturingHost";

    public override Version Version { get; } = new(1, 0);

    public override Guid InstanceId { get; } = Guid.NewGuid();

    public override PSHostUserInterface UI => ui;

    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;

    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

    /// <summary>Everything written to the host so far.</summary>
    public string Text => ui.Text;

    public void Clear() => ui.Clear();

    public override void SetShouldExit(int exitCode)
    {
    }

    public override void EnterNestedPrompt() => throw new NotSupportedException("no nested prompts in tests");

    public override void ExitNestedPrompt() => throw new NotSupportedException("no nested prompts in tests");

    public override void NotifyBeginApplication()
    {
    }

    public override void NotifyEndApplication()
    {
    }
}
