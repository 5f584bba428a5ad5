using EventSsm.Datasets;
using EventSsm.Events;
using EventSsm.IO;
using EventSsm.Inference;
using EventSsm.Labels;
using EventSsm.Rendering;
using EventSsm.Streaming;

namespace EventSsm.Workflows.Prediction;

/// <summary>What <see cref="RecordingPredictor.Predict(LoadedDetector, string, string, StreamingOptions, string, IProgress{ProgressReport}?, CancellationToken, double, IReadOnlyList{BoundingBox}?)"/> wrote.</summary>
public sealed record PredictionResult(string BoxesPath, string CsvPath, string? RenderPath, int Windows, int Boxes,
    double LatencyP50Ms, double LatencyP95Ms)
{
    /// <summary>What the user should know about the rendering, e.g. that an MP4 became a GIF because ffmpeg is missing.</summary>
    public string? RenderNote { get; init; }
}

/// <summary>A recording <see cref="RecordingPredictor.Run"/> could not predict, and why.</summary>
public sealed record PredictionFailure(string Recording, string Reason);

/// <summary>What <see cref="RecordingPredictor.Run"/> did for each recording.</summary>
public sealed record PredictionReport(IReadOnlyList<PredictionResult> Written, IReadOnlyList<PredictionFailure> Failed);

/// <summary>
/// Runs a <see cref="StreamingDetector"/> over a whole recording window by window and writes the Prophesee boxes
/// (<c>&lt;name&gt;_bbox.npy</c>, directly usable by <c>evaluate</c>), a CSV and optionally a rendering.
/// </summary>
public static class RecordingPredictor
{
    /// <summary>
    /// The <c>predict</c> command: loads the detector on the device and predicts one recording, or every recording of
    /// a folder. A bad single recording throws; in a folder, a recording that fails is reported in
    /// <see cref="PredictionReport.Failed"/> and the others go on. <paramref name="progress"/> gets each recording's
    /// windows (task <c>predict &lt;file&gt;</c>) and, for a folder, the recordings done (task <c>predict</c>).
    /// </summary>
    public static PredictionReport Run(PredictOptions options, IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Streaming.Validate();
        CheckRender(options.Render);
        bool folder = Directory.Exists(options.Input);
        if (!folder && !File.Exists(options.Input))
        {
            throw new FileNotFoundException($"{options.Input}: no such file or folder", options.Input);
        }
        if (!folder && !options.Shard.IsAll)
        {
            throw new ArgumentException($"--shard {options.Shard}: shards split the recordings of a folder, and {options.Input} is one file");
        }
        // Each recording's outputs depend only on it, so the shards' outputs together are the unsharded run's.
        IReadOnlyList<string> recordings = folder ? options.Shard.Select(Recordings(options.Input)) : [options.Input];
        using DetectorBackends backends = DetectorBackends.Open(options.Backend, options.Checkpoint, options.Overrides, options.ConfigDirectory,
            options.Device, options.Threads, options.Precision);
        var written = new List<PredictionResult>();
        var failed = new List<PredictionFailure>();
        for (int i = 0; i < recordings.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                written.Add(Predict(backends.Backend, backends.ClassNames, recordings[i], options.OutDirectory, options.Streaming, options.Render,
                    progress, ct, options.ShowConfidence));
            }
            catch (Exception e) when (folder && e is not OperationCanceledException)
            {
                failed.Add(new PredictionFailure(recordings[i], e.Message));
            }
            if (folder)
            {
                progress?.Report(new ProgressReport("predict", i + 1, recordings.Count, "recordings"));
            }
        }
        return new PredictionReport(written, failed);
    }

    /// <summary>
    /// The files of <paramref name="folder"/> that <see cref="EventRecording"/> opens and the <c>events/left/events.h5</c>
    /// of its DSEC sequence folders (a DSEC split folder, docs/DATA.md §8.7), by path.
    /// </summary>
    private static string[] Recordings(string folder)
    {
        IEnumerable<string> dsec = Directory.GetDirectories(folder).Select(DsecDetLabels.EventsPath).Where(File.Exists);
        string[] files = [.. Directory.GetFiles(folder).Where(IsRecording).Concat(dsec).Order(StringComparer.Ordinal)];
        if (files.Length == 0)
        {
            throw new FileNotFoundException($"{folder}: no event recordings in this folder");
        }
        return files;
    }

    private static bool IsRecording(string path)
    {
        try
        {
            // Text files in a folder are as likely notes or earlier CSV outputs as events: only named ones are read.
            return EventRecording.DetectFormat(path) != EventFileFormat.Csv;
        }
        catch (NotSupportedException)
        {
            return false;
        }
    }

    private static void CheckRender(string render)
    {
        if (render is not ("gif" or "mp4" or "png" or "none"))
        {
            throw new ArgumentException($"--render {render}: expected gif, mp4, png or none");
        }
    }

    /// <summary>Predicts one recording with a loaded detector's TorchSharp model.</summary>
    /// <param name="render">gif, mp4 (a GIF when ffmpeg is missing; <see cref="PredictionResult.RenderNote"/> says so), png or none.</param>
    /// <param name="showConfidence">The rendering's display threshold; the files keep every box above the options' threshold.</param>
    /// <param name="labels">Ground truth to draw beside the predictions in the rendering.</param>
    /// <param name="detector">The loaded model and its config.</param>
    /// <param name="recording">Any file <see cref="EventRecording"/> opens.</param>
    /// <param name="outDir">Where the box files and the rendering go.</param>
    /// <param name="options">Window timing and thresholds.</param>
    /// <param name="progress">Gets the windows done (task <c>predict &lt;file&gt;</c>).</param>
    /// <param name="ct">Stops between windows; nothing is written then.</param>
    public static PredictionResult Predict(LoadedDetector detector, string recording, string outDir, StreamingOptions options,
        string render = "gif", IProgress<ProgressReport>? progress = null, CancellationToken ct = default, double showConfidence = 0.3,
        IReadOnlyList<BoundingBox>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(detector);
        using var backend = new TorchDetectorBackend(detector.Model, detector.Config);
        return Predict(backend, DatasetDescription.FromConfig(detector.Config).ClassNames, recording, outDir, options, render, progress, ct,
            showConfidence, labels);
    }

    /// <summary>
    /// Predicts one recording with a backend (the TorchSharp model or an ONNX graph, <c>predict --backend</c>) of a model
    /// that predicts <paramref name="classNames"/> (named in the CSV and the rendering); <paramref name="progress"/> gets
    /// its windows (task <c>predict &lt;file&gt;</c>).
    /// </summary>
    public static PredictionResult Predict(IDetectorBackend backend, IReadOnlyList<string> classNames, string recording, string outDir,
        StreamingOptions options, string render = "gif", IProgress<ProgressReport>? progress = null, CancellationToken ct = default,
        double showConfidence = 0.3, IReadOnlyList<BoundingBox>? labels = null)
    {
        CheckRender(render);
        using var streaming = new StreamingDetector(backend, options);
        var windows = new List<WindowDetections>();
        string task = $"predict {Path.GetFileName(recording)}";
        using (IEventReader reader = EventRecording.Open(recording))
        {
            if (reader.Width > backend.SensorWidth || reader.Height > backend.SensorHeight)
            {
                throw new DataFormatException(recording, $"recorded by a {reader.Width}×{reader.Height} sensor; the {backend.Name} model "
                    + $"takes {backend.SensorWidth}×{backend.SensorHeight} (another dataset's model, or dataset.resolution_hw)");
            }
            int total = EventWindows.CoveringEnds(reader, options.StepUs).Length;
            foreach (EventArray chunk in EventWindows.ByDuration(reader, options.StepUs))
            {
                ct.ThrowIfCancellationRequested();
                windows.AddRange(streaming.Push(chunk));
                progress?.Report(new ProgressReport(task, Math.Min(windows.Count, total), total, "windows"));
            }
            windows.AddRange(streaming.Flush());
            progress?.Report(new ProgressReport(task, total, total, "windows"));
        }
        Directory.CreateDirectory(outDir);
        string name = RecordingName(recording);
        BoundingBox[] boxes = [.. windows.SelectMany(w => w.Boxes)];
        string npy = Path.Combine(outDir, $"{name}_bbox.npy");
        string csv = Path.Combine(outDir, $"{name}_bbox.csv");
        BoundingBoxFile.Write(npy, boxes);
        PredictionFiles.WriteCsv(csv, boxes, classNames);
        double[] ms = [.. windows.Select(w => w.Latency.TotalMilliseconds).Order()];
        string? target = null;
        string? note = null;
        if (render != "none")
        {
            var renderOptions = new RenderOptions
            {
                StepUs = options.StepUs,
                WindowUs = options.WindowUs,
                Classes = ClassStyle.ForNames(classNames),
                Scale = 0,
                MinConfidence = showConfidence,
            };
            RenderResult rendered = RecordingRenderer.Render(recording, labels, boxes,
                Path.Combine(outDir, $"{name}_pred{RenderOutput.Extension(RenderOutput.Parse(render))}"), renderOptions);
            (target, note) = (rendered.Target, rendered.Note);
        }
        return new PredictionResult(npy, csv, target, windows.Count, boxes.Length,
            ms.Length > 0 ? Percentile(ms, 0.50) : 0, ms.Length > 0 ? Percentile(ms, 0.95) : 0) { RenderNote = note };
    }

    /// <summary>
    /// The base name of a recording's output files, as its labels are named: <c>x_td.dat</c>, <c>x_td.dat.h5</c>,
    /// <c>x.raw</c> → <c>x</c> (then <c>x_bbox.npy</c>, which <c>evaluate</c> pairs with the ground truth).
    /// </summary>
    public static string RecordingName(string recording)
    {
        // A DSEC recording is named by its sequence folder (every one is events.h5).
        if (DsecDetLabels.SequenceName(recording) is { } sequence)
        {
            return sequence;
        }
        string name = Path.GetFileName(recording);
        foreach (string ext in new[] { ".dat.h5", ".h5", ".hdf5", ".dat", ".raw", ".csv", ".txt" })
        {
            if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase))
            {
                name = name[..^ext.Length];
                break;
            }
        }
        return name.EndsWith("_td", StringComparison.Ordinal) ? name[..^3] : name;
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
