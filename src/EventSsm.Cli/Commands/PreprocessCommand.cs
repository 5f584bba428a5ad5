using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using EventSsm.Datasets;
using EventSsm.Labels;

namespace EventSsm.Cli.Commands;

/// <summary>`eventssm preprocess`: the original's preprocess_dataset.py job (docs/DATA.md §2).</summary>
public sealed class PreprocessCommand : ICliCommand
{
    public Command Create()
    {
        var rawDir = new Argument<DirectoryInfo>("raw-dir") { Description = "Input: <split>/<seq>_td.{dat.h5,h5,dat,raw} with <seq>_bbox.npy." };
        var outDir = new Argument<DirectoryInfo>("out-dir") { Description = "Output: <split>/<seq>/{labels_v2,event_representations_v2} as RVT's loader reads it." };
        var dataset = new Option<string>("--dataset") { Description = "gen1 or gen4.", Required = true };
        var dtMs = new Option<double>("--dt-ms") { Description = "Window length in ms (a whole number of µs); windows are [T−dt, T], both ends inclusive.", DefaultValueFactory = _ => 50 };
        var stepMs = new Option<double>("--step-ms") { Description = "Representation step in ms (the original: 50; 12.5 for 80 Hz). Other values add _step=<ms> to the folder name.", DefaultValueFactory = _ => PreprocessOptions.ReferenceStepMs };
        var workers = new Option<int>("--workers") { Description = "Sequences processed at once (default: one per processor).", DefaultValueFactory = _ => 0 };
        var splits = new Option<string>("--splits") { Description = "Comma-separated split folders.", DefaultValueFactory = _ => "train,val,test" };

        var cmd = new Command("preprocess", "Preprocess a raw gen1/gen4 dataset into labels and stacked-histogram HDF5 files (resumable).");
        cmd.Arguments.Add(rawDir);
        cmd.Arguments.Add(outDir);
        var trueRate = new Option<bool>("--true-rate") { Description = "Windows exactly one step apart at 50 ms too (the original puts gen1 windows 125 ms apart inside labelled intervals); adds _step= to the folder name." };
        foreach (Option o in new Option[] { dataset, dtMs, stepMs, trueRate, workers, splits })
        {
            cmd.Options.Add(o);
        }
        cmd.SetAction((parse, ct) =>
        {
            var options = new PreprocessOptions
            {
                Dataset = DatasetInfo.Parse(parse.GetValue(dataset)!),
                WindowMs = parse.GetValue(dtMs),
                StepMs = parse.GetValue(stepMs),
                TrueRate = parse.GetValue(trueRate),
                Workers = parse.GetValue(workers),
                Splits = parse.GetValue(splits)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            };
            var preprocessor = new Preprocessor(options);
            string input = parse.GetValue(rawDir)!.FullName;
            string output = parse.GetValue(outDir)!.FullName;
            var clock = Stopwatch.StartNew();
            PreprocessReport report = Console.IsOutputRedirected
                ? preprocessor.Run(input, output, new PlainProgress(), ct)
                : RunWithBars(preprocessor, input, output, ct);
            PrintSummary(report, options, output, clock.Elapsed);
            return Task.FromResult(report.AnyFailed ? 1 : 0);
        });
        return cmd;
    }

    private static PreprocessReport RunWithBars(Preprocessor preprocessor, string input, string output, CancellationToken ct)
    {
        PreprocessReport? report = null;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx => report = preprocessor.Run(input, output, new BarProgress(ctx), ct));
        return report!;
    }

    private static void PrintSummary(PreprocessReport report, PreprocessOptions options, string output, TimeSpan elapsed)
    {
        foreach (string dir in report.RemovedTempDirs)
        {
            Console.WriteLine($"removed unfinished {dir}");
        }
        foreach (string split in report.MissingSplits)
        {
            Console.WriteLine($"split {split}: no input folder");
        }
        foreach (SequenceOutcome s in report.Sequences.Where(s => s.Status != SequenceStatus.Written))
        {
            Console.WriteLine($"{s.Split}/{s.Sequence}: {Describe(s.Status)}: {s.Reason}");
        }
        Console.WriteLine($"{output}: {report.Count(SequenceStatus.Written)} written, {report.Count(SequenceStatus.AlreadyDone)} already done, "
            + $"{report.Count(SequenceStatus.Ignored) + report.Count(SequenceStatus.NoLabels)} skipped, {report.Count(SequenceStatus.Failed)} failed "
            + $"({options.RepresentationName}, {elapsed.TotalSeconds:0.0} s)");
    }

    private static string Describe(SequenceStatus status) => status switch
    {
        SequenceStatus.AlreadyDone => "already done, skipped",
        SequenceStatus.Ignored => "skipped",
        SequenceStatus.NoLabels => "skipped, no labels",
        SequenceStatus.Failed => "FAILED",
        _ => "written",
    };

    /// <summary>One line per finished sequence, for logs and pipes.</summary>
    private sealed class PlainProgress : IProgress<PreprocessProgress>
    {
        private readonly Lock _gate = new();

        public void Report(PreprocessProgress value)
        {
            if (value.Outcome is { Status: SequenceStatus.Written } o)
            {
                lock (_gate)
                {
                    Console.WriteLine($"{o.Split}/{o.Sequence}: {o.Frames} label frames, {o.Windows} windows");
                }
            }
        }
    }

    /// <summary>A Spectre progress bar per sequence, created when its first windows are reported.</summary>
    private sealed class BarProgress(ProgressContext context) : IProgress<PreprocessProgress>
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, ProgressTask> _tasks = [];

        public void Report(PreprocessProgress value)
        {
            string key = $"{value.Split}/{value.Sequence}";
            lock (_gate)
            {
                if (!_tasks.TryGetValue(key, out ProgressTask? task))
                {
                    if (value.Outcome is { Status: not SequenceStatus.Written })
                    {
                        return;
                    }
                    task = context.AddTask(Markup.Escape(key), maxValue: Math.Max(value.WindowsTotal, 1));
                    _tasks[key] = task;
                }
                task.MaxValue = Math.Max(value.WindowsTotal, 1);
                task.Value = value.WindowsDone;
                if (value.Outcome is { } outcome)
                {
                    if (outcome.Status == SequenceStatus.Written)
                    {
                        task.Value = task.MaxValue;
                    }
                    task.StopTask();
                }
            }
        }
    }
}
