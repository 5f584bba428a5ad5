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
    long PeakWorkingSetBytes);
