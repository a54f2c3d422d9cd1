using Xunit;
using System.Diagnostics;

namespace Rustorrent.TestKit;

/// <summary>
/// The real BitTorrent software tests run against. Each method returns the tool, or, when it is missing,
/// skips the test (developer machine; the test must be a [SkippableFact]/[SkippableTheory]) or fails it
/// (environment variable CI=true) with a message naming the package to install.
/// </summary>
public static class RequiredTool
{
    /// <summary>Debian's python, the only one that can import Debian's python3-libtorrent (a pyenv or venv python cannot).</summary>
    public const string SystemPython = "/usr/bin/python3";

    private static readonly Lazy<(ExternalTool? Tool, string Problem)> Python = new(ProbePython);
    private static readonly Lazy<(ExternalTool? Tool, string Problem)> OpentrackerTool = new(() => Locate("opentracker"));
    private static readonly Lazy<(ExternalTool? Tool, string Problem)> Aria2cTool = new(() => Locate("aria2c"));
    private static readonly Lazy<(ExternalTool? Tool, string Problem)> TransmissionCreateTool = new(() => Locate("transmission-create"));
    private static readonly Lazy<(ExternalTool? Tool, string Problem)> TransmissionCliTool = new(() => Locate("transmission-cli"));
    private static readonly Lazy<(ExternalTool? Tool, string Problem)> MktorrentTool = new(() => Locate("mktorrent"));

    /// <summary>True when the environment variable CI is "true": missing tools fail instead of skipping.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>/usr/bin/python3 able to <c>import libtorrent</c>.</summary>
    public static ExternalTool PythonWithLibtorrent() => Require(Python.Value, "python3-libtorrent");

    public static ExternalTool Opentracker() => Require(OpentrackerTool.Value, "opentracker");

    public static ExternalTool Aria2c() => Require(Aria2cTool.Value, "aria2");

    public static ExternalTool TransmissionCreate() => Require(TransmissionCreateTool.Value, "transmission-cli");

    public static ExternalTool TransmissionCli() => Require(TransmissionCliTool.Value, "transmission-cli");

    public static ExternalTool Mktorrent() => Require(MktorrentTool.Value, "mktorrent");

    /// <summary>The exception that skips (developer machine) or fails (CI=true) the current test, saying what to install.</summary>
    /// <param name="ci">Override of <see cref="IsCi"/>, for testing this rule itself.</param>
    public static Exception Missing(string problem, string debianPackage, bool? ci = null)
    {
        var message = $"{problem}. Install it with: apt-get install {debianPackage}";
        if (ci ?? IsCi)
            return new RequiredToolMissingException(message + " (CI=true, so a missing tool fails the test instead of skipping it).");
        return new SkipException(message);
    }

    private static ExternalTool Require((ExternalTool? Tool, string Problem) probe, string debianPackage) =>
        probe.Tool ?? throw Missing(probe.Problem, debianPackage);

    private static (ExternalTool?, string) Locate(string program)
    {
        var path = ExternalTool.Find(program);
        return path is null ? (null, $"'{program}' was not found on PATH") : (new ExternalTool(program, path), "");
    }

    private static (ExternalTool?, string) ProbePython()
    {
        if (!File.Exists(SystemPython))
            return (null, $"{SystemPython} does not exist");
        // Our scripts must not see a pyenv/venv's modules, nor write __pycache__ next to the test binaries.
        var environment = new Dictionary<string, string?>
        {
            ["PYTHONPATH"] = null,
            ["PYTHONHOME"] = null,
            ["PYTHONUNBUFFERED"] = "1",
            ["PYTHONDONTWRITEBYTECODE"] = "1",
        };
        var psi = new ProcessStartInfo(SystemPython)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("import libtorrent; print(libtorrent.__version__)");
        foreach (var (key, value) in environment)
        {
            if (value is null)
                psi.Environment.Remove(key);
            else
                psi.Environment[key] = value;
        }
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            return (null, $"{SystemPython} -c 'import libtorrent' did not finish within 30 s");
        }
        if (process.ExitCode != 0)
            return (null, $"{SystemPython} cannot import libtorrent ({stderr.Result.Trim().Split('\n').LastOrDefault()})");
        return (new ExternalTool("python3-libtorrent " + stdout.Result.Trim(), SystemPython, environment), "");
    }
}
