using System.CommandLine;
using System.Globalization;
using TorchSharp;
using EventSsm.Config;
using EventSsm.Model.Backbone;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using EventSsm.Training;
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
        var device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        device.AcceptOnlyFromAmong("cpu", "cuda");
        var configDir = new Option<string?>("--config-dir") { Description = "configs folder (default: next to the executable)." };

        var cmd = new Command("frequency-sweep", "Evaluate a checkpoint at several input frequencies (true-rate data, step scale, optional mask).");
        cmd.Arguments.Add(overrides);
        foreach (Option o in new Option[] { hz, raw, windowMs, output, stepScale, mask, label, append, device, configDir })
        {
            cmd.Options.Add(o);
        }
        cmd.SetAction((parse, ct) =>
        {
            ConfigNode cfg = ConfigComposer.Compose(ConfigLocator.Find(parse.GetValue(configDir)), "val", parse.GetValue(overrides) ?? []);
            ConfigModifier.Apply(cfg);
            string? rawDir = parse.GetValue(raw);
            string maskValue = parse.GetValue(mask)!;
            torch.set_num_threads(Environment.ProcessorCount);
            var options = new FrequencySweepOptions
            {
                Hz = ParseRates(parse.GetValue(hz)!),
                OutDirectory = Path.GetFullPath(parse.GetValue(output)!),
                RawDirectory = rawDir,
                WindowMs = parse.GetValue(windowMs),
                PreprocessedDirectory = rawDir is null ? Required(cfg, "dataset.path") : null,
                AutoStepScale = parse.GetValue(stepScale) == "auto",
                Mask = maskValue == "config" ? null : S5FrequencyConfig.ParseMask(maskValue),
                Label = parse.GetValue(label)!,
                Append = parse.GetValue(append),
                Device = parse.GetValue(device) == "cuda" ? torch.CUDA : torch.CPU,
            };
            TextWriter outWriter = parse.InvocationConfiguration.Output;
            IReadOnlyList<FrequencySweepRow> rows = FrequencySweep.Run(cfg, Required(cfg, "checkpoint"), options, outWriter.WriteLine, ct);
            outWriter.WriteLine();
            outWriter.Write(FrequencySweep.Markdown(rows, S5FrequencyConfig.TrainHz(cfg)));
            outWriter.WriteLine($"wrote {Path.Combine(options.OutDirectory, FrequencySweep.CsvName)}, {FrequencySweep.MarkdownName}, {FrequencySweep.PlotName}");
            return Task.FromResult(0);
        });
        return cmd;
    }

    private static double[] ParseRates(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0
                ? v
                : throw new ArgumentException($"--hz: '{s}' is not a positive rate"))
            .ToArray();

    /// <summary>A value that must be set; YAML may have parsed a path such as 2024 as a number.</summary>
    private static string Required(ConfigNode cfg, string key) => cfg.TryGet(key, out object? v) && v?.ToString() is { Length: > 0 } s && s != "???"
        ? s
        : throw new ConfigException($"config key '{key}' is not set (pass {key}=...)");
}
