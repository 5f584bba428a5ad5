using System.Globalization;
using TorchSharp;
using EventSsm.Config;
using EventSsm.Datasets;
using EventSsm.Evaluation;
using EventSsm.IO;
using EventSsm.Model;

namespace EventSsm.Training;

/// <summary>What a training run left behind.</summary>
/// <param name="LastMetrics">The metrics of the last validation, or null when the dataset has no val split.</param>
public sealed record TrainingRunResult(string RunDirectory, DetectionMetrics? LastMetrics, string LastCheckpoint, string BestCheckpoint);

/// <summary>
/// The <c>train</c> command (the original's <c>train.py</c> without hydra, Lightning or W&amp;B): composes the config
/// or reloads a run folder's, builds the detector on the device, validates on the val split when the dataset has one,
/// and trains with <see cref="Trainer"/>.
/// </summary>
public static class TrainingRun
{
    /// <param name="log">Gets the run's lines: the model size and folder, then every logged step (<see cref="TrainStepInfo"/>).</param>
    /// <param name="progress">Gets the training steps (task <c>train</c>) and each validation's steps.</param>
    public static TrainingRunResult Run(TrainingRunOptions options, Action<string>? log = null, IProgress<ProgressReport>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ConfigNode cfg;
        string runDir;
        if (options.ResumeDirectory is { } resumeDir)
        {
            string saved = Path.Combine(resumeDir, "config.yaml");
            if (!File.Exists(saved))
            {
                throw new FileNotFoundException($"{resumeDir}: not a run folder (no config.yaml)", saved);
            }
            cfg = ConfigNode.Load(saved);
            runDir = resumeDir;
            if (options.Overrides.Count > 0)
            {
                log?.Invoke($"resuming with {saved}; the {options.Overrides.Count} config overrides given are not used");
            }
        }
        else
        {
            cfg = RunConfig.Resolve(options.ConfigDirectory, "train", options.Overrides);
            runDir = options.RunDirectory ?? Path.Combine("runs", DateTime.Now.ToString("yyyy-MM-dd_HH-mm-ss", CultureInfo.InvariantCulture));
        }
        TrainerOptions trainerOptions = TrainerOptions.FromConfig(cfg, options.Seed);
        using var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        model.to(options.Device);
        log?.Invoke($"model: {model.ParameterCount() / 1e6:F2} M parameters; run folder: {Path.GetFullPath(runDir)}; {HostAllocator.Active} malloc");
        ValidationOptions valOptions = ValidationOptions.FromConfig(cfg.Clone(), options.Device);
        PreprocessedDataset? val = Directory.Exists(Path.Combine(trainerOptions.DatasetPath, "val"))
            ? PreprocessedDataset.Load(trainerOptions.DatasetPath, "val", trainerOptions.Dataset, trainerOptions.RepresentationName)
            : null;
        var trainer = new Trainer(model, cfg, trainerOptions, runDir,
            val is null ? null : Validator.ForTraining(val, valOptions, progress, ct));
        trainer.Run(resume: options.ResumeDirectory is not null, log: step => log?.Invoke(step.ToString()), progress: progress, ct: ct);
        return new TrainingRunResult(runDir, trainer.LastMetrics, trainer.LastCheckpoint, trainer.BestCheckpoint);
    }
}
