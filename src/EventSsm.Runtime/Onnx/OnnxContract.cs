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

    /// <summary>Input 0 of a stream graph: one window's representation (B, C, H, W).</summary>
    public const string WindowInput = "window";
    /// <summary>Input 0 of a chunk graph: L windows (L, B, C, H, W).</summary>
    public const string ChunkInput = "chunk";
    /// <summary>Output 0 without NMS: decoded head predictions (frames, anchors, 5 + classes).</summary>
    public const string HeadOutput = "head";

    /// <summary>NMS graphs: (K, 7) rows [batch index, x, y, w, h, class_id, class_confidence] in descending score order,
    /// in sensor pixels (Prophesee's bbox fields without t and track_id).</summary>
    public const string BoxesOutput = "boxes";

    /// <summary>Columns of a <see cref="BoxesOutput"/> row.</summary>
    public const int BoxColumns = 7;

    /// <summary>Metadata key prefix; every key below is written by the exporter and checked by the runtime.</summary>
    public const string Prefix = "eventssm.";

    /// <summary>Metadata: the contract version (<see cref="Version"/>).</summary>
    public const string ContractKey = Prefix + "contract";
    /// <summary>Metadata: <c>stream</c> or <c>chunk</c>.</summary>
    public const string ModeKey = Prefix + "mode";
    /// <summary>Metadata: L of a chunk graph (1 for a stream graph).</summary>
    public const string LengthKey = Prefix + "length";
    /// <summary>Metadata: whether the graph ends in NMS boxes.</summary>
    public const string NmsKey = Prefix + "nms";
    /// <summary>Metadata: input 0's H,W (the unpadded input size).</summary>
    public const string InputHwKey = Prefix + "input_hw";
    /// <summary>Metadata: the padded H,W the network runs at.</summary>
    public const string ModelHwKey = Prefix + "model_hw";
    /// <summary>Metadata: the recordings' sensor H,W.</summary>
    public const string SensorHwKey = Prefix + "sensor_hw";
    /// <summary>Metadata: whether input 0 is the 2× downsampled histogram (gen4).</summary>
    public const string DownsampleKey = Prefix + "downsample_by_factor_2";
    /// <summary>Metadata: representation channels C.</summary>
    public const string ChannelsKey = Prefix + "input_channels";
    /// <summary>Metadata: number of classes.</summary>
    public const string NumClassesKey = Prefix + "num_classes";
    /// <summary>Metadata: anchors per frame.</summary>
    public const string AnchorsKey = Prefix + "anchors";
    /// <summary>Metadata: each stage's state (channels, h, w).</summary>
    public const string StateShapesKey = Prefix + "state_shapes";
    /// <summary>Metadata: the recurrent layer (<c>s5</c>).</summary>
    public const string RecurrentKey = Prefix + "recurrent";
    /// <summary>Metadata: <c>carry</c> or <c>reference</c>.</summary>
    public const string StateModeKey = Prefix + "state_mode";
    /// <summary>Metadata: the S5 step scale baked into the graph.</summary>
    public const string StepScaleKey = Prefix + "step_scale";
    /// <summary>Metadata: the frequency mask setting baked into the graph.</summary>
    public const string MaskKey = Prefix + "mask";
    /// <summary>Metadata: the dataset's name (the config's <c>dataset.name</c>: <c>gen1</c>, <c>gen4</c>, <c>etram</c>, …).</summary>
    public const string DatasetKey = Prefix + "dataset";
    /// <summary>Metadata: the classes by class id, a JSON array of strings (the config's <c>dataset.classes</c>). Optional: graphs
    /// written before it name their classes <c>class0</c>, <c>class1</c>, ….</summary>
    public const string ClassNamesKey = Prefix + "class_names";
    /// <summary>Metadata: the representation name (the config's <c>dataset.ev_repr_name</c>).</summary>
    public const string RepresentationKey = Prefix + "representation";
    /// <summary>Metadata: the config's confidence threshold.</summary>
    public const string ConfidenceKey = Prefix + "confidence_threshold";
    /// <summary>Metadata: the config's NMS IoU threshold.</summary>
    public const string NmsThresholdKey = Prefix + "nms_threshold";
    /// <summary>Metadata: the checkpoint the graph was exported from.</summary>
    public const string SourceKey = Prefix + "source";

    /// <summary>The producer name in every exported model.</summary>
    public const string Producer = "EventSsm";

    /// <summary>Name of the state input of backbone stage <paramref name="stage"/> (0-based): state1 … state4.</summary>
    public static string StateInput(int stage) => $"state{stage + 1}";

    /// <summary>
    /// Name of the new-state output of backbone stage <paramref name="stage"/> (0-based): state1_out … state4_out.
    /// </summary>
    public static string StateOutput(int stage) => $"state{stage + 1}_out";
}
