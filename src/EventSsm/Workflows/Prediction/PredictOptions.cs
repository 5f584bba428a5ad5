using EventSsm.Model;
using EventSsm.Datasets;
using EventSsm.Inference;
using EventSsm.Streaming;
using static TorchSharp.torch;

namespace EventSsm.Workflows.Prediction;

/// <summary>What <see cref="RecordingPredictor.Run"/> predicts: the <c>predict</c> command's settings.</summary>
public sealed record PredictOptions
{
    /// <summary>Weights (.ckpt, .pt, .npz, .safetensors), or an exported .onnx graph with the onnx backend.</summary>
    public required string Checkpoint { get; init; }

    /// <summary>An event recording, or a folder whose recordings (every file <see cref="Events.EventRecording"/> opens) are each predicted.</summary>
    public required string Input { get; init; }

    /// <summary>Where the box files and renderings go.</summary>
    public required string OutDirectory { get; init; }

    /// <summary>Config overrides for checkpoints without an embedded config (see <see cref="LoadedDetector.Load"/>).</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary>The configs folder; null: found by <see cref="Config.ConfigLocator"/>.</summary>
    public string? ConfigDirectory { get; init; }

    /// <summary>Window timing and thresholds.</summary>
    public StreamingOptions Streaming { get; init; } = new();

    /// <summary>For a folder: the part of its recordings (sorted by name) this run predicts (<c>--shard i/N</c>, docs/CLUSTER.md).</summary>
    public Shard Shard { get; init; } = Shard.All;

    /// <summary>gif, mp4 (a GIF when ffmpeg is missing), png or none.</summary>
    public string Render { get; init; } = "gif";

    /// <summary>The rendering's display threshold (predictions below it are not drawn; the box files keep them).</summary>
    public double ShowConfidence { get; init; } = 0.3;

    /// <summary>Where a TorchSharp model runs (or, with onnx, whether ONNX Runtime uses CUDA).</summary>
    public Device Device { get; init; } = CPU;

    /// <summary>The TorchSharp model's inference arithmetic (docs/MODEL.md §11.3).</summary>
    public InferencePrecision Precision { get; init; } = InferencePrecision.Float32;

    /// <summary>torch (TorchSharp) or onnx (ONNX Runtime; <see cref="Checkpoint"/> may then be an exported .onnx graph).</summary>
    public string Backend { get; init; } = "torch";

    /// <summary>ONNX Runtime's intra-op threads with the onnx backend (0 = one per core); torch's are set by the caller.</summary>
    public int Threads { get; init; }
}
