using System.CommandLine;
using EventSsm.Export;
using EventSsm.Inference;

namespace EventSsm.Cli.Commands;

/// <summary>
/// `eventssm export CHECKPOINT [overrides…] --format onnx --out FILE [--mode stream|chunk] [--length L] [--nms]`: the
/// detector as an ONNX graph (README "Deploy with ONNX" gives the contract).
/// </summary>
public sealed class ExportCommand : ICliCommand
{
    public Command Create()
    {
        var checkpoint = new Argument<FileInfo>("checkpoint") { Description = "Weights (.ckpt, .pt, .npz, .safetensors)." };
        var overrides = new Argument<string[]>("overrides") { Description = "Config overrides, e.g. dataset=gen1 +experiment/gen1=small.yaml (not needed for our .safetensors).", Arity = ArgumentArity.ZeroOrMore };
        var format = new Option<string>("--format") { Description = "onnx.", DefaultValueFactory = _ => "onnx" };
        format.AcceptOnlyFromAmong("onnx");
        var output = new Option<string>("--out") { Description = "Output file.", Required = true };
        var mode = new Option<string>("--mode") { Description = "stream (one window per call, state carried) or chunk (L windows per call, the checkpoint's state mode).", DefaultValueFactory = _ => "stream" };
        mode.AcceptOnlyFromAmong("stream", "chunk");
        var length = new Option<int?>("--length") { Description = "L of a chunk graph (default: the config's dataset.sequence_length)." };
        var nms = new Option<bool>("--nms") { Description = "End the graph in Prophesee boxes (ONNX NonMaxSuppression with the config's thresholds)." };
        var cmd = new Command("export", "Export a checkpoint for deployment (ONNX: streaming or chunk graph, optional NMS).");
        cmd.Arguments.Add(checkpoint);
        cmd.Arguments.Add(overrides);
        foreach (Option o in new Option[] { format, output, mode, length, nms, SharedOptions.ConfigDir() })
        {
            cmd.Options.Add(o);
        }
        cmd.SetCliAction(cli =>
        {
            OnnxExportMode exportMode = cli.GetValue(mode) == "chunk" ? OnnxExportMode.Chunk : OnnxExportMode.Stream;
            string source = cli.GetValue(checkpoint)!.FullName;
            using LoadedDetector detector = LoadedDetector.Load(source, cli.GetValue(overrides) ?? [], cli.ConfigDirectory);
            int l = exportMode == OnnxExportMode.Chunk ? cli.GetValue(length) ?? detector.Config.GetInt("dataset.sequence_length") : 1;
            var options = new OnnxExportOptions(exportMode, l, cli.GetValue(nms), Path.GetFileName(source));
            string outPath = cli.GetValue(output)!;
            OnnxExporter.Export(detector.Model, detector.Config, outPath, options);
            cli.Out.WriteLine($"wrote {outPath}: {(exportMode == OnnxExportMode.Chunk ? $"chunk graph, L = {l}" : "stream graph")}"
                + $"{(options.Nms ? ", NMS" : "")}, opset {OnnxExportOptions.Opset}, {new FileInfo(outPath).Length / 1e6:F1} MB");
            return ExitCodes.Success;
        });
        return cmd;
    }
}
