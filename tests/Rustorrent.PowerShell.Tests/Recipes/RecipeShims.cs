using Rustorrent.PowerShell.Tests.Infrastructure;

namespace Rustorrent.PowerShell.Tests.Recipes;

/// <summary>
/// The cmdlets the recipes use that this test host lacks. The hosted engine has only Microsoft.PowerShell.Core;
/// Get-Content and Get-ChildItem (Microsoft.PowerShell.Management) and Write-Warning (Microsoft.PowerShell.Utility)
/// are defined here as small functions with the parameters the recipes use and the same results: lines of a file,
/// the provider's FileInfo objects (with PSPath, which binds to -LiteralPath), a record in the warning stream.
/// </summary>
internal static class RecipeShims
{
    private const string Functions = """
        function global:Get-Content {
            param([Parameter(Mandatory)] [string] $LiteralPath)
            [System.IO.File]::ReadAllLines($ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($LiteralPath))
        }
        function global:Get-ChildItem {
            param([Parameter(Mandatory)] [string] $LiteralPath, [string] $Filter, [switch] $File)
            $ExecutionContext.InvokeProvider.ChildItem.Get([string[]] @($LiteralPath), $false, $false, $true) |
                Where-Object { (-not $File -or -not $_.PSIsContainer) -and (-not $Filter -or $_.Name -like $Filter) }
        }
        function global:Write-Warning {
            [CmdletBinding()]
            param([Parameter(Mandatory, Position = 0)] [string] $Message)
            $PSCmdlet.WriteWarning($Message)
        }
        """;

    public static void Define(PowerShellSession session) => session.Invoke(Functions).ThrowOnError();
}
