using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using EventSsm.IO;
using EventSsm.Training;

namespace EventSsm.Cli;

/// <summary>
/// The <c>eventssm</c> entry point: parses, runs the command and turns what happened into one exit code
/// (<see cref="ExitCodes"/>) and, for errors, one line on the error writer (the stack trace with <c>--verbose</c>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        // --allocator another than this process's: the command runs in a child process that preloads it.
        if (AllocatorLaunch.Requested(args) is string allocator)
        {
            return AllocatorLaunch.Relaunch(allocator, args, Console.Error);
        }
        AllocatorLaunch.SettleChild();
        // The first Ctrl+C cancels the command, which stops at its next check (exit code 130); a second one kills it.
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (!cancel.IsCancellationRequested)
            {
                e.Cancel = true;
                cancel.Cancel();
            }
        };
        return Run(args, Console.Out, Console.Error, cancel.Token);
    }

    /// <summary>Runs a command line with the given writers (tests pass string writers) and cancellation.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        RootCommand root = BuildRoot();
        ParseResult parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            Command command = parse.CommandResult.Command;
            string help = command == root ? "eventssm --help" : $"eventssm {command.Name} --help";
            foreach (System.CommandLine.Parsing.ParseError e in parse.Errors)
            {
                // One line: System.CommandLine lists allowed values on lines of their own.
                string message = string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                error.WriteLine($"error: {message} (see {help})");
            }
            return ExitCodes.BadInput;
        }
        if (parse.GetValue<string?>(SharedOptions.AllocatorName) is string wanted && wanted != HostAllocator.Active)
        {
            // Only Main can start the command again with another allocator; a caller of Run gets this process's.
            error.WriteLine($"error: {SharedOptions.AllocatorName} {wanted}: this process runs {HostAllocator.Active}'s malloc, "
                + "and the allocator is chosen when eventssm starts");
            return ExitCodes.BadInput;
        }
        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null, // Main's Ctrl+C handler cancels instead
        };
        try
        {
            return parse.InvokeAsync(configuration, cancellation).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            return Report(e, error, parse.GetValue<bool>(SharedOptions.VerboseName));
        }
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("EventSsm: state-space object detection for event cameras (S5-ViT / RVT in .NET).");
        root.Options.Add(SharedOptions.Verbose());
        root.Options.Add(SharedOptions.Allocator());
        IEnumerable<Command> commands = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(ICliCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => ((ICliCommand)Activator.CreateInstance(t)!).Create())
            .OrderBy(c => c.Name, StringComparer.Ordinal);
        foreach (Command c in commands)
        {
            root.Subcommands.Add(c);
        }
        return root;
    }

    /// <summary>Writes the error line (or the stack trace) and returns the exit code of <paramref name="e"/>.</summary>
    private static int Report(Exception e, TextWriter error, bool verbose)
    {
        e = Unwrap(e);
        if (e is OperationCanceledException)
        {
            error.WriteLine("cancelled");
            return ExitCodes.Cancelled;
        }
        bool user = IsUserError(e);
        if (verbose)
        {
            error.WriteLine($"error: {e}");
        }
        else if (user)
        {
            error.WriteLine($"error: {FirstLine(e.Message)}");
        }
        else
        {
            error.WriteLine($"error: {e.GetType().Name}: {FirstLine(e.Message)} (unexpected; --verbose prints the stack trace)");
        }
        return user ? ExitCodes.BadInput : ExitCodes.Failed;
    }

    /// <summary>The exception that says what went wrong, out of reflection and task wrappers.</summary>
    private static Exception Unwrap(Exception e) => e switch
    {
        TargetInvocationException { InnerException: { } inner } => Unwrap(inner),
        AggregateException a when a.InnerExceptions.Count == 1 => Unwrap(a.InnerExceptions[0]),
        AggregateException a when a.InnerExceptions.All(x => Unwrap(x) is OperationCanceledException) => new OperationCanceledException(),
        _ => e,
    };

    /// <summary>Errors caused by the user's input: reported as one line, never as a stack trace.</summary>
    private static bool IsUserError(Exception e) =>
        e is DataFormatException or FileNotFoundException or DirectoryNotFoundException or ArgumentException
            or InvalidOperationException or NotSupportedException or KeyNotFoundException or IOException
            or UnauthorizedAccessException or FormatException;

    /// <summary>libtorch messages carry a C++ backtrace after the first line.</summary>
    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
