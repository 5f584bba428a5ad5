namespace EventSsm.Onnx;

/// <summary>
/// The published contract of EventSsm's ONNX detector graphs (README "Deploy with ONNX"; kept stable, versioned by
/// <see cref="Version"/>). Stream graph: input 0 <see cref="WindowInput"/> (B, C, H, W) float32 at the unpadded input
/// size (padding happens inside); inputs 1..N <see cref="StateInput"/> one real state per backbone stage (zeros start a
/// sequence); output 0 <see cref="HeadOutput"/> (B, anchors, 5 + classes) as <c>forward</c> saves <c>head</c>, or with
/// NMS <see cref="BoxesOutput"/>; outputs 1..N <see cref="StateOutput"/> the new states in the same order.
/// Chunk graph: input 0 <see cref="ChunkInput"/> (L, B, C, H, W), head (L·B, anchors, 5 + classes), frame t·B + b.
/// </summary>
public static class OnnxContract
{
    /// <summary>Bumped when a name, a layout or a metadata key changes meaning.</summary>
    public const string Version = "1";

    public const string WindowInput = "window";
    public const string ChunkInput = "chunk";
    public const string HeadOutput = "head";

    /// <summary>NMS graphs: (K, 7) rows [batch index, x, y, w, h, class_id, class_confidence] in descending score order,
    /// in sensor pixels (Prophesee's bbox fields without t and track_id).</summary>
    public const string BoxesOutput = "boxes";

    public const int BoxColumns = 7;

    /// <summary>Metadata key prefix; every key below is written by the exporter and checked by the runtime.</summary>
    public const string Prefix = "eventssm.";

    public const string ContractKey = Prefix + "contract";
    public const string ModeKey = Prefix + "mode";
    public const string LengthKey = Prefix + "length";
    public const string NmsKey = Prefix + "nms";
    public const string InputHwKey = Prefix + "input_hw";
    public const string ModelHwKey = Prefix + "model_hw";
    public const string SensorHwKey = Prefix + "sensor_hw";
    public const string DownsampleKey = Prefix + "downsample_by_factor_2";
    public const string ChannelsKey = Prefix + "input_channels";
    public const string NumClassesKey = Prefix + "num_classes";
    public const string AnchorsKey = Prefix + "anchors";
    public const string StateShapesKey = Prefix + "state_shapes";
    public const string RecurrentKey = Prefix + "recurrent";
    public const string StateModeKey = Prefix + "state_mode";
    public const string StepScaleKey = Prefix + "step_scale";
    public const string MaskKey = Prefix + "mask";
    public const string DatasetKey = Prefix + "dataset";
    public const string RepresentationKey = Prefix + "representation";
    public const string ConfidenceKey = Prefix + "confidence_threshold";
    public const string NmsThresholdKey = Prefix + "nms_threshold";
    public const string SourceKey = Prefix + "source";

    /// <summary>The producer name in every exported model.</summary>
    public const string Producer = "EventSsm";

    public static string StateInput(int stage) => $"state{stage + 1}";

    public static string StateOutput(int stage) => $"state{stage + 1}_out";
}
