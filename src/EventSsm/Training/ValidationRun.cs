using TorchSharp;
using EventSsm.Checkpoints;
using EventSsm.Config;
using EventSsm.Datasets;
using EventSsm.Evaluation;
using EventSsm.IO;
using EventSsm.Model;

namespace EventSsm.Training;

/// <summary>What <see cref="ValidationRun.Run"/> evaluated and measured.</summary>
/// <param name="Split">val, or test with <c>use_test_set=1</c>.</param>
public sealed record ValidationRunResult(string Split, string DataRoot, int Sequences, DetectionMetrics Metrics);

/// <summary>
/// The <c>validate</c> command (the original's <c>validation.py</c>): composes the <c>val</c> config, loads the
/// checkpoint into the detector on the device and streams the val (or test) split through <see cref="Validator"/>.
/// </summary>
public static class ValidationRun
{
    public static ValidationRunResult Run(ValidationRunOptions options, IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ConfigNode cfg = RunConfig.Resolve(options.ConfigDirectory, "val", options.Overrides);
        string checkpoint = options.Checkpoint ?? RunConfig.RequiredText(cfg, "checkpoint");
        string split = cfg.GetBool("use_test_set") ? "test" : "val";
        PreprocessedDataset data = PreprocessedDataset.Load(RunConfig.RequiredText(cfg, "dataset.path"), split, DatasetDescription.FromConfig(cfg),
            cfg.GetString("dataset.ev_repr_name"));

        using var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        DetectorCheckpoint.Load(model, checkpoint);
        model.to(options.Device);
        DetectionMetrics metrics = Validator.Validate(model, data, ValidationOptions.FromConfig(cfg, options.Device), progress, ct);
        return new ValidationRunResult(split, data.Root, data.Sequences.Count, metrics);
    }
}
