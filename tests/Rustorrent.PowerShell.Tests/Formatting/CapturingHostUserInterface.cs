using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace Rustorrent.PowerShell.Tests.Formatting;

/// <summary>Keeps what is written to the host; the non-output streams go in too, marked, so a test sees them.
/// Nothing can be read: a prompt fails the test.</summary>
internal sealed class CapturingHostUserInterface(CapturingRawUserInterface raw) : PSHostUserInterface
{
    private readonly StringBuilder text = new();
    private readonly object gate = new();

    public override PSHostRawUserInterface RawUI => raw;

    public string Text
    {
        get
        {
            lock (gate)
                return text.ToString();
        }
    }

    public void Clear()
    {
        lock (gate)
            text.Clear();
    }

    public override void Write(string value)
    {
        lock (gate)
            text.Append(value);
    }

    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Write(value);

    public override void WriteLine(string value) => Write(value + "\n");

    public override void WriteErrorLine(string value) => WriteLine("ERROR: " + value);

    public override void WriteDebugLine(string message) => WriteLine("DEBUG: " + message);

    public override void WriteVerboseLine(string message) => WriteLine("VERBOSE: " + message);

    public override void WriteWarningLine(string message) => WriteLine("WARNING: " + message);

    public override void WriteProgress(long sourceId, ProgressRecord record)
    {
    }

    public override string ReadLine() => throw new NotSupportedException("the test host cannot read input");

    public override SecureString ReadLineAsSecureString() => throw new NotSupportedException("the test host cannot read input");

    public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
        throw new NotSupportedException("the test host cannot prompt: " + message);

    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
        throw new NotSupportedException("the test host cannot prompt: " + message);

    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
        PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
        throw new NotSupportedException("the test host cannot prompt: " + message);

    public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) =>
        throw new NotSupportedException("the test host cannot prompt: " + message);
}
