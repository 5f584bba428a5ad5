using System.Globalization;
using System.Text.RegularExpressions;
using EventSsm.Datasets;
using EventSsm.Evaluation;
using EventSsm.Events;
using EventSsm.Inference;
using EventSsm.IO;
using EventSsm.Labels;
using EventSsm.Rendering;
using EventSsm.Rendering.Viewer;
using EventSsm.Representations;
using EventSsm.Streaming;

namespace EventSsm.Workflows.Prediction;

/// <summary>What <see cref="RecordingViewer.Build"/> wrote.</summary>
/// <param name="BinFrames">Frames that carry representation bins.</param>
/// <param name="FrameBytes">Page bytes of the event frames.</param>
/// <param name="BinBytes">Page bytes of the representation bins.</param>
/// <param name="Metrics">The recording's metrics when both ground truth and predictions were given.</param>
/// <param name="Path">The page written.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Frames">Frames in the page.</param>
/// <param name="PredictionsFile">The predictions shown, or null.</param>
/// <param name="LabelsFile">The ground truth shown, or null.</param>
/// <param name="MetricsProtocol">How the metrics were computed (±50 ms or per frame).</param>
public sealed record ViewResult(string Path, long Bytes, int Frames, int BinFrames, long FrameBytes, long BinBytes,
    DetectionMetrics? Metrics, string? PredictionsFile, string? LabelsFile, string? MetricsProtocol);

/// <summary>
/// <c>eventssm view</c>: one self-contained HTML page of a recording (docs/VIEWER.md): its event frames, predicted and
/// ground-truth boxes, the recording's metrics from <see cref="PropheseeEvaluator"/> and the stacked-histogram bins.
/// With a checkpoint it first runs <see cref="RecordingPredictor"/>, exactly as <c>eventssm predict</c>.
/// </summary>
public static class RecordingViewer
{
    /// <summary>RVT's stacked-histogram count cutoff (the value every preprocessed dataset uses).</summary>
    private const int CountCutoff = 10;

    /// <param name="log">Gets one line per stage (and notes, e.g. where the ground truth was found).</param>
    /// <param name="progress">Gets the prediction's windows with <see cref="ViewOptions.Checkpoint"/> (task <c>predict &lt;file&gt;</c>).</param>
    /// <param name="options">The recording, checkpoint, timing and page settings.</param>
    /// <param name="ct">Stops between windows.</param>
    public static ViewResult Build(ViewOptions options, Action<string>? log = null, IProgress<ProgressReport>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Directory.Exists(options.Input))
        {
            return BuildSequence(options, log, ct);
        }
        if (!File.Exists(options.Input))
        {
            throw new FileNotFoundException($"{options.Input}: recording not found", options.Input);
        }
        if (options.Checkpoint is not null && options.Predictions is not null)
        {
            throw new ArgumentException("--pred and --checkpoint both give the predictions: use one");
        }
        string name = RecordingPredictor.RecordingName(options.Input);
        DatasetDescription? described = options.Dataset is null ? null : DatasetDescription.Load(options.ConfigDirectory, options.Dataset);
        string? predictions = null;
        int bins = 10;
        if (options.Checkpoint is not null)
        {
            using LoadedDetector detector = LoadedDetector.Load(options.Checkpoint, options.Overrides, options.ConfigDirectory, options.Device, options.Precision);
            described ??= DatasetDescription.FromConfig(detector.Config);
            bins = detector.Config.GetInt("model.backbone.input_channels") / 2;
            string dir = Path.GetDirectoryName(Path.GetFullPath(options.Output)) ?? ".";
            log?.Invoke($"predicting {Path.GetFileName(options.Input)} with {options.Checkpoint} (as `eventssm predict --conf {Num(options.FileConfidence)}`)");
            var streaming = new StreamingOptions
            {
                StepUs = options.StepUs,
                WindowUs = options.WindowUs,
                ConfidenceThreshold = options.FileConfidence,
            };
            predictions = RecordingPredictor.Predict(detector, options.Input, dir, streaming, "none", progress, ct).BoxesPath;
        }
        else if (options.Predictions is not null)
        {
            predictions = ResolvePredictions(options.Predictions, name);
        }
        string? labels = options.Labels ?? FindLabelsNextTo(options.Input, name);
        if (options.Labels is null && labels is not null)
        {
            log?.Invoke($"ground truth found next to the recording: {labels}");
        }

        using IEventReader reader = EventRecording.Open(options.Input);
        // Without --dataset or a checkpoint: gen4's classes for a 1 Mpx sensor, gen1's otherwise.
        DatasetDescription dataset = described ?? DatasetDescription.Load(options.ConfigDirectory,
            reader.Width == SensorSize.Gen4.Width && reader.Height == SensorSize.Gen4.Height ? "gen4" : "gen1");
        var document = new ViewerDocument(name, reader.Width, reader.Height, PageOptions(options, dataset, options.StepUs, options.WindowUs));
        document.AddInfo("recording", Path.GetFullPath(options.Input));
        BoundingBox[]? dt = predictions is null ? null : ReadBoxes(predictions, dataset);
        BoundingBox[]? gt = labels is null ? null : ReadBoxes(labels, dataset);
        Describe(document, dataset, predictions, dt, labels, gt, options.Checkpoint);

        long[] ends = EventWindows.CoveringEnds(reader, options.StepUs);
        log?.Invoke($"encoding {ends.Length} frames of {reader.Width}×{reader.Height}{(options.Bins ? " with their stacked-histogram bins" : "")}");
        StackedHistogram? histogram = options.Bins ? new StackedHistogram(reader.Height, reader.Width, bins, CountCutoff) : null;
        ViewerFrames.AddEvents(document, reader, ends, histogram, ct);
        if (dt is not null)
        {
            document.SetPredictions(dt);
        }
        if (gt is not null)
        {
            document.SetLabels(gt);
        }
        Score(document, dataset, gt, dt, labels, predictions, options.PerFrame);
        return Write(document, options.Output, predictions, labels, log);
    }

    /// <summary>A preprocessed sequence: the frames are its stored histograms, the labels its label frames.</summary>
    private static ViewResult BuildSequence(ViewOptions options, Action<string>? log, CancellationToken ct)
    {
        if (options.Checkpoint is not null)
        {
            throw new ArgumentException($"{options.Input}: --checkpoint needs an event recording (.dat, .raw, .h5); for a preprocessed sequence give --pred");
        }
        string reprRoot = Path.Combine(options.Input, "event_representations_v2");
        string[] reprDirs = Directory.Exists(reprRoot) ? Directory.GetDirectories(reprRoot) : [];
        if (reprDirs.Length == 0)
        {
            throw new FileNotFoundException($"{options.Input}: not a preprocessed sequence (no event_representations_v2/<name>/)");
        }
        string reprName = reprDirs.Select(Path.GetFileName).Contains(PreprocessedSequence.DefaultRepresentationName)
            ? PreprocessedSequence.DefaultRepresentationName
            : Path.GetFileName(reprDirs.Order(StringComparer.Ordinal).First())!;
        DatasetDescription dataset = DatasetDescription.Load(options.ConfigDirectory, options.Dataset ?? "gen1");
        PreprocessedSequence seq = PreprocessedSequence.Load(options.Input, dataset, reprName);
        using RepresentationH5Reader repr = RepresentationH5Reader.Open(seq.RepresentationFile);
        long step = MedianStep(seq.ReprTimestamps) ?? options.StepUs;
        Match dtMatch = Regex.Match(reprName, @"dt=(\d+(?:\.\d+)?)");
        long window = dtMatch.Success ? (long)Math.Round(double.Parse(dtMatch.Groups[1].Value, CultureInfo.InvariantCulture) * 1000) : options.WindowUs;
        var document = new ViewerDocument(seq.Name, repr.Width, repr.Height, PageOptions(options, dataset, step, window))
        {
            BoxScale = (double)repr.Width / dataset.Sensor.Width,
        };
        document.AddInfo("sequence", Path.GetFullPath(options.Input));
        document.AddInfo("representation", $"{reprName} ({repr.Count} steps)");
        string? predictions = options.Predictions is null ? null : ResolvePredictions(options.Predictions, seq.Name);
        BoundingBox[]? dt = predictions is null ? null : ReadBoxes(predictions, dataset);
        string labelsFile = Path.Combine(options.Input, "labels_v2", "labels.npz");
        Describe(document, dataset, predictions, dt, labelsFile, seq.Labels, null);
        if (options.Bins)
        {
            document.SetRepresentationLayout(new RepresentationLayout($"preprocessed {reprName}", repr.Channels / 2, repr.Height, repr.Width, CountCutoff));
        }
        log?.Invoke($"encoding {repr.Count} stored representations of {repr.Width}×{repr.Height}");
        byte[] histogram = new byte[repr.FrameBytes];
        byte[] plane = new byte[repr.Width * repr.Height];
        for (int i = 0; i < repr.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            repr.ReadFrame(i, histogram);
            // The event image of the stored histogram, as the original's ev_repr_to_img.
            EventFrames.PlaneFromHistogram(histogram, repr.Channels, repr.Height, repr.Width, plane);
            document.AddFrame(seq.ReprTimestamps[i], plane);
            if (options.Bins && document.WantsRepresentation(i))
            {
                document.AddRepresentation(i, histogram);
            }
        }
        var perFrame = new IReadOnlyList<BoundingBox>[repr.Count];
        Array.Fill(perFrame, Array.Empty<BoundingBox>());
        for (int k = 0; k < seq.ObjframeIdx2ReprIdx.Length; k++)
        {
            perFrame[seq.ObjframeIdx2ReprIdx[k]] = seq.FrameBoxes(k).ToArray();
        }
        document.SetLabels(perFrame);
        if (dt is not null)
        {
            document.SetPredictions(dt);
        }
        Score(document, dataset, seq.Labels, dt, labelsFile, predictions, options.PerFrame);
        return Write(document, options.Output, predictions, labelsFile, log);
    }

    private static ViewerOptions PageOptions(ViewOptions o, DatasetDescription dataset, long stepUs, long windowUs) => new()
    {
        StepUs = stepUs,
        WindowUs = windowUs,
        Classes = ClassStyle.ForNames(dataset.ClassNames),
        DisplayConfidence = o.DisplayConfidence,
        MinStoredConfidence = Math.Min(0.05, o.DisplayConfidence),
        Coloring = o.Coloring,
        RepresentationBudgetBytes = o.BinsBudgetBytes,
    };

    private static void Describe(ViewerDocument document, DatasetDescription dataset, string? predictions, BoundingBox[]? dt,
        string? labels, BoundingBox[]? gt, string? checkpoint)
    {
        if (checkpoint is not null)
        {
            document.AddInfo("model", Path.GetFullPath(checkpoint));
        }
        if (predictions is not null && dt is not null)
        {
            document.AddInfo("predictions", $"{Path.GetFullPath(predictions)} ({dt.Length} boxes)");
        }
        if (labels is not null && gt is not null)
        {
            document.AddInfo("ground truth", $"{Path.GetFullPath(labels)} ({gt.Length} boxes)");
        }
        document.AddInfo("classes", $"{dataset.Name}: {string.Join(", ", dataset.ClassNames)}");
    }

    /// <summary>The project's one metric path: <see cref="PropheseeEvaluator"/> on this recording's pair.</summary>
    private static void Score(ViewerDocument document, DatasetDescription dataset, BoundingBox[]? gt, BoundingBox[]? dt,
        string? labels, string? predictions, bool perFrame)
    {
        if (gt is null || dt is null)
        {
            return;
        }
        // The boxes are at sensor resolution (recordings' label files and preprocessed labels alike).
        var evaluator = new PropheseeEvaluator(dataset.ClassNames, dataset.EvaluationFilter(downsampledBy2: false));
        try
        {
            if (perFrame)
            {
                evaluator.AddSequenceByFrame(gt, dt);
            }
            else
            {
                evaluator.AddSequence(gt, dt);
            }
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException($"{labels} / {predictions}", e.Message, e);
        }
        document.Metrics = evaluator.Compute();
        document.MetricsProtocol = perFrame
            ? $"RVT per-frame protocol (detections at each label time), {dataset.Name} box filter, as `eventssm evaluate --per-frame`"
            : $"Prophesee toolbox protocol (detections within ±50 ms of each label time), {dataset.Name} box filter, as `eventssm evaluate`";
    }

    private static ViewResult Write(ViewerDocument document, string output, string? predictions, string? labels, Action<string>? log)
    {
        long bytes = document.Write(output);
        if (bytes > document.Options.PageBudgetBytes)
        {
            log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"note: the page is {bytes / 1e6:F1} MB, over the {document.Options.PageBudgetBytes / 1e6:F0} MB budget (a very busy recording); a larger --step-ms or --no-bins makes it smaller"));
        }
        return new ViewResult(Path.GetFullPath(output), bytes, document.FrameCount, document.RepresentationFrames.Count,
            document.PlaneBytes, document.RepresentationBytes, document.Metrics, predictions, labels, document.MetricsProtocol);
    }

    private static BoundingBox[] ReadBoxes(string path, DatasetDescription dataset)
    {
        BoundingBox[] boxes = BoundingBoxFile.Read(path);
        try
        {
            BoundingBoxFile.CheckClassIds(boxes, dataset.ClassNames, path);
        }
        catch (DataFormatException e)
        {
            throw new DataFormatException(path, $"{e.Reason} of {dataset.Name}; give --dataset", e);
        }
        return boxes;
    }

    private static string ResolvePredictions(string path, string name)
    {
        if (Directory.Exists(path))
        {
            string file = Path.Combine(path, name + PropheseeFileEvaluation.FileSuffix);
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"{path}: no {name}{PropheseeFileEvaluation.FileSuffix} for this recording", file);
            }
            return file;
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: predictions not found", path);
        }
        return path;
    }

    private static string? FindLabelsNextTo(string recording, string name)
    {
        string file = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(recording)) ?? ".", name + PropheseeFileEvaluation.FileSuffix);
        return File.Exists(file) ? file : null;
    }

    private static long? MedianStep(long[] times)
    {
        if (times.Length < 2)
        {
            return null;
        }
        long[] steps = new long[times.Length - 1];
        for (int i = 1; i < times.Length; i++)
        {
            steps[i - 1] = times[i] - times[i - 1];
        }
        Array.Sort(steps);
        long median = steps[steps.Length / 2];
        return median > 0 ? median : null;
    }

    private static string Num(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
