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
/// For one of our checkpoints, overrides that select no config (no <c>dataset=</c>, no <c>+experiment/…</c>) start from
/// the config it embeds instead, so <c>validate dataset.path=DIR --checkpoint best.safetensors</c> knows the model and
/// its dataset (classes, sizes, filters).
/// </summary>
public static class ValidationRun
{
    public static ValidationRunResult Run(ValidationRunOptions options, IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ConfigNode cfg = Resolve(options);
        string checkpoint = options.Checkpoint ?? RunConfig.RequiredText(cfg, "checkpoint");
        string split = cfg.GetBool("use_test_set") ? "test" : "val";
        PreprocessedDataset data = PreprocessedDataset.Load(RunConfig.RequiredText(cfg, "dataset.path"), split, DatasetDescription.FromConfig(cfg),
            cfg.GetString("dataset.ev_repr_name"));

        using var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        DetectorCheckpoint.Load(model, checkpoint);
        model.PrepareInference(options.Device, options.Precision);
        DetectionMetrics metrics = Validator.Validate(model, data, ValidationOptions.FromConfig(cfg, options.Device), progress, ct);
        return new ValidationRunResult(split, data.Root, data.Sequences.Count, metrics);
    }

    private static ConfigNode Resolve(ValidationRunOptions options)
    {
        List<ConfigOverride> parsed = [.. options.Overrides.Select(ConfigOverride.Parse)];
        string? checkpoint = options.Checkpoint ?? parsed.LastOrDefault(o => o.Key == "checkpoint")?.RawValue;
        ConfigNode? embedded = checkpoint is not null && File.Exists(checkpoint) && !RunConfig.SelectsGroups(options.ConfigDirectory, options.Overrides)
            ? DetectorCheckpoint.ReadEmbeddedConfig(checkpoint)
            : null;
        if (embedded is null)
        {
            return RunConfig.Resolve(options.ConfigDirectory, "val", options.Overrides);
        }
        // val.yaml's own keys that a training config lacks; the checkpoint is the one being read.
        var defaults = new Dictionary<string, object?> { ["use_test_set"] = false, ["checkpoint"] = checkpoint };
        return RunConfig.FromEmbedded(embedded, options.Overrides, defaults);
    }
}
