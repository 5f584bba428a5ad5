using System.CommandLine;
using EventSsm.Datasets;
using EventSsm.Events;
using EventSsm.Inference;
using EventSsm.Labels;
using EventSsm.Rendering;

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
        var render = new Option<string>("--render") { Description = "gif, png or none.", DefaultValueFactory = _ => "gif" };
        var conf = new Option<double>("--conf") { Description = "Detection threshold on obj·class confidence.", DefaultValueFactory = _ => 0.1 };
        var configDir = new Option<string?>("--config-dir") { Description = "The configs/ folder (default: next to the tool, or found above the current folder)." };
        var cmd = new Command("predict", "Detect objects in an event recording window by window; write boxes (.npy/.csv) and a rendering.");
        cmd.Arguments.Add(input);
        cmd.Arguments.Add(overrides);
        foreach (Option o in new Option[] { checkpoint, output, step, dt, render, conf, configDir })
        {
            cmd.Options.Add(o);
        }
        cmd.SetAction(parse =>
        {
            string inPath = parse.GetValue(input)!.FullName;
            string renderMode = parse.GetValue(render)!.ToLowerInvariant();
            if (renderMode is not ("gif" or "png" or "none"))
            {
                throw new ArgumentException($"--render {renderMode}: expected gif, png or none");
            }
            string outDir = parse.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            var options = new StreamingOptions
            {
                StepUs = (long)Math.Round(parse.GetValue(step) * 1000),
                WindowUs = (long)Math.Round(parse.GetValue(dt) * 1000),
                ConfidenceThreshold = parse.GetValue(conf),
            };
            using LoadedDetector detector = LoadedDetector.Load(parse.GetValue(checkpoint)!.FullName, parse.GetValue(overrides) ?? [], parse.GetValue(configDir));
            DatasetKind kind = DatasetInfo.Parse(detector.Config.GetString("dataset.name"));
            using var streaming = new StreamingDetector(detector.Model, detector.Config, options);

            var windows = new List<WindowDetections>();
            using (IEventReader reader = EventRecording.Open(inPath))
            {
                int total = EventWindows.CoveringEnds(reader, options.StepUs).Length;
                void Report(IReadOnlyList<WindowDetections> done)
                {
                    foreach (WindowDetections w in done)
                    {
                        windows.Add(w);
                        if (windows.Count % 20 == 0 || windows.Count == total)
                        {
                            Console.WriteLine($"window {windows.Count}/{total} (t = {w.EndUs / 1e6:F2} s, {w.Boxes.Length} boxes)");
                        }
                    }
                }
                foreach (EventArray chunk in EventWindows.ByDuration(reader, options.StepUs))
                {
                    Report(streaming.Push(chunk));
                }
                Report(streaming.Flush());
            }

            string name = Path.GetFileNameWithoutExtension(inPath);
            if (name.EndsWith("_td", StringComparison.Ordinal))
            {
                name = name[..^3];
            }
            BoundingBox[] boxes = [.. windows.SelectMany(w => w.Boxes)];
            string npy = Path.Combine(outDir, $"{name}_bbox.npy");
            BoundingBoxFile.Write(npy, boxes);
            PredictionFiles.WriteCsv(Path.Combine(outDir, $"{name}_bbox.csv"), boxes, DatasetInfo.ClassNames(kind));
            Console.WriteLine($"wrote {boxes.Length} boxes from {windows.Count} windows to {npy}");
            if (windows.Count > 0)
            {
                double[] ms = [.. windows.Select(w => w.Latency.TotalMilliseconds).Order()];
                Console.WriteLine($"latency per window: p50 {Percentile(ms, 0.50):F1} ms, p95 {Percentile(ms, 0.95):F1} ms");
            }
            if (renderMode != "none")
            {
                var renderOptions = new RenderOptions
                {
                    StepUs = options.StepUs,
                    WindowUs = options.WindowUs,
                    Classes = kind == DatasetKind.Gen1 ? ClassStyle.Gen1 : ClassStyle.Gen4,
                };
                IEnumerable<RgbImage> frames = EventVideo.Frames(EventRecording.ReadAll(inPath), null, boxes, renderOptions);
                string target = renderMode == "gif" ? Path.Combine(outDir, $"{name}_pred.gif") : Path.Combine(outDir, $"{name}_pred");
                int count = 0;
                if (renderMode == "gif")
                {
                    count = GifWriter.WriteFile(target, frames, (int)Math.Max(1, Math.Round(options.StepUs / 10_000.0)));
                }
                else
                {
                    Directory.CreateDirectory(target);
                    foreach (RgbImage f in frames)
                    {
                        PngFile.Write(Path.Combine(target, $"{count++:D6}.png"), f);
                    }
                }
                Console.WriteLine($"rendered {count} frames to {target}");
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
