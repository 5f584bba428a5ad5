using System.CommandLine;
using System.Reflection;
using EventSsm.IO;
using EventSsm.Model.Ssm;

namespace EventSsm.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        RootCommand root = BuildRoot();
        ParseResult parse = root.Parse(args);
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsUserError(e))
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("EventSsm: state-space object detection for event cameras (S5-ViT / RVT in .NET).");
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

    /// <summary>Errors caused by the user's input: reported as one line, never as a stack trace.</summary>
    private static bool IsUserError(Exception e) =>
        e is DataFormatException or FileNotFoundException or DirectoryNotFoundException or ArgumentException
            or InvalidOperationException or NotSupportedException or KeyNotFoundException or IOException
            or UnauthorizedAccessException or FormatException
        || (e is TargetInvocationException { InnerException: { } inner } && IsUserError(inner));
}
