using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Rustorrent.PowerShell.Tests.Infrastructure;

namespace Rustorrent.PowerShell.Tests.Examples;

/// <summary>
/// A runspace for running documentation examples: the module imported from Rustorrent.psd1, the example's
/// folder as the current location, a few shims for cmdlets the test host lacks, and every script bounded in
/// time (stopped, and the test failed, when it runs too long). Like <see cref="PowerShellSession"/>, but an
/// example that hangs must not hang the suite.
/// </summary>
internal sealed class ExampleSession : IDisposable
{
    /// <summary>
    /// The test host has only Microsoft.PowerShell.Core's cmdlets. These functions stand in for the
    /// Management and Utility cmdlets the examples use, doing what those do for the arguments the examples
    /// pass: Get-Content and Get-ChildItem read files through the FileSystem provider (so the items carry
    /// PSPath, which binds to -LiteralPath as with the real cmdlet), Sort-Object sorts by one property,
    /// Start-Sleep sleeps. Format-Table and Format-List pass the objects through unformatted: the output is
    /// then the objects the real cmdlets would format (the format views are not what these tests check).
    /// </summary>
    public const string Shims = """
        function Get-Content {
            param([Parameter(Position = 0)][string[]] $Path, [string[]] $LiteralPath)
            $files = if ($LiteralPath) { $LiteralPath | ForEach-Object { $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($_) } }
                     else { $Path | ForEach-Object { $ExecutionContext.SessionState.Path.GetResolvedProviderPathFromPSPath($_, [ref]$null) } }
            foreach ($file in $files) { [System.IO.File]::ReadAllLines($file) }
        }
        function Get-ChildItem {
            param([Parameter(Position = 0)][string[]] $Path = '.', [string] $Filter = '*', [switch] $Recurse)
            $ExecutionContext.SessionState.InvokeProvider.ChildItem.Get($Path, $Recurse.IsPresent, $false, $false) |
                Where-Object { $_.PSChildName -like $Filter }
        }
        function Sort-Object {
            param([Parameter(Position = 0)][string] $Property, [switch] $Descending, [Parameter(ValueFromPipeline)] $InputObject)
            begin { $list = [System.Collections.Generic.List[object]]::new() }
            process { $list.Add($InputObject) }
            end {
                $items = $list.ToArray()
                $keys = [object[]]@($items | ForEach-Object { $_.$Property })
                [array]::Sort($keys, $items)
                if ($Descending) { [array]::Reverse($items) }
                $items
            }
        }
        function Start-Sleep { param([Parameter(Position = 0)][double] $Seconds) [System.Threading.Thread]::Sleep([timespan]::FromSeconds($Seconds)) }
        function Format-Table { process { $_ } }
        function Format-List { process { $_ } }
        """;

    private readonly Runspace runspace;

    public ExampleSession(string workingDirectory)
    {
        runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        runspace.SessionStateProxy.Path.SetLocation(WildcardPattern.Escape(workingDirectory));
        var setup = Invoke("Import-Module -Name $args[0] -ErrorAction Stop\n" + Shims, TimeSpan.FromSeconds(60), RepoPaths.Manifest);
        if (setup.Errors.Count > 0 || setup.Terminating is not null)
            throw new InvalidOperationException("Import-Module failed: " + string.Join("; ", setup.Errors) + setup.Terminating);
    }

    /// <summary>Runs a script; a terminating error is returned in <see cref="ExampleRun.Terminating"/>, not thrown.</summary>
    public ExampleRun Invoke(string script, TimeSpan timeout, params object?[] arguments)
    {
        using var shell = System.Management.Automation.PowerShell.Create();
        shell.Runspace = runspace;
        shell.AddScript(script);
        foreach (var argument in arguments)
            shell.AddArgument(argument);
        var output = new PSDataCollection<PSObject>();
        var pending = shell.BeginInvoke<PSObject, PSObject>(null, output);
        if (!pending.AsyncWaitHandle.WaitOne(timeout))
        {
            shell.Stop();
            throw new TimeoutException($"The script ran for more than {timeout.TotalSeconds:0} s and was stopped:\n{script}");
        }
        RuntimeException? terminating = null;
        try
        {
            shell.EndInvoke(pending);
        }
        catch (RuntimeException e)
        {
            terminating = e;
        }
        return new ExampleRun([.. output], [.. shell.Streams.Error], [.. shell.Streams.Warning.Select(w => w.Message)], terminating);
    }

    public void Dispose() => runspace.Dispose();
}

/// <summary>What an example script did: its output, error records, warning messages and the terminating error, if any.</summary>
internal sealed record ExampleRun(IReadOnlyList<PSObject> Output, IReadOnlyList<ErrorRecord> Errors, IReadOnlyList<string> Warnings, RuntimeException? Terminating);
