using System.CommandLine;
using System.Diagnostics;
using EventSsm.Datasets;

namespace EventSsm.Cli.Commands;

/// <summary>
/// `eventssm preprocess RAW OUT --dataset NAME [dataset.key=value …]`: the original's preprocess_dataset.py job
/// (docs/DATA.md §2) for the dataset described by <c>configs/dataset/NAME.yaml</c> (docs/DATA.md §8); exit code 1 when
/// some sequences fail.
/// </summary>
public sealed class PreprocessCommand : ICliCommand
{
    public Command Create()
    {
        var rawDir = new Argument<DirectoryInfo>("raw-dir")
        {
            Description = "Input, in the dataset's layout (dataset.raw.layout): <split>/<seq>_td.{dat.h5,h5,dat,raw,hdf5} with "
                + "<seq>_bbox.npy; DSEC's <split>/<seq>/events/left/events.h5 with object_detections/left/tracks.npy; or "
                + "<split>/<name>.<any recording> with <name>_bbox.npy.",
        };
        var outDir = new Argument<DirectoryInfo>("out-dir") { Description = "Output: <split>/<seq>/{labels_v2,event_representations_v2} as RVT's loader reads it." };
        var overrides = new Argument<string[]>("overrides")
        {
            Description = "Changes to the dataset description, e.g. dataset.classes=[car,person] dataset.resolution_hw=[480,640].",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var dataset = new Option<string>("--dataset")
        {
            Description = "The dataset description configs/dataset/<NAME>.yaml: gen1, gen4, etram, etram8, dsec, custom or your own.",
            HelpName = "NAME",
            Required = true,
        };
        var dtMs = new Option<double>("--dt-ms") { Description = "Window length in ms (a whole number of µs); windows are [T−dt, T], both ends inclusive.", DefaultValueFactory = _ => 50 };
        var stepMs = new Option<double>("--step-ms") { Description = "Representation step in ms (the original: 50; 12.5 for 80 Hz). Other values add _step=<ms> to the folder name.", DefaultValueFactory = _ => PreprocessOptions.ReferenceStepMs };
        var workers = new Option<int>("--workers") { Description = "Sequences processed at once (default: one per processor).", DefaultValueFactory = _ => 0 };
        var splits = new Option<string>("--splits") { Description = "Comma-separated split folders.", DefaultValueFactory = _ => "train,val,test" };
        var trueRate = new Option<bool>("--true-rate") { Description = "Windows exactly one step apart at 50 ms too (the original puts gen1 windows 125 ms apart inside labelled intervals); adds _step= to the folder name." };

        var cmd = new Command("preprocess", "Preprocess a raw dataset into labels and stacked-histogram HDF5 files (resumable, shardable).");
        cmd.Arguments.Add(rawDir);
        cmd.Arguments.Add(outDir);
        cmd.Arguments.Add(overrides);
        foreach (Option o in new Option[] { dataset, dtMs, stepMs, trueRate, workers, splits, SharedOptions.Shard("sequences"), SharedOptions.ConfigDir() })
        {
            cmd.Options.Add(o);
        }
        cmd.SetCliAction(cli =>
        {
            var options = new PreprocessOptions
            {
                Dataset = DatasetDescription.Load(cli.ConfigDirectory, cli.GetValue(dataset)!, cli.GetValue(overrides) ?? []),
                Shard = cli.Shard,
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
        string shard = report.Shard.IsAll ? "" : $"shard {report.Shard} ({report.Sequences.Count} of {report.SequencesFound} sequences): ";
        o.WriteLine($"{output}: {shard}{report.Count(SequenceStatus.Written)} written, {report.Count(SequenceStatus.AlreadyDone)} already done, "
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
