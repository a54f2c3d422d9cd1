using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace Rustorrent.PowerShell.Tests.Infrastructure;

/// <summary>
/// A runspace on the real PowerShell engine with the repo's Rustorrent.psd1 imported, as a user would.
/// Every PowerShell test goes through this one helper. The host has only Microsoft.PowerShell.Core's cmdlets
/// (no Set-Location, Get-Content, Add-Member, Select-Object...): test scripts use .NET calls instead.
/// </summary>
internal sealed class PowerShellSession : IDisposable
{
    private readonly Runspace runspace;

    public PowerShellSession(string? workingDirectory = null)
    {
        var state = InitialSessionState.CreateDefault2();
        if (OperatingSystem.IsWindows())
            state.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
        runspace = RunspaceFactory.CreateRunspace(state);
        runspace.Open();
        var import = Invoke("Import-Module -Name $args[0] -ErrorAction Stop -PassThru", RepoPaths.Manifest);
        if (import.Errors.Count > 0 || import.Output.Count != 1)
            throw new InvalidOperationException("Import-Module failed: " + string.Join("; ", import.Errors));
        Module = (PSModuleInfo)import.Output[0].BaseObject;
        if (workingDirectory is not null)
            runspace.SessionStateProxy.Path.SetLocation(WildcardPattern.Escape(workingDirectory)); // no Set-Location in this host
    }

    public PSModuleInfo Module { get; }

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

    public void Dispose() => runspace.Dispose();
}

internal sealed record PowerShellResult(
    Collection<PSObject> Output,
    IReadOnlyList<ErrorRecord> Errors,
    IReadOnlyList<WarningRecord> Warnings,
    IReadOnlyList<VerboseRecord> Verbose,
    IReadOnlyList<ProgressRecord> Progress)
{
    public PowerShellResult ThrowOnError()
    {
        if (Errors.Count > 0)
            throw new InvalidOperationException("The script wrote errors: " + string.Join("; ", Errors.Select(e => e.ToString())));
        return this;
    }

    /// <summary>The output's base objects, checked to be of the module type named (e.g. "TorrentInfo").
    /// The tests do not reference the module's assembly (the module is imported from its manifest only),
    /// so they read its objects through <c>dynamic</c>.</summary>
    public IReadOnlyList<dynamic> OutputOf(string typeName)
    {
        foreach (var item in Output)
            Assert.Equal("Rustorrent.PowerShell." + typeName, item.BaseObject.GetType().FullName);
        return Output.Select(o => (dynamic)o.BaseObject).ToList();
    }

    /// <summary>The elements of an array property read through <c>dynamic</c>.</summary>
    public static IReadOnlyList<dynamic> Items(object array) => ((System.Collections.IEnumerable)array).Cast<dynamic>().ToList();
}
