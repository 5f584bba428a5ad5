using System.CommandLine;
using EventSsm.Cli;

namespace EventSsm.Tests.Cli;

/// <summary>Runs the eventssm command line in-process, so library exceptions reach the test instead of Program's one-line handler.</summary>
internal static class CliRunner
{
    /// <summary>Runs <paramref name="args"/>, asserts exit code 0 and returns what the command printed.</summary>
    public static string Run(params string[] args)
    {
        using var output = new StringWriter();
        int rc = Program.BuildRoot().Parse(args).Invoke(new InvocationConfiguration
        {
            Output = output,
            Error = output,
            EnableDefaultExceptionHandler = false,
        });
        Assert.True(rc == 0, output.ToString());
        return output.ToString();
    }
}
