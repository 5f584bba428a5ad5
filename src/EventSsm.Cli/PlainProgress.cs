using EventSsm.IO;

namespace EventSsm.Cli;

/// <summary>
/// The progress display for logs and pipes: a line per task at most every <see cref="Interval"/>, and a last line when
/// a task that printed finishes, so short tasks print nothing and a long one shows its pace and ETA.
/// </summary>
internal sealed class PlainProgress : IProgress<ProgressReport>
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    private readonly TextWriter _writer;
    private readonly Func<TimeSpan> _clock;
    private readonly Dictionary<string, ProgressTaskState> _tasks = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <param name="clock">The time now (a stopwatch by default; tests pass their own).</param>
    public PlainProgress(TextWriter writer, TimeSpan interval, Func<TimeSpan>? clock = null)
    {
        _writer = writer;
        Interval = interval;
        if (clock is null)
        {
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            clock = () => stopwatch.Elapsed;
        }
        _clock = clock;
    }

    public TimeSpan Interval { get; }

    public void Report(ProgressReport value)
    {
        lock (_gate)
        {
            TimeSpan now = _clock();
            if (!_tasks.TryGetValue(value.Task, out ProgressTaskState? state))
            {
                // The interval counts from the task's start, so tasks shorter than it print nothing.
                if (!value.IsFinished)
                {
                    _tasks[value.Task] = new ProgressTaskState(value, now);
                }
                return;
            }
            state.Update(value, now);
            if (value.IsFinished)
            {
                _tasks.Remove(value.Task);
                if (state.Printed)
                {
                    _writer.WriteLine(state.Line());
                }
                return;
            }
            if (now - state.LastLine >= Interval)
            {
                state.LastLine = now;
                state.Printed = true;
                _writer.WriteLine(state.Line());
            }
        }
    }
}
