using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Xml.Linq;
using Rustorrent.PowerShell.Tests.Infrastructure;

namespace Rustorrent.PowerShell.Tests.Formatting;

/// <summary>
/// A runspace on a <see cref="CapturingHost"/> with the repo's Rustorrent.psd1 imported, as a user's terminal of
/// <see cref="Width"/> columns would have it: <see cref="Render"/> pipes a script's output to Out-Default and
/// returns the text the formatter wrote (with PSStyle's colour codes: <see cref="Screen"/> reads it as seen). Format-List is not in this host (it is in Microsoft.PowerShell.Utility),
/// so with <c>listViewsFirst</c> the module's list views are loaded first, from a copy of its own format file:
/// Out-Default then shows those types as Format-List would.
/// </summary>
internal sealed class RenderingSession : IDisposable
{
    public const int Width = 120;

    private readonly CapturingHost host = new(Width);
    private readonly Runspace runspace;
    private readonly string? listViewFile;

    public RenderingSession(bool listViewsFirst = false)
    {
        var state = InitialSessionState.CreateDefault2();
        if (OperatingSystem.IsWindows())
            state.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
        if (listViewsFirst)
        {
            listViewFile = WriteListViews();
            state.Formats.Add(new SessionStateFormatEntry(listViewFile));
        }
        runspace = RunspaceFactory.CreateRunspace(host, state);
        runspace.Open();
        var import = Invoke("Import-Module -Name $args[0] -ErrorAction Stop", RepoPaths.Manifest);
        if (import.Errors.Count > 0)
            throw new InvalidOperationException("Import-Module failed: " + string.Join("; ", import.Errors));
    }

    /// <summary>Runs a script; positional arguments are available as $args. Errors are collected, not thrown.</summary>
    public PowerShellResult Invoke(string script, params object?[] arguments)
    {
        using var shell = System.Management.Automation.PowerShell.Create();
        shell.Runspace = runspace;
        shell.AddScript(script);
        foreach (var argument in arguments)
            shell.AddArgument(argument);
        var output = shell.Invoke();
        return new PowerShellResult(output, [.. shell.Streams.Error], [.. shell.Streams.Warning], [.. shell.Streams.Verbose], [.. shell.Streams.Progress]);
    }

    /// <summary>What the terminal shows for the objects the script outputs (the script's output piped to Out-Default).</summary>
    public string Render(string script, params object?[] arguments)
    {
        host.Clear();
        Invoke("& { " + script + " } @args | Out-Default", arguments).ThrowOnError();
        return host.Text;
    }

    public void Dispose()
    {
        runspace.Dispose();
        if (listViewFile is not null)
            File.Delete(listViewFile);
    }

    /// <summary>A format file holding only the module's list views (renamed so they cannot clash with the originals).</summary>
    private static string WriteListViews()
    {
        var source = XDocument.Load(Path.Combine(RepoPaths.Root, "src", "Rustorrent.PowerShell", "Rustorrent.format.ps1xml"));
        var lists = source.Descendants("View").Where(v => v.Element("ListControl") is not null).Select(v => new XElement(v)).ToList();
        if (lists.Count == 0)
            throw new InvalidOperationException("The module's format file has no list views.");
        foreach (var view in lists)
            view.Element("Name")!.Value += ".ListFirst";
        var path = Path.Combine(Path.GetTempPath(), $"rustorrent-list-views-{Guid.NewGuid():N}.format.ps1xml");
        new XDocument(new XElement("Configuration", new XElement("ViewDefinitions", lists))).Save(path);
        return path;
    }
}
