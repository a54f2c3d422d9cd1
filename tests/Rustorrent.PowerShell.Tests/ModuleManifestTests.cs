using System.Management.Automation;
using System.Management.Automation.Language;
using Rustorrent.PowerShell.Tests.Infrastructure;

namespace Rustorrent.PowerShell.Tests;

/// <summary>The manifest and build script as PowerShell itself reads them.</summary>
public sealed class ModuleManifestTests : IDisposable
{
    private readonly PowerShellSession shell = new();

    public void Dispose() => shell.Dispose();

    [Fact]
    public void Manifest_passes_Test_ModuleManifest_with_the_required_fields()
    {
        var manifest = (PSModuleInfo)shell.Invoke("Test-ModuleManifest -Path $args[0]", RepoPaths.Manifest).ThrowOnError().Output.Single().BaseObject;

        Assert.Equal(["Core"], manifest.CompatiblePSEditions);
        Assert.Equal(new Version(7, 4), manifest.PowerShellVersion);
        Assert.False(string.IsNullOrWhiteSpace(manifest.Description));
        Assert.NotNull(manifest.ProjectUri);
        Assert.NotNull(manifest.LicenseUri);
        Assert.Contains("BitTorrent", manifest.Tags);
        Assert.Contains(manifest.ExportedFormatFiles, f => f.EndsWith("Rustorrent.format.ps1xml", StringComparison.Ordinal));
    }

    [Fact]
    public void CmdletsToExport_lists_exactly_the_cmdlets_the_assembly_defines()
    {
        var declared = shell.Module.ExportedCmdlets.Keys.Order().ToList();
        var defined = shell.Module.ImplementingAssembly!.GetExportedTypes()
            .Select(t => t.GetCustomAttributes(typeof(CmdletAttribute), false).Cast<CmdletAttribute>().SingleOrDefault())
            .Where(a => a is not null)
            .Select(a => $"{a!.VerbName}-{a.NounName}")
            .Order()
            .ToList();

        Assert.Equal(defined, declared);
        Assert.All(shell.Module.ExportedCmdlets.Values, c => Assert.NotEmpty(c.OutputType));
    }

    [Fact]
    public void Build_script_parses_and_offers_Build_Test_and_Package()
    {
        var ast = Parser.ParseFile(Path.Combine(RepoPaths.Root, "build.ps1"), out _, out var errors);

        Assert.Empty(errors);
        var task = ast.ParamBlock!.Parameters.Single(p => p.Name.VariablePath.UserPath == "Task");
        var validateSet = task.Attributes.OfType<AttributeAst>().Single(a => a.TypeName.Name == "ValidateSet");
        Assert.Equal(["Build", "Test", "Package"], validateSet.PositionalArguments.Cast<StringConstantExpressionAst>().Select(s => s.Value));
    }
}
