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
        var output = new Option<string>("--out") { Description = "Output file.", Required = true };
        var mode = new Option<string>("--mode") { Description = "stream (one window per call, state carried) or chunk (L windows per call, the checkpoint's state mode).", DefaultValueFactory = _ => "stream" };
        var length = new Option<int?>("--length") { Description = "L of a chunk graph (default: the config's dataset.sequence_length)." };
        var nms = new Option<bool>("--nms") { Description = "End the graph in Prophesee boxes (ONNX NonMaxSuppression with the config's thresholds)." };
        var configDir = new Option<string?>("--config-dir") { Description = "The configs/ folder (default: next to the tool, or found above the current folder)." };
        var cmd = new Command("export", "Export a checkpoint for deployment (ONNX: streaming or chunk graph, optional NMS).");
        cmd.Arguments.Add(checkpoint);
        cmd.Arguments.Add(overrides);
        foreach (Option o in new Option[] { format, output, mode, length, nms, configDir })
        {
            cmd.Options.Add(o);
        }
        cmd.SetAction(parse =>
        {
            string fmt = parse.GetValue(format)!;
            if (fmt != "onnx")
            {
                throw new ArgumentException($"--format {fmt}: expected onnx");
            }
            OnnxExportMode exportMode = parse.GetValue(mode) switch
            {
                "stream" => OnnxExportMode.Stream,
                "chunk" => OnnxExportMode.Chunk,
                var other => throw new ArgumentException($"--mode {other}: expected stream or chunk"),
            };
            string source = parse.GetValue(checkpoint)!.FullName;
            using LoadedDetector detector = LoadedDetector.Load(source, parse.GetValue(overrides) ?? [], parse.GetValue(configDir));
            int l = exportMode == OnnxExportMode.Chunk ? parse.GetValue(length) ?? detector.Config.GetInt("dataset.sequence_length") : 1;
            var options = new OnnxExportOptions(exportMode, l, parse.GetValue(nms), Path.GetFileName(source));
            string outPath = parse.GetValue(output)!;
            OnnxExporter.Export(detector.Model, detector.Config, outPath, options);
            parse.InvocationConfiguration.Output.WriteLine($"wrote {outPath}: {(exportMode == OnnxExportMode.Chunk ? $"chunk graph, L = {l}" : "stream graph")}"
                + $"{(options.Nms ? ", NMS" : "")}, opset {OnnxExportOptions.Opset}, {new FileInfo(outPath).Length / 1e6:F1} MB");
            return 0;
        });
        return cmd;
    }
}
