using System.CommandLine;
using System.Globalization;
using EventSsm.Config;
using EventSsm.Datasets;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using EventSsm.Training;
using static TorchSharp.torch;

namespace EventSsm.Cli.Commands;

/// <summary>
/// `eventssm train dataset=gen1 dataset.path=DIR +experiment/gen1=small.yaml [key=value …] [--out DIR] [--resume DIR]`:
/// the original's training command line (RVT/train.py) without hydra, Lightning or W&amp;B.
/// </summary>
public sealed class TrainCommand : ICliCommand
{
    public Command Create()
    {
        var overrides = new Argument<string[]>("overrides") { Description = "Config overrides as in the original, e.g. dataset=gen1 dataset.path=DIR +experiment/gen1=small.yaml batch_size.train=8.", Arity = ArgumentArity.ZeroOrMore };
        var output = new Option<string?>("--out") { Description = "Run folder (default runs/<date-time>)." };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder from checkpoints/last.safetensors (its config.yaml is used)." };
        var seed = new Option<int>("--seed") { Description = "Seed for sampling and augmentation.", DefaultValueFactory = _ => 0 };
        var configDir = new Option<string?>("--config-dir") { Description = "The configs/ folder." };
        var cmd = new Command("train", "Train the S5-ViT detector on a preprocessed dataset (mixed stream/random batches, AdamW + OneCycle).");
        cmd.Arguments.Add(overrides);
        foreach (Option o in new Option[] { output, resume, seed, configDir })
        {
            cmd.Options.Add(o);
        }
        cmd.SetAction((parse, ct) =>
        {
            set_num_threads(Environment.ProcessorCount);
            TextWriter stdout = parse.InvocationConfiguration.Output;
            string? resumeDir = parse.GetValue(resume);
            ConfigNode cfg;
            string runDir;
            if (resumeDir is not null)
            {
                string saved = Path.Combine(resumeDir, "config.yaml");
                if (!File.Exists(saved))
                {
                    throw new FileNotFoundException($"{resumeDir}: not a run folder (no config.yaml)", saved);
                }
                cfg = ConfigNode.Load(saved);
                runDir = resumeDir;
            }
            else
            {
                cfg = ConfigComposer.Compose(ConfigLocator.Find(parse.GetValue(configDir)), "train", parse.GetValue(overrides) ?? []);
                ConfigModifier.Apply(cfg);
                runDir = parse.GetValue(output) ?? Path.Combine("runs", DateTime.Now.ToString("yyyy-MM-dd_HH-mm-ss", CultureInfo.InvariantCulture));
            }
            TrainerOptions options = TrainerOptions.FromConfig(cfg, parse.GetValue(seed));
            using var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
            stdout.WriteLine($"model: {model.ParameterCount() / 1e6:F2} M parameters; run folder: {Path.GetFullPath(runDir)}");
            ConfigNode valCfg = cfg.Clone();
            ValidationOptions valOptions = ValidationOptions.FromConfig(valCfg);
            PreprocessedDataset? val = Directory.Exists(Path.Combine(options.DatasetPath, "val"))
                ? PreprocessedDataset.Load(options.DatasetPath, "val", options.Dataset, options.RepresentationName)
                : null;
            var trainer = new Trainer(model, cfg, options, runDir,
                val is null ? null : Validator.ForTraining(val, valOptions, ct));
            trainer.Run(resume: resumeDir is not null, progress: new InlineProgress<TrainStepInfo>(p => stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"step {p.Step}/{p.MaxSteps}  loss {(p.Skipped ? "skipped (non-finite)" : p.Loss.ToString("F4", CultureInfo.InvariantCulture))}  lr {p.LearningRate:E2}  {p.StepsPerSecond:F2} it/s"))), ct: ct);
            if (trainer.LastMetrics is not null)
            {
                stdout.WriteLine(trainer.LastMetrics.ToTable());
            }
            stdout.WriteLine($"checkpoints: {trainer.LastCheckpoint}, {trainer.BestCheckpoint}");
            return Task.FromResult(0);
        });
        return cmd;
    }
}
