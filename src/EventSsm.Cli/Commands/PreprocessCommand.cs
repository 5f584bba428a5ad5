using System.CommandLine;
using System.Diagnostics;
using EventSsm.Datasets;
using EventSsm.Labels;

namespace EventSsm.Cli.Commands;

/// <summary>`eventssm preprocess`: the original's preprocess_dataset.py job (docs/DATA.md §2); exit code 1 when some sequences fail.</summary>
public sealed class PreprocessCommand : ICliCommand
{
    public Command Create()
    {
        var rawDir = new Argument<DirectoryInfo>("raw-dir") { Description = "Input: <split>/<seq>_td.{dat.h5,h5,dat,raw,hdf5} with <seq>_bbox.npy." };
        var outDir = new Argument<DirectoryInfo>("out-dir") { Description = "Output: <split>/<seq>/{labels_v2,event_representations_v2} as RVT's loader reads it." };
        var dataset = new Option<string>("--dataset") { Description = "gen1 or gen4.", Required = true };
        var dtMs = new Option<double>("--dt-ms") { Description = "Window length in ms (a whole number of µs); windows are [T−dt, T], both ends inclusive.", DefaultValueFactory = _ => 50 };
        var stepMs = new Option<double>("--step-ms") { Description = "Representation step in ms (the original: 50; 12.5 for 80 Hz). Other values add _step=<ms> to the folder name.", DefaultValueFactory = _ => PreprocessOptions.ReferenceStepMs };
        var workers = new Option<int>("--workers") { Description = "Sequences processed at once (default: one per processor).", DefaultValueFactory = _ => 0 };
        var splits = new Option<string>("--splits") { Description = "Comma-separated split folders.", DefaultValueFactory = _ => "train,val,test" };
        var trueRate = new Option<bool>("--true-rate") { Description = "Windows exactly one step apart at 50 ms too (the original puts gen1 windows 125 ms apart inside labelled intervals); adds _step= to the folder name." };

        var cmd = new Command("preprocess", "Preprocess a raw gen1/gen4 dataset into labels and stacked-histogram HDF5 files (resumable).");
        cmd.Arguments.Add(rawDir);
        cmd.Arguments.Add(outDir);
        foreach (Option o in new Option[] { dataset, dtMs, stepMs, trueRate, workers, splits })
        {
            cmd.Options.Add(o);
        }
        cmd.SetCliAction(cli =>
        {
            var options = new PreprocessOptions
            {
                Dataset = DatasetInfo.Parse(cli.GetValue(dataset)!),
                WindowMs = cli.GetValue(dtMs),
                StepMs = cli.GetValue(stepMs),
                TrueRate = cli.GetValue(trueRate),
                Workers = cli.GetValue(workers),
                Splits = cli.GetValue(splits)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            };
            var preprocessor = new Preprocessor(options);
            string input = cli.GetValue(rawDir)!.FullName;
            string output = cli.GetValue(outDir)!.FullName;
            var clock = Stopwatch.StartNew();
            PreprocessReport report = cli.WithProgress(progress => preprocessor.Run(input, output, progress, cli.Cancellation));
            PrintSummary(cli.Out, report, options, output, clock.Elapsed);
            return report.AnyFailed ? ExitCodes.Failed : ExitCodes.Success;
        });
        return cmd;
    }

    private static void PrintSummary(TextWriter o, PreprocessReport report, PreprocessOptions options, string output, TimeSpan elapsed)
    {
        foreach (string dir in report.RemovedTempDirs)
        {
            o.WriteLine($"removed unfinished {dir}");
        }
        foreach (string split in report.MissingSplits)
        {
            o.WriteLine($"split {split}: no input folder");
        }
        foreach (SequenceOutcome s in report.Sequences)
        {
            o.WriteLine(s.Status == SequenceStatus.Written
                ? $"{s.Split}/{s.Sequence}: {s.Frames} label frames, {s.Windows} windows"
                : $"{s.Split}/{s.Sequence}: {Describe(s.Status)}: {s.Reason}");
        }
        o.WriteLine($"{output}: {report.Count(SequenceStatus.Written)} written, {report.Count(SequenceStatus.AlreadyDone)} already done, "
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
}
