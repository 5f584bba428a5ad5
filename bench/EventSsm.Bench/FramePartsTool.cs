using System.Globalization;
using TorchSharp;
using EventSsm.Model;
using EventSsm.Model.Backbone;
using EventSsm.Model.Ssm;
using EventSsm.Workflows.Benchmarks;
using static TorchSharp.torch;
using static EventSsm.Bench.ToolArgs;

namespace EventSsm.Bench;

/// <summary>
/// Where a streaming frame's wall time goes, part by part, without hooks: each part is called on its own input in a
/// loop (<see cref="BlockTimer.P50Ms"/>, inference mode, each call in its own dispose scope) and the rounds repeat so
/// that a phase change of the VM shows as a change between rounds. The parts are the backbone, the FPN and the head,
/// and per stage the downsampling, the attention pair, the window block's attention, MLP and LayerNorm, and the S5
/// block with a carried state. The attention's and MLP's rates (their linears' FLOPs are the same at every stage:
/// tokens fall by 4 where C² rises by 4) place them against the machine's GEMM rate (docs/PERFORMANCE.md "The frame part by part (eighth session)").
/// <c>dotnet bench/EventSsm.Bench/bin/Release/net10.0/EventSsm.Bench.dll frame-parts [--model small] [--repeats 30]
/// [--rounds 3] [--threads 2] [--configs DIR] [override ...]</c>
/// </summary>
internal static class FramePartsTool
{
    public static void Run(string[] args)
    {
        string model = Value(args, "--model", "small");
        int repeats = Count(args, "--repeats", 30);
        int rounds = Count(args, "--rounds", 3);
        int threads = Count(args, "--threads", 2);
        torch.set_num_threads(threads);
        manual_seed(0);
        using YoloXDetector detector = DetectorBenchmark.CreateModel(Configs(args), model, 256, 320, overrides: Positional(args));
        detector.eval();
        using IDisposable inference = inference_mode();
        using DisposeScope keep = NewDisposeScope();
        var generator = new Generator(1);
        Tensor input = rand([1, 1, detector.Options.Backbone.InputChannels, 256, 320], generator: generator).mul(4.0);
        (Tensor[] features, Tensor[] states) = detector.ForwardBackbone(input);
        Tensor[] fpnInputs = [.. detector.Options.Fpn.InStages.Select(s => RecurrentStage.FramesChannelsLast(features[s - 1]))];
        Tensor[] pan = detector.Fpn.forward(fpnInputs);
        IReadOnlyList<RecurrentStage> stages = detector.Backbone.Stages;

        Console.WriteLine($"{model}, 256x320, {threads} threads, p50 of {repeats} calls per part; ms");
        for (int round = 0; round < rounds; round++)
        {
            double backbone = Time(() => detector.ForwardBackbone(input, states, stateMode: S5StateMode.Carry), repeats);
            double fpn = Time(() => detector.Fpn.forward(fpnInputs), repeats);
            double head = Time(() => detector.Head.forward(pan), repeats);
            Console.WriteLine(Format($"round {round}: backbone {backbone:F2}  fpn {fpn:F2}  head {head:F2}"));
            for (int s = 0; s < stages.Count; s++)
            {
                RecurrentStage stage = stages[s];
                Tensor frames = RecurrentStage.FramesChannelsLast(s == 0 ? input : features[s - 1]);
                Tensor y = stage.Downsample.call(frames);
                MaxVitAttentionPairCl pair = stage.AttentionBlocks[0];
                PartitionAttentionCl window = pair.WindowAttention;
                double downsample = Time(() => stage.Downsample.call(frames), repeats);
                double pairMs = Time(() => pair.call(y), repeats);
                double attention = Time(() => window.SelfAttention.Forward(window.Partition(y), null), repeats);
                double mlp = Time(() => window.Mlp.Forward(y, null), repeats);
                double norm = Time(() => window.Norm2.call(y), repeats);
                Tensor attended = pair.call(y);
                Tensor state = states[s];
                double s5 = Time(() => stage.ForwardTemporal(attended, 1, state, 1.0, S5StateMode.Carry), repeats);
                long tokens = y.shape[1] * y.shape[2];
                long c = y.shape[3];
                // The MLP's two linears: 2 · tokens · C · 4C multiply-adds. The attention: qkv (3C²) and proj (C²) per
                // token, and q·kᵀ and p·v over the partition's tokens (2 · n · C per token).
                long n = detector.Options.Backbone.PartitionSize.H * detector.Options.Backbone.PartitionSize.W;
                double mlpGflops = 2.0 * 2 * tokens * c * 4 * c / (mlp * 1e6);
                double attentionGflops = 2.0 * tokens * (4 * c * c + 2 * n * c) / (attention * 1e6);
                Console.WriteLine(
                    Format($"  stage {s + 1} ({y.shape[1]}x{y.shape[2]}, C {c}): downsample {downsample:F2}  attention pair {pairMs:F2} ") +
                    Format($"(window block: attention {attention:F2} = {attentionGflops:F0} GFLOP/s, MLP {mlp:F2} = {mlpGflops:F0} GFLOP/s, LayerNorm {norm:F3})  S5 {s5:F2}"));
            }
        }
    }

    private static double Time(Action part, int repeats) =>
        BlockTimer.P50Ms(() =>
        {
            using DisposeScope scope = NewDisposeScope();
            part();
        }, repeats);

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
