using System.CommandLine;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using EventSsm.Training;

namespace EventSsm.Cli;

/// <summary>
/// <c>--allocator</c>: an allocator replaces glibc's malloc only when the dynamic loader preloads it at process start,
/// so the command runs again in a child process with <c>LD_PRELOAD</c> set (docs/PERFORMANCE.md "Allocators"). The
/// parent passes its console on, waits, forwards SIGTERM and returns the child's exit code; the child stops if the
/// parent dies.
/// </summary>
internal static class AllocatorLaunch
{
    /// <summary>Set in the child: the allocator it was started for, so that a failed preload is reported, not retried.</summary>
    internal const string RelaunchedVariable = "EVENTSSM_ALLOCATOR";

    private const int SigTerm = 15;
    private const int PrSetPdeathsig = 1;

    /// <summary>
    /// The commands that train or stream the detector over recordings, which take tcmalloc by themselves when it is
    /// installed (<see cref="Automatic"/>).
    /// </summary>
    internal static readonly IReadOnlySet<string> AutomaticCommands =
        new HashSet<string>(StringComparer.Ordinal) { "train", "demo", "predict", "validate" };

    /// <summary>
    /// The allocator the command line asks for, or for a training command without <c>--allocator</c> the automatic one,
    /// when it is not this process's; null to run here.
    /// </summary>
    internal static string? Requested(IReadOnlyList<string> args)
    {
        ParseResult parse = Program.BuildRoot().Parse(args);
        if (parse.Errors.Count > 0 || parse.Action is System.CommandLine.Help.HelpAction)
        {
            return null;
        }
        string? wanted = parse.GetValue<string?>(SharedOptions.AllocatorName)
            ?? Automatic(parse.CommandResult.Command.Name, Environment.GetEnvironmentVariable, HostAllocator.Find);
        return wanted is not null && wanted != HostAllocator.Active ? wanted : null;
    }

    /// <summary>
    /// tcmalloc for <c>train</c>, <c>demo</c>, <c>predict</c> and <c>validate</c> when it is installed: the same
    /// arithmetic, the same or a few per cent faster training step with 230–850 MiB less memory than glibc's, and a
    /// streaming frame about 6 % faster (docs/PERFORMANCE.md "Allocators"). Null (this process's
    /// allocator) for other commands, off Linux, where tcmalloc is missing, where the user preloads a library already,
    /// and in a child this class started, so that a preload that does not take effect runs on glibc instead of
    /// failing. <c>--allocator glibc</c> opts out.
    /// </summary>
    internal static string? Automatic(string command, Func<string, string?> environment, Func<string, string?> find) =>
        OperatingSystem.IsLinux()
        && AutomaticCommands.Contains(command)
        && string.IsNullOrEmpty(environment("LD_PRELOAD"))
        && environment(RelaunchedVariable) is null
        && find(HostAllocator.Tcmalloc) is not null
            ? HostAllocator.Tcmalloc
            : null;

    /// <summary>Runs <paramref name="args"/> in a child process with <paramref name="allocator"/> preloaded.</summary>
    internal static int Relaunch(string allocator, IReadOnlyList<string> args, TextWriter error)
    {
        string option = $"{SharedOptions.AllocatorName} {allocator}";
        if (!OperatingSystem.IsLinux())
        {
            error.WriteLine($"error: {option}: only on Linux, where the library is preloaded with LD_PRELOAD");
            return ExitCodes.BadInput;
        }
        string? library = null;
        if (allocator != HostAllocator.Glibc)
        {
            library = HostAllocator.Find(allocator);
            if (library is null)
            {
                error.WriteLine($"error: {option}: no {allocator} library in {string.Join(", ", HostAllocator.SearchDirectories)} "
                    + $"(Debian/Ubuntu: apt-get install {HostAllocator.Package(allocator)})");
                return ExitCodes.BadInput;
            }
        }
        string preload = HostAllocator.PreloadWith(Environment.GetEnvironmentVariable("LD_PRELOAD"), library);
        if (Environment.GetEnvironmentVariable(RelaunchedVariable) is not null)
        {
            error.WriteLine($"error: {option}: started again with LD_PRELOAD={preload}, but malloc is still {HostAllocator.Active}'s");
            return ExitCodes.Failed;
        }
        string exe = Environment.ProcessPath ?? throw new InvalidOperationException($"{option}: the path of this program is unknown");
        var start = new ProcessStartInfo(exe) { UseShellExecute = false };
        // Under the dotnet host (dotnet eventssm.dll …) the child needs the assembly too; an apphost, the tool's shim
        // and a single-file app are the program themselves.
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet" && Assembly.GetEntryAssembly()?.Location is { Length: > 0 } dll)
        {
            start.ArgumentList.Add(dll);
        }
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        if (preload.Length > 0)
        {
            start.Environment["LD_PRELOAD"] = preload;
        }
        else
        {
            start.Environment.Remove("LD_PRELOAD");
        }
        start.Environment[RelaunchedVariable] = allocator;
        using Process child = Process.Start(start) ?? throw new InvalidOperationException($"{option}: could not start {exe}");
        // Ctrl+C reaches the child from the terminal (one process group); the parent only waits. A SIGTERM (kill,
        // timeout, a batch system) is passed on.
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            _ = Kill(child.Id, SigTerm);
        });
        child.WaitForExit();
        return child.ExitCode;
    }

    /// <summary>
    /// In a child started by <see cref="Relaunch"/>: a SIGTERM when the parent dies, so no command outlives it; and the
    /// processes it starts itself (ffmpeg for MP4s) get the environment without the allocator.
    /// </summary>
    internal static void SettleChild()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(RelaunchedVariable) is null)
        {
            return;
        }
        _ = Prctl(PrSetPdeathsig, SigTerm, 0, 0, 0);
        Environment.SetEnvironmentVariable(RelaunchedVariable, null);
        string preload = HostAllocator.PreloadWith(Environment.GetEnvironmentVariable("LD_PRELOAD"), null);
        Environment.SetEnvironmentVariable("LD_PRELOAD", preload.Length > 0 ? preload : null);
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "prctl")]
    private static extern int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
