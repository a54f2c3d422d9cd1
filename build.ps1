#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests and packages the Rustorrent module.
.DESCRIPTION
    Every task is a thin wrapper over plain `dotnet` commands, so machines without pwsh can run the same:
      Build    dotnet build Rustorrent.sln -c <Configuration>     (lays the module out under ./bin)
      Test     dotnet test Rustorrent.sln -c <Configuration>
      Package  dotnet build, then copy Rustorrent.psd1, bin/, en-US/ (help), LICENSE and README.md into
               artifacts/Rustorrent/<version>/, a folder Publish-PSResource or a PSModulePath can take.
.EXAMPLE
    ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Package -Configuration Release
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-Location -LiteralPath $PSScriptRoot

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

foreach ($name in $Task) {
    switch ($name) {
        'Build' {
            Invoke-Dotnet build Rustorrent.sln -c $Configuration
        }
        'Test' {
            Invoke-Dotnet test Rustorrent.sln -c $Configuration
        }
        'Package' {
            Invoke-Dotnet build src/Rustorrent.PowerShell -c $Configuration
            $version = (Import-PowerShellDataFile ./Rustorrent.psd1).ModuleVersion
            $target = Join-Path $PSScriptRoot "artifacts/Rustorrent/$version"
            if (Test-Path $target) { Remove-Item -Recurse -Force $target }
            New-Item -ItemType Directory -Path (Join-Path $target 'bin') -Force | Out-Null
            Copy-Item ./Rustorrent.psd1, ./LICENSE, ./README.md -Destination $target
            Copy-Item ./bin/* -Destination (Join-Path $target 'bin') -Recurse -Exclude '*.pdb'
            # Get-Help reads a binary module's help from <ModuleBase>/<culture>, beside the manifest (the build
            # generates it there from docs/en-US).
            Copy-Item ./en-US -Destination $target -Recurse
            Write-Host "Module laid out in $target"
        }
    }
}
