using System.CommandLine;

namespace EventSsm.Cli;

/// <summary>
/// One `eventssm` sub-command. Every non-abstract implementation in this assembly is discovered and registered by
/// <see cref="Program"/>, so adding a command means adding one file under Commands/:
/// <code>
/// var input = new Argument&lt;FileInfo&gt;("INPUT") { Description = "…" };
/// var cmd = new Command("name", "What it does.");
/// cmd.Arguments.Add(input);
/// cmd.Options.Add(SharedOptions.Device());          // shared options: SharedOptions, read via CliInvocation
/// cmd.SetCliAction(cli =>
/// {
///     Result r = cli.WithProgress(progress =>         // the one progress display, only for long work
///         Library.Run(cli.GetValue(input)!.FullName, cli.Device, progress, cli.Cancellation));
///     cli.Out.WriteLine($"wrote {r.Path}");           // all output through cli.Out / cli.Error
///     return ExitCodes.Success;
/// });
/// </code>
/// The action parses and calls one library entry point; it holds no loops or tensors. Exceptions need no handling:
/// <see cref="Program"/> turns them into one error line and the exit code.
/// </summary>
public interface ICliCommand
{
    Command Create();
}
