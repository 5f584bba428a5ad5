using EventSsm.Checkpoints;
using EventSsm.Config;
using EventSsm.Model;
using EventSsm.Training;

namespace EventSsm.Export;

/// <summary>
/// Writes a loaded detector for PyTorch (docs/MODEL.md §7.1): a state dict (<c>.pt</c>) or a Lightning checkpoint
/// (<c>.ckpt</c>) whose epoch, step and Lightning version come from the source checkpoint when it has them.
/// </summary>
public static class PyTorchExporter
{
    /// <param name="model">The detector, weights loaded.</param>
    /// <param name="config">The resolved config it was built from (saved in the Lightning checkpoint).</param>
    /// <param name="outPath">The file to write (atomically).</param>
    /// <param name="format">State dict or Lightning checkpoint.</param>
    /// <param name="source">The checkpoint the weights came from, read for the training progress; may be null.</param>
    public static void Export(YoloXDetector model, ConfigNode config, string outPath, PyTorchExportFormat format, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        switch (format)
        {
            case PyTorchExportFormat.StateDict:
                DetectorCheckpoint.SaveStateDict(outPath, model);
                break;
            case PyTorchExportFormat.Lightning:
                DetectorCheckpoint.SaveLightning(outPath, model, ProgressOf(source) with { Config = config });
                break;
            default:
                throw new ArgumentException($"unknown PyTorch export format {format}", nameof(format));
        }
    }

    /// <summary>
    /// Epoch, step and Lightning version of <paramref name="source"/>: a Lightning checkpoint's own, the step of one of
    /// our training checkpoints, or zeros.
    /// </summary>
    public static LightningCheckpointInfo ProgressOf(string? source)
    {
        var info = new LightningCheckpointInfo(Config: null);
        if (source is null)
        {
            return info;
        }
        if (source.EndsWith(".ckpt", StringComparison.OrdinalIgnoreCase))
        {
            TorchCheckpoint ckpt = TorchCheckpoint.ReadMetadata(source);
            return info with
            {
                Epoch = ckpt.Epoch ?? 0,
                GlobalStep = ckpt.GlobalStep ?? 0,
                LightningVersion = ckpt.LightningVersion ?? info.LightningVersion,
            };
        }
        if (source.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            return info with { GlobalStep = TrainingCheckpoint.ReadStep(source) ?? 0 };
        }
        return info;
    }
}
