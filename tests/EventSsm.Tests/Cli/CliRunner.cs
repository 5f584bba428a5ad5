using System.Diagnostics;
using EventSsm.Cli;

namespace EventSsm.Tests.Cli;

/// <summary>What one command line did: its exit code and what it wrote to each writer.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error);

/// <summary>
/// Runs the eventssm command line in-process through <see cref="Program.Run"/>, the path <c>Main</c> takes, with
/// string writers, so tests see the exit code and every line the command printed.
/// </summary>
internal static class CliRunner
{
    /// <summary>Runs <paramref name="args"/>, asserts exit code 0 and returns what the command wrote to its output.</summary>
    public static string Run(params string[] args)
    {
        CliResult r = Invoke(args);
        Assert.True(r.ExitCode == 0, $"exit code {r.ExitCode}\n{r.Error}\n{r.Output}");
        return r.Output;
    }

    /// <summary>
    /// The eventssm program as a separate process (<c>dotnet EventSsm.Cli.dll args</c>, output and error redirected),
    /// for what only a real process shows: its own allocator, being killed.
    /// </summary>
    public static ProcessStartInfo ProcessStart(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "EventSsm.Cli.dll"));
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        return psi;
    }

    /// <summary>Runs <paramref name="args"/> and returns whatever happened.</summary>
    public static CliResult Invoke(string[] args, CancellationToken cancellation = default)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int rc = Program.Run(args, output, error, cancellation);
        return new CliResult(rc, output.ToString(), error.ToString());
    }

    /// <summary>Runs <paramref name="args"/>, asserts exit code 2 (bad input) and returns the single error line.</summary>
    public static string BadInput(params string[] args)
    {
        CliResult r = Invoke(args);
        Assert.True(r.ExitCode == ExitCodes.BadInput, $"exit code {r.ExitCode}\n{r.Error}\n{r.Output}");
        string[] lines = r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string line = Assert.Single(lines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        return line;
    }
}
