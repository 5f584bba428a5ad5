using TorchSharp;
using EventSsm.Checkpoints;
using EventSsm.Config;
using EventSsm.Model;
using static TorchSharp.torch;

namespace EventSsm.Inference;

/// <summary>A detector in eval mode with its weights loaded, plus the resolved config it was built from.</summary>
public sealed class LoadedDetector : IDisposable
{
    private LoadedDetector(YoloXDetector model, ConfigNode config)
    {
        Model = model;
        Config = config;
    }

    /// <summary>The detector, in eval mode.</summary>
    public YoloXDetector Model { get; }

    /// <summary>The composed config after <see cref="ConfigModifier.Apply"/>.</summary>
    public ConfigNode Config { get; }

    /// <summary>
    /// Builds the model a command needs. Our .safetensors checkpoints embed their config: with no overrides it is used
    /// as is. Otherwise the <c>val</c> config is composed with <paramref name="overrides"/> (e.g.
    /// <c>dataset=gen1 +experiment/gen1=small.yaml</c>), as the original's validation script does. The model is moved
    /// to <paramref name="device"/> (default the CPU) and set to <paramref name="precision"/> (docs/MODEL.md §11.3).
    /// </summary>
    public static LoadedDetector Load(string checkpoint, IReadOnlyList<string>? overrides = null, string? configDir = null,
        Device? device = null, InferencePrecision precision = InferencePrecision.Float32)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (!File.Exists(checkpoint))
        {
            throw new FileNotFoundException($"{checkpoint}: checkpoint not found", checkpoint);
        }
        ConfigNode? cfg = overrides is null or { Count: 0 } ? DetectorCheckpoint.ReadEmbeddedConfig(checkpoint) : null;
        if (cfg is null)
        {
            if (overrides is null or { Count: 0 })
            {
                throw new ArgumentException($"{checkpoint}: has no embedded config; give the experiment as overrides, e.g. dataset=gen1 +experiment/gen1=small.yaml");
            }
            cfg = RunConfig.Resolve(configDir, "val", overrides);
        }
        var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        try
        {
            DetectorCheckpoint.Load(model, checkpoint);
            model.PrepareInference(device, precision);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return new LoadedDetector(model, cfg);
    }

    /// <summary>Disposes the model.</summary>
    public void Dispose() => Model.Dispose();
}
