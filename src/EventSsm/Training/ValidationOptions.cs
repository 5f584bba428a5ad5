using EventSsm.Config;
using EventSsm.Datasets;
using EventSsm.Model.Head;
using EventSsm.Detections;
using EventSsm.Model;
using static TorchSharp.torch;

namespace EventSsm.Training;

/// <summary>Settings of a streaming validation run (docs/DATA.md §3.5, §4.1), usually read from the config.</summary>
public sealed record ValidationOptions
{
    /// <summary>B, <c>batch_size.eval</c>.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>L, <c>dataset.sequence_length</c>.</summary>
    public int SequenceLength { get; init; } = 21;

    /// <summary><c>hardware.num_workers.eval</c>: streams are dealt to this many loader workers (docs/DATA.md §3.5),
    /// which fixes the batch order.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>
    /// Threads reading batches ahead of the model (<c>hardware.num_workers.eval</c>; 0: read on the calling thread).
    /// They read the batches in the order <see cref="Workers"/> fixes, so the results do not depend on this.
    /// </summary>
    public int LoaderThreads { get; init; } = 2;

    /// <summary>Batches read ahead per loader thread (<c>hardware.prefetch_factor</c>, PyTorch's DataLoader default 2).</summary>
    public int PrefetchFactor { get; init; } = 2;

    /// <summary>Data height × width (after the gen4 halving), before padding to the model input size.</summary>
    public int Height { get; init; } = 240;

    public int Width { get; init; } = 304;

    /// <summary>Labels and boxes are at half resolution: the evaluator halves its filter thresholds
    /// (docs/DATA.md §4.4).</summary>
    public bool DownsampledBy2 { get; init; }

    public double ConfidenceThreshold { get; init; } = Postprocess.DefaultConfidenceThreshold;

    public double NmsThreshold { get; init; } = Postprocess.DefaultNmsThreshold;

    public Device Device { get; init; } = CPU;

    /// <summary>
    /// Label frames, as (sequence index, label time), whose input, ground truth and detections the run keeps in
    /// <see cref="ValidationResult.Samples"/> (for TensorBoard images; <see cref="Validator.FixedSamples"/>).
    /// </summary>
    public IReadOnlySet<(int Sequence, long TimeUs)>? Capture { get; init; }

    /// <summary>
    /// Test seam: replaces the post-processing of the decoded head outputs. Gets the decoded outputs of the
    /// collected frames and their ground truth (same order) and returns each frame's detections.
    /// </summary>
    internal Func<Tensor, IReadOnlyList<ObjectLabel[]>, IReadOnlyList<Detection>[]>? Detect { get; init; }

    /// <summary>The options of a composed config after <see cref="ConfigModifier.Apply"/>.</summary>
    public static ValidationOptions FromConfig(ConfigNode cfg, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(cfg);
        int[] hw = ConfigModifier.DataLoadingHw(cfg);
        return new ValidationOptions
        {
            BatchSize = cfg.GetInt("batch_size.eval"),
            SequenceLength = cfg.GetInt("dataset.sequence_length"),
            Workers = Math.Max(1, cfg.GetInt("hardware.num_workers.eval")),
            LoaderThreads = cfg.GetInt("hardware.num_workers.eval"),
            PrefetchFactor = cfg.TryGet("hardware.prefetch_factor", out object? pf) && pf is not null ? cfg.GetInt("hardware.prefetch_factor") : 2,
            Height = hw[0],
            Width = hw[1],
            DownsampledBy2 = cfg.GetBool("dataset.downsample_by_factor_2"),
            ConfidenceThreshold = cfg.GetDouble("model.postprocess.confidence_threshold"),
            NmsThreshold = cfg.GetDouble("model.postprocess.nms_threshold"),
            Device = device ?? CPU,
        };
    }
}
