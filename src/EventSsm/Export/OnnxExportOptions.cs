namespace EventSsm.Export;

/// <summary>Settings of <see cref="OnnxExporter"/>.</summary>
/// <param name="Mode">Stream (one window per call) or chunk (L windows per call).</param>
/// <param name="Length">L of a chunk graph (ignored for stream graphs).</param>
/// <param name="Nms">End the graph in boxes (ONNX NonMaxSuppression, the config's thresholds) instead of head predictions.</param>
/// <param name="Source">Recorded in the metadata (the checkpoint's file name).</param>
public sealed record OnnxExportOptions(
    OnnxExportMode Mode = OnnxExportMode.Stream,
    int Length = 1,
    bool Nms = false,
    string? Source = null)
{
    /// <summary>The ONNX operator set the graphs use (LayerNormalization needs 17).</summary>
    public const int Opset = 17;

    /// <summary>IR version 8 goes with opsets 17 and 18.</summary>
    public const int IrVersion = 8;

    public void Validate()
    {
        if (!Enum.IsDefined(Mode))
        {
            throw new ArgumentException($"unknown export mode {Mode}");
        }
        if (Mode == OnnxExportMode.Chunk && Length < 1)
        {
            throw new ArgumentException($"--length must be at least 1, got {Length}");
        }
    }
}
