using System.CommandLine;
using EventSsm.IO;
using EventSsm.Model.Backbone;
using EventSsm.Training;
using EventSsm.Workflows.Benchmarks;

namespace EventSsm.Cli.Commands;

/// <summary>
/// `eventssm benchmark [--model small] [key=value …]`: latency of the detector (frame, chunk, training step,
/// breakdown), table + JSON. Trailing config overrides as in `eventssm train`, e.g. the demo's micro model:
/// `model.backbone.embed_dim=16 model.backbone.stage.attention.dim_head=8`.
/// </summary>
public sealed class BenchmarkCommand : ICliCommand
{
    public Command Create()
    {
        var model = new Option<string>("--model") { Description = "tiny, small or base (Gen1 experiment config)", DefaultValueFactory = _ => "small" };
        var height = new Option<int>("--height") { Description = "Input height before padding", DefaultValueFactory = _ => 256 };
        var width = new Option<int>("--width") { Description = "Input width before padding", DefaultValueFactory = _ => 320 };
        var length = new Option<int>("--length") { Description = "L of the chunk forward and the training step", DefaultValueFactory = _ => 5 };
        var batch = new Option<int>("--train-batch") { Description = "B of the training step", DefaultValueFactory = _ => 2 };
        var repeats = new Option<int>("--repeats") { Description = "Timed forwards", DefaultValueFactory = _ => 10 };
        var trainRepeats = new Option<int>("--train-repeats") { Description = "Timed training steps (0 skips)", DefaultValueFactory = _ => 3 };
        var recurrent = new Option<string>("--recurrent") { Description = "Temporal layer of the backbone: s5 or lstm (model.backbone.recurrent)", DefaultValueFactory = _ => "s5" };
        recurrent.AcceptOnlyFromAmong("s5", "lstm");
        var backend = new Option<string>("--backend") { Description = "torch, or onnx: also export the model and time ONNX Runtime's streaming frame against TorchSharp's, interleaved (same threads, ONNX Runtime's idle threads sleeping), then each alone in five rounds of neighbouring blocks", DefaultValueFactory = _ => "torch" };
        backend.AcceptOnlyFromAmong("torch", "onnx");
        var json = new Option<FileInfo?>("--json") { Description = "Also write the JSON to this file" };
        var overrides = new Argument<string[]>("overrides") { Description = "Config overrides applied after the experiment, e.g. model.backbone.embed_dim=16.", Arity = ArgumentArity.ZeroOrMore };

        var cmd = new Command("benchmark", "Measure detector latency: one frame, a chunk of L frames, a training step.");
        cmd.Arguments.Add(overrides);
        foreach (Option o in new Option[] { model, height, width, length, batch, repeats, trainRepeats, recurrent, backend, json,
            SharedOptions.ConfigDir(), SharedOptions.Device(), SharedOptions.Threads(), SharedOptions.Precision() })
        {
            cmd.Options.Add(o);
        }
        cmd.SetCliAction(cli =>
        {
            var options = new DetectorBenchmarkOptions(
                cli.GetValue(model)!, cli.GetValue(height), cli.GetValue(width), Threads: 0,
                cli.GetValue(length), cli.GetValue(batch), Repeats: cli.GetValue(repeats), TrainRepeats: cli.GetValue(trainRepeats),
                Overrides: cli.GetValue(overrides) ?? [], Recurrent: cli.GetValue(recurrent) == "lstm" ? RecurrentLayer.Lstm : RecurrentLayer.S5,
                Backend: cli.GetValue(backend)!)
            {
                Device = cli.Device,
                Precision = SharedOptions.Precision(cli),
            };
            DetectorBenchmarkResult r = DetectorBenchmark.Run(Config.ConfigLocator.Find(cli.ConfigDirectory), options);
            cli.Out.Write(r.ToTable());
            if (r.TrainStep is not null && r.Allocator != HostAllocator.Tcmalloc
                && AllocatorLaunch.Automatic("train", Environment.GetEnvironmentVariable, HostAllocator.Find) is string trainAllocator)
            {
                // The step above is glibc's; `train` here runs on tcmalloc by itself, so say how to time what it runs.
                cli.Out.WriteLine($"note: train runs on {trainAllocator} on this machine; eventssm --allocator {trainAllocator} benchmark … times that");
            }
            string text = r.ToJson();
            cli.Out.WriteLine(text);
            if (cli.GetValue(json) is FileInfo file)
            {
                AtomicFile.WriteAllText(file.FullName, text);
            }
            return ExitCodes.Success;
        });
        return cmd;
    }
}
