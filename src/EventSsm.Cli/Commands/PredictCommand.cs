using System.CommandLine;
using EventSsm.Datasets;
using EventSsm.Events;
using EventSsm.Inference;
using EventSsm.Labels;
using EventSsm.Model.Head;
using EventSsm.Rendering;
using EventSsm.Workflows.Prediction;

namespace EventSsm.Cli.Commands;

/// <summary>`eventssm predict INPUT --checkpoint CKPT [overrides…] --out DIR`: online detection on a recording.</summary>
public sealed class PredictCommand : ICliCommand
{
    public Command Create()
    {
        var input = new Argument<FileInfo>("INPUT") { Description = "Events (.dat, .h5 or .raw)." };
        var overrides = new Argument<string[]>("overrides") { Description = "Config overrides, e.g. dataset=gen1 +experiment/gen1=small.yaml (not needed for our .safetensors).", Arity = ArgumentArity.ZeroOrMore };
        var checkpoint = new Option<FileInfo>("--checkpoint") { Description = "Weights (.ckpt, .pt, .npz, .safetensors).", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder.", Required = true };
        var step = new Option<double>("--step-ms") { Description = "Time between windows.", DefaultValueFactory = _ => 50.0 };
        var dt = new Option<double>("--dt-ms") { Description = "Window length, [T-dt, T].", DefaultValueFactory = _ => 50.0 };
        var render = new Option<string>("--render") { Description = "gif, mp4 (H.264 through ffmpeg; a GIF when ffmpeg is missing), png or none.", DefaultValueFactory = _ => "gif" };
        var conf = new Option<double>("--conf") { Description = "Detection threshold on obj·class confidence for the box files.", DefaultValueFactory = _ => 0.1 };
        var showConf = new Option<double>("--show-conf") { Description = "Display threshold of the rendering (the files keep every box above --conf).", DefaultValueFactory = _ => 0.3 };
        var labels = new Option<FileInfo?>("--labels") { Description = "Ground truth (*_bbox.npy) to draw beside the predictions in the rendering." };
        var configDir = new Option<string?>("--config-dir") { Description = "The configs/ folder (default: next to the tool, or found above the current folder)." };
        var cmd = new Command("predict", "Detect objects in an event recording window by window; write boxes (.npy/.csv) and a rendering.");
        cmd.Arguments.Add(input);
        cmd.Arguments.Add(overrides);
        foreach (Option o in new Option[] { checkpoint, output, step, dt, render, conf, showConf, labels, configDir })
        {
            cmd.Options.Add(o);
        }
        cmd.SetAction(parse =>
        {
            string inPath = parse.GetValue(input)!.FullName;
            string renderMode = parse.GetValue(render)!.ToLowerInvariant();
            var options = new StreamingOptions
            {
                StepUs = (long)Math.Round(parse.GetValue(step) * 1000),
                WindowUs = (long)Math.Round(parse.GetValue(dt) * 1000),
                ConfidenceThreshold = parse.GetValue(conf),
            };
            TextWriter console = parse.InvocationConfiguration.Output;
            BoundingBox[]? gt = parse.GetValue(labels) is { } l ? BoundingBoxFile.Read(l.FullName) : null;
            using LoadedDetector detector = LoadedDetector.Load(parse.GetValue(checkpoint)!.FullName, parse.GetValue(overrides) ?? [], parse.GetValue(configDir));
            PredictionResult r = RecordingPredictor.Predict(detector, inPath, parse.GetValue(output)!, options, renderMode, console.WriteLine,
                parse.GetValue(showConf), gt);
            console.WriteLine($"wrote {r.Boxes} boxes from {r.Windows} windows to {r.BoxesPath} (and {r.CsvPath})");
            console.WriteLine($"latency per window: p50 {r.LatencyP50Ms:F1} ms, p95 {r.LatencyP95Ms:F1} ms");
            if (r.RenderPath is not null)
            {
                console.WriteLine($"rendering: {r.RenderPath}");
            }
            return 0;
        });
        return cmd;
    }
}
