using System.CommandLine;
using EventSsm.Config;
using EventSsm.Model.Backbone;
using EventSsm.Workflows.Frequency;

namespace EventSsm.Cli.Commands;

/// <summary>
/// `eventssm frequency-sweep dataset=gen1 dataset.path=PRE checkpoint=CKPT [overrides] --hz 20,40,80,100,200 --out DIR
/// [--raw RAW] [--step-scale auto|config] [--mask on|off|config] [--label NAME] [--append]`: a checkpoint evaluated at
/// several input rates (docs/FREQUENCY.md); writes sweep.csv, sweep.md and sweep.png.
/// </summary>
public sealed class FrequencySweepCommand : ICliCommand
{
    public Command Create()
    {
        var overrides = new Argument<string[]>("OVERRIDES")
        {
            Description = "Config overrides as for `validate`: dataset=gen1 checkpoint=FILE +experiment/gen1=base.yaml "
                + "[dataset.path=PREPROCESSED] [use_test_set=1] model.postprocess.confidence_threshold=0.001",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var hz = new Option<string>("--hz") { Description = "Comma-separated rates in Hz.", DefaultValueFactory = _ => "20,40,80,100,200" };
        var raw = new Option<string?>("--raw") { Description = "Raw dataset folder: each rate is preprocessed into OUT/pre_<hz>hz (resumable). Without it, dataset.path must hold every rate's true-rate representation." };
        var windowMs = new Option<double?>("--window-ms") { Description = "Event window in ms at every rate, sliding one step at a time (default: the step, i.e. window = stride)." };
        var output = new Option<string>("--out") { Description = "Output folder.", Required = true };
        var stepScale = new Option<string>("--step-scale") { Description = "auto: s = train_hz / hz; config: the config's step_scale at every rate.", DefaultValueFactory = _ => "auto" };
        stepScale.AcceptOnlyFromAmong("auto", "config");
        var mask = new Option<string>("--mask") { Description = "Pass-band mask: on (eval), off, or config (the config's model.backbone.s5.mask).", DefaultValueFactory = _ => "config" };
        mask.AcceptOnlyFromAmong("on", "off", "config");
        var label = new Option<string>("--label") { Description = "Name of this configuration in the CSV and the plot legend.", DefaultValueFactory = _ => "s5" };
        var append = new Option<bool>("--append") { Description = "Keep other labels' rows of an existing OUT/sweep.csv (overlay configurations)." };

        var cmd = new Command("frequency-sweep", "Evaluate a checkpoint at several input frequencies (true-rate data, step scale, optional mask).");
        cmd.Arguments.Add(overrides);
        foreach (Option o in new Option[] { hz, raw, windowMs, output, stepScale, mask, label, append,
            SharedOptions.Checkpoint(required: false), SharedOptions.ConfigDir(), SharedOptions.Device(), SharedOptions.Threads(), SharedOptions.Precision() })
        {
            cmd.Options.Add(o);
        }
        cmd.SetCliAction(cli =>
        {
            ConfigNode cfg = RunConfig.Resolve(cli.ConfigDirectory, "val", cli.GetValue(overrides) ?? []);
            string? rawDir = cli.GetValue(raw);
            string maskValue = cli.GetValue(mask)!;
            var options = new FrequencySweepOptions
            {
                Hz = FrequencySweep.ParseRates(cli.GetValue(hz)!),
                OutDirectory = Path.GetFullPath(cli.GetValue(output)!),
                RawDirectory = rawDir,
                WindowMs = cli.GetValue(windowMs),
                PreprocessedDirectory = rawDir is null ? RunConfig.RequiredText(cfg, "dataset.path") : null,
                AutoStepScale = cli.GetValue(stepScale) == "auto",
                Mask = maskValue == "config" ? null : S5FrequencyConfig.ParseMask(maskValue),
                Label = cli.GetValue(label)!,
                Append = cli.GetValue(append),
                Device = cli.Device,
                Precision = SharedOptions.Precision(cli),
            };
            string checkpoint = cli.Checkpoint ?? RunConfig.RequiredText(cfg, "checkpoint");
            TextWriter o = cli.Out;
            IReadOnlyList<FrequencySweepRow> rows = cli.WithProgress(progress =>
                FrequencySweep.Run(cfg, checkpoint, options, o.WriteLine, progress, cli.Cancellation));
            o.WriteLine();
            o.Write(FrequencySweep.Markdown(rows, S5FrequencyConfig.TrainHz(cfg)));
            o.WriteLine($"wrote {Path.Combine(options.OutDirectory, FrequencySweep.CsvName)}, {FrequencySweep.MarkdownName}, {FrequencySweep.PlotName}");
            return ExitCodes.Success;
        });
        return cmd;
    }
}
