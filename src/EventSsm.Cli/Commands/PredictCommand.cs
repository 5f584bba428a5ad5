using System.CommandLine;
using EventSsm.Inference;
using EventSsm.Streaming;
using EventSsm.Workflows.Prediction;

namespace EventSsm.Cli.Commands;

/// <summary>
/// `eventssm predict INPUT --checkpoint CKPT [overrides…] --out DIR`: online detection on a recording, or on every
/// recording of a folder (exit code 1 when some of them fail); <c>--shard i/N</c> takes part of a folder's recordings.
/// </summary>
public sealed class PredictCommand : ICliCommand
{
    public Command Create()
    {
        var input = new Argument<string>("INPUT") { Description = "Events (.dat, .raw, .h5, .hdf5, .csv or .txt), or a folder: every recording in it." };
        var overrides = new Argument<string[]>("overrides") { Description = "Config overrides, e.g. dataset=gen1 +experiment/gen1=small.yaml (not needed for our .safetensors).", Arity = ArgumentArity.ZeroOrMore };
        var output = new Option<string>("--out") { Description = "Output folder.", Required = true };
        var step = new Option<double>("--step-ms") { Description = "Time between windows.", DefaultValueFactory = _ => 50.0 };
        var dt = new Option<double>("--dt-ms") { Description = "Window length, [T-dt, T].", DefaultValueFactory = _ => 50.0 };
        var render = new Option<string>("--render") { Description = "gif, mp4 (H.264 through ffmpeg; a GIF when ffmpeg is missing), png or none.", DefaultValueFactory = _ => "gif" };
        var conf = new Option<double>("--conf") { Description = "Detection threshold on obj·class confidence for the box files.", DefaultValueFactory = _ => 0.1 };
        var showConf = new Option<double>("--show-conf") { Description = "Display threshold of the rendering (the box files keep every box above --conf).", DefaultValueFactory = _ => 0.3 };
        var backend = new Option<string>("--backend") { Description = "torch (TorchSharp) or onnx (ONNX Runtime; --checkpoint may then be an exported .onnx graph, or is exported on the fly). --device and --threads apply to both.", DefaultValueFactory = _ => "torch" };
        var cmd = new Command("predict", "Detect objects in event recordings window by window; write boxes (.npy/.csv) and a rendering.");
        cmd.Arguments.Add(input);
        cmd.Arguments.Add(overrides);
        foreach (Option o in new Option[] { SharedOptions.Checkpoint(required: true), output, step, dt, render, conf, showConf,
            SharedOptions.Shard("recordings of a folder"), SharedOptions.ConfigDir(), SharedOptions.Device(backend), SharedOptions.Threads(), SharedOptions.Precision(), backend })
        {
            cmd.Options.Add(o);
        }
        cmd.SetCliAction(cli =>
        {
            var options = new PredictOptions
            {
                Checkpoint = cli.Checkpoint!,
                Input = Path.GetFullPath(cli.GetValue(input)!),
                OutDirectory = cli.GetValue(output)!,
                Overrides = cli.GetValue(overrides) ?? [],
                ConfigDirectory = cli.ConfigDirectory,
                Render = cli.GetValue(render)!.ToLowerInvariant(),
                ShowConfidence = cli.GetValue(showConf),
                Device = cli.Device,
                Precision = SharedOptions.Precision(cli),
                Shard = cli.Shard,
                Backend = cli.GetValue(backend)!,
                Threads = cli.Parse.GetValue<int>(SharedOptions.ThreadsName),
                Streaming = new StreamingOptions
                {
                    StepUs = (long)Math.Round(cli.GetValue(step) * 1000),
                    WindowUs = (long)Math.Round(cli.GetValue(dt) * 1000),
                    ConfidenceThreshold = cli.GetValue(conf),
                },
            };
            PredictionReport report = cli.WithProgress(progress => RecordingPredictor.Run(options, progress, cli.Cancellation));
            foreach (PredictionResult r in report.Written)
            {
                cli.Out.WriteLine($"wrote {r.Boxes} boxes from {r.Windows} windows to {r.BoxesPath} (and {r.CsvPath})");
                cli.Out.WriteLine($"latency per window: p50 {r.LatencyP50Ms:F1} ms, p95 {r.LatencyP95Ms:F1} ms");
                if (r.RenderNote is not null)
                {
                    cli.Out.WriteLine(r.RenderNote);
                }
                if (r.RenderPath is not null)
                {
                    cli.Out.WriteLine($"rendering: {r.RenderPath}");
                }
            }
            foreach (PredictionFailure f in report.Failed)
            {
                cli.Out.WriteLine($"{f.Recording}: FAILED: {f.Reason}");
            }
            return report.Failed.Count > 0 ? ExitCodes.Failed : ExitCodes.Success;
        });
        return cmd;
    }
}
