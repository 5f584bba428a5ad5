using System.CommandLine;
using EventSsm.IO;
using static TorchSharp.torch;

namespace EventSsm.Cli;

/// <summary>
/// One run of a command: its parsed values, the invocation's writers (all output goes through them, so tests capture
/// it), the shared options and the cancellation token. Commands get it from <see cref="CliActions.SetCliAction"/>.
/// </summary>
public sealed class CliInvocation
{
    private readonly RoutedWriter _out;

    internal CliInvocation(ParseResult parse, CancellationToken cancellation)
    {
        Parse = parse;
        Cancellation = cancellation;
        _out = new RoutedWriter(parse.InvocationConfiguration.Output);
    }

    public ParseResult Parse { get; }

    public CancellationToken Cancellation { get; }

    /// <summary>Results and log lines (stdout).</summary>
    public TextWriter Out => _out;

    /// <summary>Progress and diagnostics (stderr).</summary>
    public TextWriter Error => Parse.InvocationConfiguration.Error;

    /// <summary>The value of <see cref="SharedOptions.Device"/> (the command must have added it).</summary>
    public Device Device => Parse.GetValue<Device>(SharedOptions.DeviceName)!;

    /// <summary>The value of <see cref="SharedOptions.ConfigDir"/>; null lets the library search (<see cref="Config.ConfigLocator"/>).</summary>
    public string? ConfigDirectory => Parse.GetValue<string?>(SharedOptions.ConfigDirName);

    /// <summary>The value of <see cref="SharedOptions.Checkpoint"/> as a full path, or null when not given.</summary>
    public string? Checkpoint => Parse.GetValue<string?>(SharedOptions.CheckpointName) is { } path ? Path.GetFullPath(path) : null;

    /// <summary>The value of <see cref="SharedOptions.Shard"/> (the command must have added it).</summary>
    public Datasets.Shard Shard => Parse.GetValue<Datasets.Shard>(SharedOptions.ShardName)!;

    public T? GetValue<T>(Option<T> option) => Parse.GetValue(option);

    public T? GetValue<T>(Argument<T> argument) => Parse.GetValue(argument);

    /// <summary>
    /// Runs <paramref name="work"/> with the command's one progress display (<see cref="ProgressDisplay"/>) on the
    /// error writer; <see cref="Out"/> stays usable meanwhile.
    /// </summary>
    public T WithProgress<T>(Func<IProgress<ProgressReport>, T> work) =>
        ProgressDisplay.Run(_out, Parse.InvocationConfiguration.Output, Error, work);

    /// <summary>Sets torch's thread count when the command has <see cref="SharedOptions.Threads"/>.</summary>
    internal void ApplyThreads()
    {
        if (Parse.CommandResult.Command.Options.Any(o => o.Name == SharedOptions.ThreadsName)
            && Parse.GetValue<int>(SharedOptions.ThreadsName) is int threads && threads > 0)
        {
            set_num_threads(threads);
        }
    }
}

/// <summary>How a command sets its action: with a <see cref="CliInvocation"/>, returning an exit code (<see cref="ExitCodes"/>).</summary>
public static class CliActions
{
    /// <summary>
    /// Sets <paramref name="action"/> as the command's action. It runs on a worker thread, so Ctrl+C reaches it through
    /// <see cref="CliInvocation.Cancellation"/> while it computes; exceptions go to <see cref="Program"/>'s handler.
    /// </summary>
    public static void SetCliAction(this Command command, Func<CliInvocation, int> action)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(action);
        command.SetAction((parse, ct) => Task.Run(() =>
        {
            var cli = new CliInvocation(parse, ct);
            cli.ApplyThreads();
            int code = action(cli);
            cli.Out.Flush();
            return code;
        }, CancellationToken.None));
    }
}
