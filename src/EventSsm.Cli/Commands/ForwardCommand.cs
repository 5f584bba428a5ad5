using System.CommandLine;
using TorchSharp;
using EventSsm.IO.Numpy;
using EventSsm.IO;
using EventSsm.Inference;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using EventSsm.Tensors;
using EventSsm.Workflows.Parity;
using static TorchSharp.torch;

namespace EventSsm.Cli.Commands;

/// <summary>
/// `eventssm forward --checkpoint CKPT [overrides…] --input X.npy --out OUT.npz`: the network on a ready
/// (L, B, C, H, W) input, saving every stage, state, the head outputs and the detections for comparison.
/// </summary>
public sealed class ForwardCommand : ICliCommand
{
    /// <summary>The original's validation threshold for this kind of comparison run (the config default is 0.1).</summary>
    private const double ComparisonConfidence = 0.001;

    public Command Create()
    {
        var overrides = new Argument<string[]>("overrides") { Description = "Config overrides, e.g. dataset=gen1 +experiment/gen1=small.yaml.", Arity = ArgumentArity.ZeroOrMore };
        var checkpoint = new Option<FileInfo>("--checkpoint") { Description = "Weights (.ckpt, .pt, .npz, .safetensors).", Required = true };
        var input = new Option<FileInfo>("--input") { Description = "Input chunk (L, B, C, H, W) .npy, uint8 or float32.", Required = true };
        var output = new Option<string>("--out") { Description = "Output .npz.", Required = true };
        var stateMode = new Option<string?>("--state-mode") { Description = "reference (the original: the state has no effect) or carry." };
        var stepScale = new Option<double?>("--step-scale") { Description = "S5 step scale (1 = trained rate)." };
        var stateIn = new Option<FileInfo?>("--state-in") { Description = "A previous `forward` output whose states to continue from." };
        var configDir = new Option<string?>("--config-dir") { Description = "The configs/ folder (default: next to the tool, or found above the current folder)." };
        var cmd = new Command("forward", "Run the detector on a pre-made input tensor and save all intermediate outputs (.npz).");
        cmd.Arguments.Add(overrides);
        foreach (Option o in new Option[] { checkpoint, input, output, stateMode, stepScale, stateIn, configDir })
        {
            cmd.Options.Add(o);
        }
        cmd.SetAction(parse =>
        {
            string[] ov = parse.GetValue(overrides) ?? [];
            using LoadedDetector detector = LoadedDetector.Load(parse.GetValue(checkpoint)!.FullName, ov, parse.GetValue(configDir));
            using DisposeScope scope = NewDisposeScope();
            string inPath = parse.GetValue(input)!.FullName;
            NpyArray arr = NpyFile.Read(inPath);
            if (arr.Shape.Length != 5 || !((arr.DType.Kind == 'u' && arr.DType.ItemSize == 1) || (arr.DType.Kind == 'f' && arr.DType.ItemSize == 4)))
            {
                throw new DataFormatException(inPath, $"expected a uint8 or float32 (L, B, C, H, W) array, got {arr.DType} ({string.Join(", ", arr.Shape)})");
            }
            Tensor[]? states = parse.GetValue(stateIn) is { } s ? ForwardRunner.ReadStates(s.FullName) : null;
            S5StateMode? mode = parse.GetValue(stateMode) is { } m ? DetectorOptions.ParseStateMode(m) : null;
            // Comparison runs use the original's validation threshold unless the config is overridden explicitly.
            double? conf = ov.Any(o => o.TrimStart('+').StartsWith("model.postprocess.confidence_threshold=", StringComparison.Ordinal)) ? null : ComparisonConfidence;
            ForwardResult result = ForwardRunner.Run(detector.Model, NpyTensor.ToTensor(arr), states, parse.GetValue(stepScale), mode, conf);
            string outPath = parse.GetValue(output)!;
            ForwardRunner.Save(outPath, result);
            Console.WriteLine($"wrote {outPath}: {result.Stages.Length} stages, head ({string.Join(", ", result.Head.shape)}), {result.Detections.Sum(d => d.Count)} detections");
            return 0;
        });
        return cmd;
    }
}
