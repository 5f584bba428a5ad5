namespace EventSsm.Export;

/// <summary>Which PyTorch file <see cref="PyTorchExporter"/> writes (docs/MODEL.md §7.1).</summary>
public enum PyTorchExportFormat
{
    /// <summary><c>.pt</c>: the detector's state dict under the original's key names, for <c>torch.load(weights_only=True)</c>.</summary>
    StateDict,

    /// <summary><c>.ckpt</c>: the Lightning checkpoint the original's validation script loads.</summary>
    Lightning,
}
