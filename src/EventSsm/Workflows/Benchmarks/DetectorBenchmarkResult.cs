using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using EventSsm.Model.Backbone;
using EventSsm.Inference;

namespace EventSsm.Workflows.Benchmarks;

/// <summary>What <see cref="DetectorBenchmark.Run"/> measured.</summary>
/// <param name="Breakdown">Median milliseconds per component of one streaming frame (stem, downsample, attention, the
/// temporal layer named s5 or lstm, fpn, head, postprocess), timed by running the submodules one after another.</param>
/// <param name="TrainStep">Forward + loss + backward + AdamW step on (L, B) random frames; null when skipped.</param>
/// <param name="Options">The settings the run used.</param>
/// <param name="InputHeight">Input height the model ran at (padded).</param>
/// <param name="InputWidth">Input width the model ran at (padded).</param>
/// <param name="Parameters">Parameter count of the model.</param>
/// <param name="Threads">torch intra-op threads during the run.</param>
/// <param name="Frame">Latency of one streaming frame (L = 1, B = 1, states carried).</param>
/// <param name="Chunk">Latency of one chunk (L frames, B = 1).</param>
/// <param name="PeakWorkingSetBytes">The process's peak working set after the run.</param>
/// <param name="Device"><c>cpu</c> or <c>cuda</c>.</param>
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
    long PeakWorkingSetBytes,
    string Device = "cpu")
{
    /// <summary>With <c>--backend onnx</c>: the ONNX Runtime streaming frame (decode + NMS included), timed interleaved
    /// with <see cref="TorchFrameInterleaved"/>, its idle threads sleeping (so that they leave TorchSharp's frame the
    /// CPU); null otherwise.</summary>
    public LatencyStats? OnnxFrame { get; init; }

    /// <summary>The C allocator behind the tensors (<see cref="Training.HostAllocator.Active"/>): it sets much of the
    /// peak working set (docs/PERFORMANCE.md "Allocators").</summary>
    public string Allocator { get; init; } = Training.HostAllocator.Glibc;

    /// <summary>Which attention ran: our kernels (float32 on an AVX-512 CPU, docs/MODEL.md §11.1) or libtorch's
    /// operators, and why.</summary>
    public string Attention { get; init; } = "libtorch's operators";

    /// <summary>Which S5 scan ran: our kernel (float32 on an AVX-512 CPU, docs/MODEL.md §11.1, "The S5 scan in one
    /// pass") or libtorch's operators, and why; or that the backbone has no S5 layer.</summary>
    public string Scan { get; init; } = "libtorch's operators";

    /// <summary>With <c>--backend onnx</c>: the TorchSharp frame of the interleaved loop (same iterations as
    /// <see cref="OnnxFrame"/>).</summary>
    public LatencyStats? TorchFrameInterleaved { get; init; }

    /// <summary>ONNX p50 / TorchSharp p50 of the interleaved loop (goal ≤ 0.7).</summary>
    public double? OnnxToTorchP50 => OnnxFrame is LatencyStats o && TorchFrameInterleaved is LatencyStats t ? o.P50Ms / t.P50Ms : null;

    /// <summary>With <c>--backend onnx</c>: ONNX Runtime frames timed on their own, after the interleaved loop, with its
    /// default spinning threads (its fastest), pooled over the alternating blocks.</summary>
    public LatencyStats? OnnxFrameAlone { get; init; }

    /// <summary>With <c>--backend onnx</c>: TorchSharp frames timed on their own, each block right after an ONNX Runtime
    /// block (warm, unlike <see cref="Frame"/>, the run's first measurement), pooled over the blocks.</summary>
    public LatencyStats? TorchFrameAlone { get; init; }

    /// <summary>With <c>--backend onnx</c>: per round of <see cref="DetectorBenchmark.AloneRounds"/>, ONNX Runtime's
    /// block p50 over the TorchSharp block p50 that follows it: two neighbouring blocks see the same VM phase.</summary>
    public IReadOnlyList<double>? AloneRoundRatios { get; init; }

    /// <summary>ONNX p50 alone / TorchSharp p50 alone, each library at its fastest: the median of
    /// <see cref="AloneRoundRatios"/> (goal ≤ 0.7).</summary>
    public double? OnnxAloneToTorchP50 => AloneRoundRatios is { Count: > 0 } r ? Median(r) : null;

    /// <summary>The result as indented JSON (enums by name), as <c>eventssm benchmark</c> prints and saves it.</summary>
    public string ToJson() => JsonSerializer.Serialize(this,
        new JsonSerializerOptions { WriteIndented = true, Converters = { new JsonStringEnumConverter() } });

    /// <summary>The human-readable table of <c>eventssm benchmark</c>.</summary>
    public string ToTable()
    {
        var sb = new StringBuilder();
        DetectorBenchmarkOptions o = Options;
        string extra = o.Overrides is { Count: > 0 } ov ? $" ({string.Join(' ', ov)})" : "";
        string family = o.Recurrent == RecurrentLayer.Lstm ? "LSTM-ViT (RVT)" : "S5-ViT";
        string device = Device == "cpu" ? "" : $" on {Device}";
        string precision = o.Precision == Model.InferencePrecision.Float32 ? ""
            : ", bfloat16 inference (training step float32)" + (Tensors.CpuBFloat16.IsNative ? "" : " emulated: this CPU has no bfloat16 instructions");
        sb.AppendLine(Invariant($"{family}-{o.Model}{extra}, input {InputHeight}x{InputWidth}, {Parameters / 1e6:F2} M parameters, {Threads} threads{device}{precision}"));
        sb.AppendLine($"{"measurement",-34} {"p50 ms",10} {"p95 ms",10} {"min ms",10} {"n",4}");
        Row(sb, "forward, 1 frame (streaming)", Frame);
        Row(sb, $"forward, chunk L={o.Length}", Chunk);
        if (TrainStep is LatencyStats t)
        {
            Row(sb, $"train step B={o.TrainBatch} L={o.Length}", t);
            sb.AppendLine(Invariant($"{"  = train steps/s (from p50)",-34} {1000 / t.P50Ms,10:F2}"));
        }
        if (OnnxFrame is LatencyStats onnx && TorchFrameInterleaved is LatencyStats torchFrame)
        {
            Row(sb, "interleaved: torch, 1 frame", torchFrame);
            Row(sb, "interleaved: onnx (no spin)", onnx);
            sb.AppendLine(Invariant($"{"  = onnx p50 / torch p50",-34} {OnnxToTorchP50,10:F2}"));
        }
        if (OnnxFrameAlone is LatencyStats alone)
        {
            Row(sb, "alone: onnx (spinning)", alone);
            if (TorchFrameAlone is LatencyStats torchAlone)
            {
                Row(sb, "alone: torch, blocks after onnx's", torchAlone);
            }
            if (AloneRoundRatios is { Count: > 0 } ratios)
            {
                sb.AppendLine(Invariant($"{"  = onnx alone / torch alone p50",-34} {OnnxAloneToTorchP50,10:F2}   (median of {ratios.Count} rounds: {string.Join(' ', ratios.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))})"));
            }
        }
        sb.AppendLine("breakdown of one frame (p50 ms):");
        foreach ((string name, double ms) in Breakdown)
        {
            sb.AppendLine(Invariant($"  {name,-32} {ms,10:F1}"));
        }
        sb.AppendLine(Invariant($"peak working set: {PeakWorkingSetBytes / (1024.0 * 1024.0):F0} MiB ({Allocator} malloc)"));
        sb.AppendLine($"attention kernels: {Attention}");
        sb.AppendLine($"s5 scan: {Scan}");
        return sb.ToString();
    }

    private static double Median(IReadOnlyList<double> values)
    {
        double[] sorted = [.. values.Order()];
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static void Row(StringBuilder sb, string name, LatencyStats s) =>
        sb.AppendLine(Invariant($"{name,-34} {s.P50Ms,10:F1} {s.P95Ms,10:F1} {s.MinMs,10:F1} {s.Count,4}"));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
