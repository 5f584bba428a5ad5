using EventSsm.Datasets;
using EventSsm.Events;
using EventSsm.Inference;
using EventSsm.Labels;
using EventSsm.Rendering;

namespace EventSsm.Workflows.Prediction;

/// <summary>What <see cref="RecordingPredictor.Predict"/> wrote.</summary>
public sealed record PredictionResult(string BoxesPath, string CsvPath, string? RenderPath, int Windows, int Boxes,
    double LatencyP50Ms, double LatencyP95Ms);

/// <summary>
/// Runs a <see cref="StreamingDetector"/> over a whole recording window by window and writes the Prophesee boxes
/// (<c>&lt;name&gt;_bbox.npy</c>, directly usable by <c>evaluate</c>), a CSV and optionally a rendering.
/// </summary>
public static class RecordingPredictor
{
    /// <param name="render">gif, mp4 (GIF when ffmpeg is missing), png or none.</param>
    /// <param name="showConfidence">The rendering's display threshold; the files keep every box above the options' threshold.</param>
    /// <param name="labels">Ground truth to draw beside the predictions in the rendering.</param>
    public static PredictionResult Predict(LoadedDetector detector, string recording, string outDir, StreamingOptions options,
        string render = "gif", Action<string>? log = null, double showConfidence = 0.3, IReadOnlyList<BoundingBox>? labels = null)
    {
        RenderFormat? format = render == "none" ? null : RenderOutput.Parse(render);
        Directory.CreateDirectory(outDir);
        DatasetKind kind = DatasetInfo.Parse(detector.Config.GetString("dataset.name"));
        using var streaming = new StreamingDetector(detector.Model, detector.Config, options);
        var windows = new List<WindowDetections>();
        using (IEventReader reader = EventRecording.Open(recording))
        {
            int total = EventWindows.CoveringEnds(reader, options.StepUs).Length;
            void Collect(IReadOnlyList<WindowDetections> done)
            {
                foreach (WindowDetections w in done)
                {
                    windows.Add(w);
                    if (windows.Count % 20 == 0 || windows.Count == total)
                    {
                        log?.Invoke($"window {windows.Count}/{total} (t = {w.EndUs / 1e6:F2} s, {w.Boxes.Length} boxes)");
                    }
                }
            }
            foreach (EventArray chunk in EventWindows.ByDuration(reader, options.StepUs))
            {
                Collect(streaming.Push(chunk));
            }
            Collect(streaming.Flush());
        }
        string name = Path.GetFileNameWithoutExtension(recording);
        if (name.EndsWith("_td", StringComparison.Ordinal))
        {
            name = name[..^3];
        }
        BoundingBox[] boxes = [.. windows.SelectMany(w => w.Boxes)];
        string npy = Path.Combine(outDir, $"{name}_bbox.npy");
        string csv = Path.Combine(outDir, $"{name}_bbox.csv");
        BoundingBoxFile.Write(npy, boxes);
        PredictionFiles.WriteCsv(csv, boxes, DatasetInfo.ClassNames(kind));
        double[] ms = [.. windows.Select(w => w.Latency.TotalMilliseconds).Order()];
        string? target = null;
        if (format is { } f)
        {
            var renderOptions = new RenderOptions
            {
                StepUs = options.StepUs,
                WindowUs = options.WindowUs,
                Classes = kind == DatasetKind.Gen1 ? ClassStyle.Gen1 : ClassStyle.Gen4,
                Scale = 0,
                MinConfidence = showConfidence,
            };
            using IEventReader events = EventRecording.Open(recording);
            IEnumerable<RgbImage> frames = EventVideo.Frames(events, labels, boxes, renderOptions);
            target = RenderOutput.Write(Path.Combine(outDir, $"{name}_pred{RenderOutput.Extension(f)}"), frames, options.StepUs, f, log).Path;
        }
        return new PredictionResult(npy, csv, target, windows.Count, boxes.Length,
            ms.Length > 0 ? Percentile(ms, 0.50) : 0, ms.Length > 0 ? Percentile(ms, 0.95) : 0);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
