using System.Diagnostics;
using EventSsm.Config;
using EventSsm.Detections;
using EventSsm.Export;
using EventSsm.Onnx;
using EventSsm.Model;
using EventSsm.Tensors;
using EventSsm.Training;
using TorchSharp;
using TorchSharp.Modules;
using EventSsm.Inference;
using EventSsm.Model.Backbone;
using EventSsm.Model.Head;
using EventSsm.Model.Ssm;
using static TorchSharp.torch;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Workflows.Benchmarks;

/// <summary>
/// CPU latency of the S5-ViT detector: one streaming frame (L = 1, state carried), one chunk of L frames, a
/// training step, and a per-component breakdown of the frame. Random weights and inputs: the timings do not depend
/// on the values. Stopwatch-based; the breakdown calls the stage submodules itself, so nothing is added to the model's
/// own forward.
/// </summary>
public static class DetectorBenchmark
{
    /// <summary>
    /// Component names of <see cref="DetectorBenchmarkResult.Breakdown"/>, in forward order; the temporal layer is named
    /// after the backbone's (<c>s5</c> or <c>lstm</c>).
    /// </summary>
    public static string[] Components(RecurrentLayer recurrent) =>
        ["stem", "downsample", "attention", TemporalName(recurrent), "fpn", "head", "postprocess"];

    /// <summary>The component name of the temporal layer (<c>s5</c> or <c>lstm</c>).</summary>
    public static string TemporalName(RecurrentLayer recurrent) => recurrent.ToString().ToLowerInvariant();

    /// <summary>
    /// The Gen1 detector of <paramref name="model"/> size, composed like <c>train.py dataset=gen1 +experiment/gen1=…</c>,
    /// with <paramref name="recurrent"/> as <c>model.backbone.recurrent</c>, followed by <paramref name="overrides"/>.
    /// </summary>
    public static YoloXDetector CreateModel(string configsDir, string model, int height, int width,
        RecurrentLayer recurrent = RecurrentLayer.S5, IReadOnlyList<string>? overrides = null)
    {
        ConfigNode cfg = ConfigComposer.Compose(configsDir, "train",
            ["dataset=gen1", $"+experiment/gen1={model}.yaml", $"dataset.resolution_hw=[{height},{width}]",
             $"model.backbone.recurrent={TemporalName(recurrent)}", .. overrides ?? []]);
        ConfigModifier.Apply(cfg);
        var detector = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        // The training step is timed as the trainer runs it (docs/MODEL.md §11.2).
        detector.Backbone.RecomputeAttentionIn(TrainerOptions.RecomputeAttentionFrom(cfg));
        return detector;
    }

    /// <summary>
    /// Builds the configured model on <paramref name="options"/>' device and times one streaming frame, one chunk, the
    /// component breakdown and optionally a training step; <paramref name="configsDir"/> is the configs tree.
    /// </summary>
    public static DetectorBenchmarkResult Run(string configsDir, DetectorBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Threads > 0)
        {
            torch.set_num_threads(options.Threads);
        }
        manual_seed(0);
        using YoloXDetector model = CreateModel(configsDir, options.Model, options.Height, options.Width, options.Recurrent, options.Overrides);
        model.PrepareInference(options.Device, options.Precision);
        int h = model.Options.InputHeight;
        int w = model.Options.InputWidth;
        long channels = model.Options.Backbone.InputChannels;
        LatencyStats frame;
        LatencyStats chunk;
        Dictionary<string, double> breakdown;
        // As StreamingDetector: inference mode (the states stay inside this block).
        using (inference_mode())
        {
            // Event histograms are small non-negative counts; the values do not change the cost.
            using Tensor x1 = rand([1, 1, channels, h, w], generator: new Generator(1), device: CPU).mul(Of(4)).to(options.Device);
            using Tensor xl = rand([options.Length, 1, channels, h, w], generator: new Generator(2), device: CPU).mul(Of(4)).to(options.Device);
            frame = TimeStreaming(model, x1, options);
            chunk = Time(options, () =>
            {
                using DisposeScope scope = NewDisposeScope();
                model.Forward(xl, stateMode: S5StateMode.Carry);
            });
            breakdown = Breakdown(model, x1, options);
        }
        OnnxComparison? pair = options.Backend == "onnx" ? TimeAgainstOnnx(configsDir, model, options) : null;
        // Training runs in float32 (random weights here, so bfloat16's rounding of them does not matter).
        model.SetInferencePrecision(InferencePrecision.Float32);
        LatencyStats? train = options.TrainRepeats > 0 ? TimeTrainStep(model, options) : null;
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return new DetectorBenchmarkResult(options, h, w, model.ParameterCount(), torch.get_num_threads(),
            frame, chunk, train, breakdown, process.PeakWorkingSet64, options.Device.type == DeviceType.CUDA ? "cuda" : "cpu")
        {
            Allocator = HostAllocator.Active,
            Attention = AttentionPath(options),
            Scan = ScanPath(options),
            TorchFrameInterleaved = pair?.Torch,
            OnnxFrame = pair?.Onnx,
            OnnxFrameAlone = pair?.OnnxAlone,
            TorchFrameAlone = pair?.TorchAlone,
            AloneRoundRatios = pair?.AloneRatios,
        };
    }

    /// <summary>Rounds of the alternating alone measurement (<see cref="TimeAgainstOnnx"/>).</summary>
    public const int AloneRounds = 5;

    /// <summary>
    /// The model exported as an ONNX stream graph (to a temporary file), then one TorchSharp and one ONNX Runtime
    /// streaming frame per iteration on the same input, states carried, postprocess included in both, ONNX Runtime's
    /// idle threads sleeping; then each library alone, at its fastest (ONNX Runtime with its default spinning threads),
    /// in <see cref="AloneRounds"/> rounds of one block each, the first frame of every block untimed. Interleaving gives
    /// both the same machine phase; so do the alternating blocks, whose per-round ratios do not mix this VM's fast and
    /// slow phases (docs/PERFORMANCE.md "ONNX Runtime vs TorchSharp (streaming frame)").
    /// </summary>
    // Which attention the timed runs took (docs/MODEL.md §11.1): ours in float32 on the CPU where the kernels can run;
    // the partitions of the benchmark's configs fit them.
    private static string AttentionPath(DetectorBenchmarkOptions options)
    {
        if (options.Device.type != DeviceType.CPU)
        {
            return $"libtorch's operators (on {options.Device.type.ToString().ToLowerInvariant()})";
        }
        if (FusedAttention.Unavailable is string reason)
        {
            return $"libtorch's operators ({reason})";
        }
        return options.Precision == InferencePrecision.Float32
            ? "our kernels (FusedAttention: AVX-512, on libtorch's OpenMP threads)"
            : "libtorch's operators for the bfloat16 frames; our kernels for the float32 training step";
    }

    // Which S5 scan the timed runs took (docs/MODEL.md §11.1, "The S5 scan in one pass"): S5 computes in float32 also
    // with bfloat16 frames, so only the device and the CPU decide.
    private static string ScanPath(DetectorBenchmarkOptions options) =>
        options.Recurrent != RecurrentLayer.S5 ? "none (the backbone's temporal layer is the LSTM)"
        : options.Device.type != DeviceType.CPU ? $"libtorch's operators (on {options.Device.type.ToString().ToLowerInvariant()})"
        : SplitComplexScan.Unavailable is string reason ? $"libtorch's operators ({reason})"
        : "our kernel (SplitComplexScan: AVX-512, on libtorch's OpenMP threads)";

    private static OnnxComparison TimeAgainstOnnx(string configsDir, YoloXDetector model, DetectorBenchmarkOptions options)
    {
        ConfigNode cfg = ConfigComposer.Compose(configsDir, "train",
            ["dataset=gen1", $"+experiment/gen1={options.Model}.yaml", $"dataset.resolution_hw=[{options.Height},{options.Width}]", .. options.Overrides ?? []]);
        ConfigModifier.Apply(cfg);
        string path = Path.Combine(Path.GetTempPath(), $"eventssm-bench-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxExporter.Export(model, cfg, path, new OnnxExportOptions());
            // The same intra-op thread count as torch's (set by the caller when options.Threads is 0). In the
            // interleaved loop ONNX Runtime's idle threads sleep: spinning, they would take the CPU from TorchSharp's
            // frame. Alone, it runs with its default (spinning), its fastest.
            var settings = new OnnxSessionSettings(options.Threads > 0 ? options.Threads : torch.get_num_threads());
            using OnnxDetector quiet = OnnxDetector.Open(path, settings with { AllowSpinning = false });
            using OnnxDetector spinning = OnnxDetector.Open(path, settings);
            OnnxModelInfo info = quiet.Info;
            using Tensor x = rand([1, 1, info.Channels, info.InputHeight, info.InputWidth], generator: new Generator(1), device: CPU).mul(Of(4));
            using Tensor padded = InputPadder.Pad(x, model.Options.InputHeight, model.Options.InputWidth).to(options.Device);
            float[] window = x.contiguous().data<float>().ToArray();
            using IDisposable inference = inference_mode();
            using var torchFrames = new StreamingFrameLoop(model, padded);
            var torchMs = new List<double>();
            var onnxMs = new List<double>();
            for (int i = 0; i < options.Warmup + options.Repeats; i++)
            {
                double t = TorchFrameMs();
                double o = OnnxFrameMs(quiet);
                if (i >= options.Warmup)
                {
                    torchMs.Add(t);
                    onnxMs.Add(o);
                }
            }
            int block = (options.Repeats + AloneRounds - 1) / AloneRounds;
            var onnxAlone = new List<double>();
            var torchAlone = new List<double>();
            var ratios = new List<double>();
            for (int round = 0; round < AloneRounds; round++)
            {
                List<double> o = Block(() => OnnxFrameMs(spinning));
                List<double> t = Block(TorchFrameMs);
                ratios.Add(LatencyStats.From(o).P50Ms / LatencyStats.From(t).P50Ms);
                onnxAlone.AddRange(o);
                torchAlone.AddRange(t);
            }
            return new OnnxComparison(LatencyStats.From(torchMs), LatencyStats.From(onnxMs), LatencyStats.From(onnxAlone),
                LatencyStats.From(torchAlone), ratios);

            // One untimed frame (the other library's threads may still spin), then the block's timed frames.
            List<double> Block(Func<double> frame)
            {
                frame();
                return [.. Enumerable.Range(0, block).Select(_ => frame())];
            }

            // One TorchSharp streaming frame, postprocess included, states carried.
            double TorchFrameMs()
            {
                long start = Stopwatch.GetTimestamp();
                torchFrames.Step();
                return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            // One ONNX Runtime streaming frame, postprocess included.
            double OnnxFrameMs(OnnxDetector onnx)
            {
                long start = Stopwatch.GetTimestamp();
                float[] head = onnx.Step(window);
                Postprocess.Run(head, 1, info.Anchors, 5 + info.NumClasses, info.ConfidenceThreshold, info.NmsThreshold);
                return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed record OnnxComparison(LatencyStats Torch, LatencyStats Onnx, LatencyStats OnnxAlone, LatencyStats TorchAlone,
        IReadOnlyList<double> AloneRatios);

    private static LatencyStats TimeStreaming(YoloXDetector model, Tensor frame, DetectorBenchmarkOptions options)
    {
        using var frames = new StreamingFrameLoop(model, frame);
        return Time(options, frames.Step);
    }

    private static LatencyStats TimeTrainStep(YoloXDetector model, DetectorBenchmarkOptions options)
    {
        using var steps = new TrainingStepLoop(model, options.Length, options.TrainBatch, options.Device);
        // As the trainer: the step's freed activations stay in the heap for the next step.
        using IDisposable heap = HostHeap.KeepFreedMemory();
        try
        {
            return Time(options with { Repeats = options.TrainRepeats, Warmup = Math.Min(options.Warmup, 1) }, () => steps.Step());
        }
        finally
        {
            model.eval();
        }
    }

    /// <summary>
    /// The training step's targets (frames, 3, 5): three boxes per frame at fixed spots, so SimOTA has work like on
    /// real labels.
    /// </summary>
    public static Tensor TrainTargets(long frames, int h, int w, int numClasses)
    {
        var rows = new float[frames * 3 * 5];
        for (long f = 0; f < frames; f++)
        {
            for (int k = 0; k < 3; k++)
            {
                long o = (f * 3 + k) * 5;
                rows[o] = k % numClasses;
                rows[o + 1] = w * (0.25f + 0.25f * k);
                rows[o + 2] = h * (0.3f + 0.2f * k);
                rows[o + 3] = 24 + 16 * k;
                rows[o + 4] = 32 + 8 * k;
            }
        }
        return tensor(rows, [frames, 3, 5], device: CPU);
    }

    private static Dictionary<string, double> Breakdown(YoloXDetector model, Tensor frame, DetectorBenchmarkOptions options)
    {
        string[] components = Components(model.Options.Backbone.Recurrent);
        string temporal = components[3];
        var samples = components.ToDictionary(c => c, _ => new List<double>());
        var stopwatch = new Stopwatch();
        Tensor?[] states = new Tensor?[model.Backbone.Stages.Count];
        // As the backbone's forward: the input in the stages' dtype (cast once here, outside the timed parts).
        using Tensor stemInput = frame.to(model.Backbone.ComputeType);
        for (int iter = 0; iter < options.Warmup + options.Repeats; iter++)
        {
            var totals = components.ToDictionary(c => c, _ => 0.0);
            using (DisposeScope scope = NewDisposeScope())
            {
                Tensor input = stemInput;
                var features = new Tensor[states.Length];
                var next = new Tensor[states.Length];
                for (int i = 0; i < states.Length; i++)
                {
                    RecurrentStage stage = model.Backbone.Stages[i];
                    stopwatch.Restart();
                    Tensor y = stage.Downsample.call(input.reshape(input.shape[0] * input.shape[1], input.shape[2], input.shape[3], input.shape[4]));
                    totals[i == 0 ? "stem" : "downsample"] += stopwatch.Elapsed.TotalMilliseconds;
                    stopwatch.Restart();
                    foreach (MaxVitAttentionPairCl block in stage.AttentionBlocks)
                    {
                        y = block.call(y);
                    }
                    totals["attention"] += stopwatch.Elapsed.TotalMilliseconds;
                    stopwatch.Restart();
                    (features[i], next[i]) = stage.ForwardTemporal(y, input.shape[0], states[i], model.Backbone.Options.StepScale, S5StateMode.Carry);
                    totals[temporal] += stopwatch.Elapsed.TotalMilliseconds;
                    input = features[i];
                }
                stopwatch.Restart();
                Tensor[] fpnIn = model.Options.Fpn.InStages
                    .Select(s => features[s - 1].flatten(0, 1))
                    .ToArray();
                Tensor[] fpnOut = model.Fpn.forward(fpnIn);
                totals["fpn"] += stopwatch.Elapsed.TotalMilliseconds;
                stopwatch.Restart();
                HeadOutputs outputs = model.Head.forward(fpnOut);
                totals["head"] += stopwatch.Elapsed.TotalMilliseconds;
                stopwatch.Restart();
                TensorPostprocess.Run(outputs.Decoded, model.Options.ConfidenceThreshold, model.Options.NmsThreshold);
                totals["postprocess"] += stopwatch.Elapsed.TotalMilliseconds;
                for (int i = 0; i < states.Length; i++)
                {
                    states[i]?.Dispose();
                    states[i] = next[i].DetachFromDisposeScope();
                }
            }
            if (iter >= options.Warmup)
            {
                foreach ((string c, double ms) in totals)
                {
                    samples[c].Add(ms);
                }
            }
        }
        DisposeAll(states);
        return samples.ToDictionary(kv => kv.Key, kv => LatencyStats.From(kv.Value).P50Ms);
    }

    private static LatencyStats Time(DetectorBenchmarkOptions options, Action step)
    {
        var samples = new List<double>(options.Repeats);
        for (int i = 0; i < options.Warmup; i++)
        {
            step();
        }
        bool gpu = options.Device.type == DeviceType.CUDA;
        for (int i = 0; i < options.Repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            step();
            if (gpu)
            {
                // CUDA kernels run asynchronously: the step is done when the device is.
                torch.cuda.synchronize();
            }
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return LatencyStats.From(samples);
    }

    private static void DisposeAll(IEnumerable<Tensor?>? tensors)
    {
        foreach (Tensor? t in tensors ?? [])
        {
            t?.Dispose();
        }
    }
}
