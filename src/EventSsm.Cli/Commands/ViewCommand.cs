using System.CommandLine;
using System.Globalization;
using EventSsm.Rendering;
using EventSsm.Workflows.Prediction;

namespace EventSsm.Cli.Commands;

/// <summary>`eventssm view RECORDING [--pred P] [--labels L] [--checkpoint C] --out view.html`: the interactive page.</summary>
public sealed class ViewCommand : ICliCommand
{
    public Command Create()
    {
        var input = new Argument<string>("RECORDING") { Description = "Events (.dat, .raw, .h5) or a preprocessed sequence folder (shows its stored histograms)." };
        var overrides = new Argument<string[]>("overrides") { Description = "Config overrides for a --checkpoint without an embedded config.", Arity = ArgumentArity.ZeroOrMore };
        var output = new Option<string>("--out") { Description = "The HTML page to write (one self-contained file).", Required = true };
        var pred = new Option<string?>("--pred") { Description = "Predicted boxes: a Prophesee .npy, or a folder with <name>_bbox.npy (e.g. predict's --out)." };
        var labels = new Option<string?>("--labels") { Description = "Ground-truth boxes (*_bbox.npy); default: <name>_bbox.npy next to the recording, if there." };
        var dataset = new Option<string?>("--dataset") { Description = "The classes and box filter of configs/dataset/<NAME>.yaml (default: the checkpoint's; else gen4 for 1280×720, gen1 otherwise).", HelpName = "NAME" };
        var step = new Option<double>("--step-ms") { Description = "Time between frames (and prediction windows).", DefaultValueFactory = _ => 50.0 };
        var dt = new Option<double>("--dt-ms") { Description = "Event window per frame, [T-dt, T].", DefaultValueFactory = _ => 50.0 };
        var showConf = new Option<double>("--show-conf") { Description = "Where the page's confidence slider starts.", DefaultValueFactory = _ => 0.3 };
        var conf = new Option<double>("--conf") { Description = "With --checkpoint: the threshold of the prediction files (as predict --conf).", DefaultValueFactory = _ => 0.1 };
        var perFrame = new Option<bool>("--per-frame") { Description = "Score each label time against the detections at exactly that time (RVT), as evaluate --per-frame." };
        var noBins = new Option<bool>("--no-bins") { Description = "Leave out the representation view (stacked-histogram bins)." };
        var binsMb = new Option<double>("--bins-mb") { Description = "Page megabytes the bins may take; beyond it every 2nd (4th, …) frame keeps them.", DefaultValueFactory = _ => 6.0 };
        var coloring = new Option<EventColoring>("--coloring") { Description = "Binary (grey/white/black, as the original) or Polarity; the page can switch.", DefaultValueFactory = _ => EventColoring.Binary };
        var cmd = new Command("view", "Write one self-contained HTML page to explore a recording: frames, predicted and ground-truth boxes, metrics, bins.");
        cmd.Arguments.Add(input);
        cmd.Arguments.Add(overrides);
        foreach (Option o in new Option[] { output, pred, labels, SharedOptions.Checkpoint(required: false), dataset, step, dt, showConf, conf, perFrame,
            noBins, binsMb, coloring, SharedOptions.ConfigDir(), SharedOptions.Device(), SharedOptions.Threads(), SharedOptions.Precision() })
        {
            cmd.Options.Add(o);
        }
        cmd.SetCliAction(cli =>
        {
            TextWriter console = cli.Out;
            var options = new ViewOptions
            {
                Input = cli.GetValue(input)!,
                Output = cli.GetValue(output)!,
                Predictions = cli.GetValue(pred),
                Labels = cli.GetValue(labels),
                Checkpoint = cli.Checkpoint,
                Overrides = cli.GetValue(overrides) ?? [],
                ConfigDirectory = cli.ConfigDirectory,
                Device = cli.Device,
                Precision = SharedOptions.Precision(cli),
                Dataset = cli.GetValue(dataset),
                StepUs = (long)Math.Round(cli.GetValue(step) * 1000),
                WindowUs = (long)Math.Round(cli.GetValue(dt) * 1000),
                DisplayConfidence = cli.GetValue(showConf),
                FileConfidence = cli.GetValue(conf),
                PerFrame = cli.GetValue(perFrame),
                Bins = !cli.GetValue(noBins),
                BinsBudgetBytes = (long)(cli.GetValue(binsMb) * (1 << 20)),
                Coloring = cli.GetValue(coloring),
            };
            ViewResult r = cli.WithProgress(progress => RecordingViewer.Build(options, console.WriteLine, progress, cli.Cancellation));
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {r.Path}: {r.Bytes / 1e6:F1} MB ({r.Frames} frames {r.FrameBytes / 1e6:F1} MB, bins of {r.BinFrames} frames {r.BinBytes / 1e6:F1} MB)"));
            if (r.Metrics is { } m)
            {
                console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"AP {m.AP:F3}, AP50 {m.AP50:F3} ({string.Join(", ", m.PerClassAP.Select(kv => $"{kv.Key} {kv.Value:F3}"))}); {r.MetricsProtocol}"));
            }
            return ExitCodes.Success;
        });
        return cmd;
    }
}
