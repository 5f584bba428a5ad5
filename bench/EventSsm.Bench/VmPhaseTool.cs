using System.Globalization;
using EventSsm.Model;
using EventSsm.Onnx;
using EventSsm.Workflows.Benchmarks;
using TorchSharp;
using static EventSsm.Bench.ToolArgs;
using static TorchSharp.torch;

namespace EventSsm.Bench;

/// <summary>
/// What changes in this VM's slow phases: per round, the benchmark's small streaming frame in ONNX Runtime (two
/// threads spinning, two sleeping, one) and in TorchSharp (two threads, one), a 5120×48×192 GEMM (two threads, one)
/// and a 64 MB copy, each the p50 of a short block, so that every round's numbers come from one phase
/// (docs/PERFORMANCE.md "Alternating blocks (2026-12-07, sixth session)").
/// <c>EventSsm.Bench.dll vm-phases [--rounds 30] [--configs DIR]</c>
/// </summary>
internal static class VmPhaseTool
{
    public static void Run(string[] args)
    {
        int rounds = Int(args, "--rounds", 30);
        string configs = Configs(args);
        string dir = Directory.CreateTempSubdirectory("eventssm-vm-phases-").FullName;
        string path = Path.Combine(dir, "small.onnx");
        BenchmarkGraph.Export(configs, "small", [], path);
        using OnnxDetector spinning = OnnxDetector.Open(path, new OnnxSessionSettings(2));
        using OnnxDetector sleeping = OnnxDetector.Open(path, new OnnxSessionSettings(2, AllowSpinning: false));
        using OnnxDetector single = OnnxDetector.Open(path, new OnnxSessionSettings(1));
        OnnxModelInfo info = spinning.Info;
        float[] window = new float[info.Channels * info.InputHeight * info.InputWidth];
        var random = new Random(1);
        for (int i = 0; i < window.Length; i++)
        {
            window[i] = 4 * random.NextSingle();
        }
        manual_seed(0);
        using YoloXDetector model = DetectorBenchmark.CreateModel(configs, "small", 256, 320);
        model.eval();
        using IDisposable inference = inference_mode();
        using Tensor frame = rand([1, 1, info.Channels, 256, 320], generator: new Generator(1)).mul(4);
        using Tensor a = randn(5120, 48);
        using Tensor b = randn(48, 192);
        using Tensor source = randn(16_000_000);
        using Tensor target = empty(16_000_000);
        using var frames = new StreamingFrameLoop(model, frame);
        const double GemmFlop = 2.0 * 5120 * 48 * 192;
        Console.WriteLine(
            "round  onnx 2 spin  onnx 2 sleep  onnx 1  torch 2  torch 1  (ms)   GEMM 2  GEMM 1 (GFLOP/s)   copy (GB/s)");
        for (int round = 0; round < rounds; round++)
        {
            double onnxSpin = BlockTimer.P50Ms(() => spinning.Step(window), 10);
            double onnxSleep = BlockTimer.P50Ms(() => sleeping.Step(window), 10);
            double onnxOne = BlockTimer.P50Ms(() => single.Step(window), 5);
            torch.set_num_threads(2);
            double torchTwo = BlockTimer.P50Ms(frames.Step, 10);
            double gemmTwo = BlockTimer.P50Ms(() => mm(a, b).Dispose(), 100);
            double copy = BlockTimer.P50Ms(() => target.copy_(source), 10);
            torch.set_num_threads(1);
            double torchOne = BlockTimer.P50Ms(frames.Step, 5);
            double gemmOne = BlockTimer.P50Ms(() => mm(a, b).Dispose(), 100);
            torch.set_num_threads(2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{round,5} {onnxSpin,12:F1} {onnxSleep,13:F1} {onnxOne,7:F1} {torchTwo,8:F1} {torchOne,8:F1}        ") +
                string.Create(CultureInfo.InvariantCulture,
                $"{GemmFlop / gemmTwo / 1e6,6:F0} {GemmFlop / gemmOne / 1e6,7:F0}              {128 / copy,12:F1}"));
        }
        Directory.Delete(dir, recursive: true);
    }
}
