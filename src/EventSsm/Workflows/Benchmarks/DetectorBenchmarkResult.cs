using EventSsm.Inference;

namespace EventSsm.Workflows.Benchmarks;

/// <summary>What <see cref="DetectorBenchmark.Run"/> measured.</summary>
/// <param name="Breakdown">Median milliseconds per component of one streaming frame (stem, downsample, attention, the
/// temporal layer named s5 or lstm, fpn, head, postprocess), timed by running the submodules one after another.</param>
/// <param name="TrainStep">Forward + loss + backward + AdamW step on (L, B) random frames; null when skipped.</param>
public sealed record DetectorBenchmarkResult(
    DetectorBenchmarkOptions Options,
    int InputHeight,
    int InputWidth,
    long Parameters,
    int Threads,
    LatencyStats Frame,
    LatencyStats Chunk,
    LatencyStats? TrainStep,
    IReadOnlyDictionary<string, double> Breakdown,
    long PeakWorkingSetBytes)
{
    /// <summary>With <c>--backend onnx</c>: the ONNX Runtime streaming frame (decode + NMS included), timed interleaved
    /// with <see cref="Frame"/>; null otherwise.</summary>
    public LatencyStats? OnnxFrame { get; init; }

    /// <summary>With <c>--backend onnx</c>: the TorchSharp frame of the interleaved loop (same iterations as
    /// <see cref="OnnxFrame"/>).</summary>
    public LatencyStats? TorchFrameInterleaved { get; init; }

    /// <summary>ONNX p50 / TorchSharp p50 of the interleaved loop (goal ≤ 0.7).</summary>
    public double? OnnxToTorchP50 => OnnxFrame is LatencyStats o && TorchFrameInterleaved is LatencyStats t ? o.P50Ms / t.P50Ms : null;
}
