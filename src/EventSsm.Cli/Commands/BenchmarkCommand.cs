using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using EventSsm.IO;
using EventSsm.Inference;
using EventSsm.Model.Backbone;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using EventSsm.Workflows.Benchmarks;

namespace EventSsm.Cli.Commands;

/// <summary>
/// `eventssm benchmark [--model small] [key=value …]`: CPU latency of the detector (frame, chunk, training step,
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
        var threads = new Option<int>("--threads") { Description = "torch threads (0 = library default)", DefaultValueFactory = _ => 2 };
        var length = new Option<int>("--length") { Description = "L of the chunk forward and the training step", DefaultValueFactory = _ => 5 };
        var batch = new Option<int>("--train-batch") { Description = "B of the training step", DefaultValueFactory = _ => 2 };
        var repeats = new Option<int>("--repeats") { Description = "Timed forwards", DefaultValueFactory = _ => 10 };
        var trainRepeats = new Option<int>("--train-repeats") { Description = "Timed training steps (0 skips)", DefaultValueFactory = _ => 3 };
        var recurrent = new Option<string>("--recurrent") { Description = "Temporal layer of the backbone: s5 or lstm (model.backbone.recurrent)", DefaultValueFactory = _ => "s5" };
        var configs = new Option<string?>("--configs") { Description = "configs folder (default: next to the tool, else ./configs upwards)" };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the JSON to this file" };
        var overrides = new Argument<string[]>("overrides") { Description = "Config overrides applied after the experiment, e.g. model.backbone.embed_dim=16.", Arity = ArgumentArity.ZeroOrMore };

        var cmd = new Command("benchmark", "Measure detector latency on the CPU: one frame, a chunk of L frames, a training step.");
        cmd.Arguments.Add(overrides);
        foreach (Option o in new Option[] { model, height, width, threads, length, batch, repeats, trainRepeats, recurrent, configs, json })
        {
            cmd.Options.Add(o);
        }
        cmd.SetAction(parse =>
        {
            var options = new DetectorBenchmarkOptions(
                parse.GetValue(model)!, parse.GetValue(height), parse.GetValue(width), parse.GetValue(threads),
                parse.GetValue(length), parse.GetValue(batch), Repeats: parse.GetValue(repeats), TrainRepeats: parse.GetValue(trainRepeats),
                Overrides: parse.GetValue(overrides) ?? [], Recurrent: ParseRecurrent(parse.GetValue(recurrent)!));
            DetectorBenchmarkResult r = DetectorBenchmark.Run(FindConfigs(parse.GetValue(configs)), options);
            PrintTable(r);
            string text = JsonSerializer.Serialize(r, new JsonSerializerOptions { WriteIndented = true, Converters = { new JsonStringEnumConverter() } });
            Console.WriteLine(text);
            if (parse.GetValue(json) is FileInfo file)
            {
                EventSsm.IO.AtomicFile.WriteAllText(file.FullName, text);
            }
            return 0;
        });
        return cmd;
    }

    private static void PrintTable(DetectorBenchmarkResult r)
    {
        DetectorBenchmarkOptions o = r.Options;
        string extra = o.Overrides is { Count: > 0 } ov ? $" ({string.Join(' ', ov)})" : "";
        string family = o.Recurrent == RecurrentLayer.Lstm ? "LSTM-ViT (RVT)" : "S5-ViT";
        Console.WriteLine($"{family}-{o.Model}{extra}, input {r.InputHeight}x{r.InputWidth}, {r.Parameters / 1e6:F2} M parameters, {r.Threads} threads");
        Console.WriteLine($"{"measurement",-34} {"p50 ms",10} {"p95 ms",10} {"min ms",10} {"n",4}");
        Row("forward, 1 frame (streaming)", r.Frame);
        Row($"forward, chunk L={o.Length}", r.Chunk);
        if (r.TrainStep is LatencyStats t)
        {
            Row($"train step B={o.TrainBatch} L={o.Length}", t);
            Console.WriteLine($"{"  = train steps/s (from p50)",-34} {1000 / t.P50Ms,10:F2}");
        }
        Console.WriteLine("breakdown of one frame (p50 ms):");
        foreach ((string name, double ms) in r.Breakdown)
        {
            Console.WriteLine($"  {name,-32} {ms,10:F1}");
        }
        Console.WriteLine($"peak working set: {r.PeakWorkingSetBytes / (1024.0 * 1024.0):F0} MiB");
    }

    private static RecurrentLayer ParseRecurrent(string value) => value.Trim().ToLowerInvariant() switch
    {
        "s5" => RecurrentLayer.S5,
        "lstm" => RecurrentLayer.Lstm,
        _ => throw new ArgumentException($"--recurrent must be s5 or lstm, got '{value}'"),
    };

    private static void Row(string name, LatencyStats s) =>
        Console.WriteLine($"{name,-34} {s.P50Ms,10:F1} {s.P95Ms,10:F1} {s.MinMs,10:F1} {s.Count,4}");

    private static string FindConfigs(string? given)
    {
        if (given is not null)
        {
            return Directory.Exists(given) ? given : throw new DirectoryNotFoundException($"configs folder not found: {given}");
        }
        string besideTool = Path.Combine(AppContext.BaseDirectory, "configs");
        if (Directory.Exists(besideTool))
        {
            return besideTool;
        }
        for (DirectoryInfo? d = new(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "configs");
            if (File.Exists(Path.Combine(candidate, "train.yaml")))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("no configs folder found; pass --configs");
    }
}
