using Spectre.Console;
using Spectre.Console.Rendering;
using EventSsm.IO;

namespace EventSsm.Cli;

/// <summary>
/// The one progress component of the command line. It renders the library's <see cref="ProgressReport"/>s on the
/// invocation's error writer: a live Spectre.Console bar per running task (with amount, rate and ETA) when that
/// writer is a terminal, otherwise plain periodic lines (<see cref="PlainProgress"/>). While bars are live, the
/// command's output lines on the same terminal are written above them.
/// </summary>
internal static class ProgressDisplay
{
    /// <summary>Runs <paramref name="work"/> with a progress sink; the display ends (and live bars vanish) when it returns.</summary>
    public static T Run<T>(RoutedWriter output, TextWriter outputTarget, TextWriter error, Func<IProgress<ProgressReport>, T> work)
    {
        var settings = new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) };
        if (!settings.Out.IsTerminal)
        {
            return work(new PlainProgress(error, PlainProgress.DefaultInterval));
        }
        IAnsiConsole console = AnsiConsole.Create(settings);
        // Output that goes to the same terminal is written through the live console, or the bars would overwrite it.
        bool sameTerminal = new AnsiConsoleOutput(outputTarget).IsTerminal;
        return console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new DetailColumn())
            .Start(context =>
            {
                using IDisposable? route = sameTerminal ? output.Route(line => console.WriteLine(line)) : null;
                return work(new LiveProgress(context));
            });
    }

    /// <summary>Keeps one Spectre task per running <see cref="ProgressReport.Task"/>; finished tasks are removed.</summary>
    private sealed class LiveProgress(ProgressContext context) : IProgress<ProgressReport>
    {
        private readonly Dictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private readonly Lock _gate = new();

        public void Report(ProgressReport value)
        {
            lock (_gate)
            {
                if (!_tasks.TryGetValue(value.Task, out ProgressTask? task))
                {
                    if (value.IsFinished)
                    {
                        return;
                    }
                    task = context.AddTask(Markup.Escape(value.Task), autoStart: true, maxValue: Math.Max(1, value.Total));
                    task.Tag = new ProgressTaskState(value, _clock.Elapsed);
                    task.IsIndeterminate = value.Total <= 0;
                    _tasks[value.Task] = task;
                }
                ((ProgressTaskState)task.Tag!).Update(value, _clock.Elapsed);
                task.MaxValue = Math.Max(1, value.Total);
                task.Value = Math.Min(value.Done, task.MaxValue);
                if (value.IsFinished)
                {
                    _tasks.Remove(value.Task);
                    context.RemoveTask(task);
                }
            }
        }
    }

    /// <summary>Amount, rate and ETA from <see cref="ProgressTaskState"/> (Spectre's own speed would count a resumed run's jump).</summary>
    private sealed class DetailColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Tag is ProgressTaskState state ? state.Detail() : "");
    }
}
