using System.Diagnostics;
using EventSsm.Checkpoints;
using EventSsm.Config;
using EventSsm.Datasets;
using EventSsm.Evaluation;
using EventSsm.IO;
using EventSsm.Inference;
using EventSsm.Labels;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using EventSsm.Streaming;
using EventSsm.Synthetic;
using EventSsm.Training;
using EventSsm.Workflows.Prediction;
using static TorchSharp.torch;

namespace EventSsm.Workflows.Demo;

/// <summary>Settings of the out-of-the-box demo.</summary>
public sealed record DemoOptions
{
    /// <summary>The run folder (data, checkpoints, predictions, results.json).</summary>
    public required string OutDirectory { get; init; }

    /// <summary>
    /// Training steps. The default is a fixed count (so every machine gets the same model and the same numbers) chosen to
    /// fit about 10 minutes on 2 idle cores; <see cref="Minutes"/> replaces it by a measured time budget.
    /// </summary>
    public long Steps { get; init; } = DemoPipeline.DefaultSteps;

    /// <summary>Total time budget in minutes, or null for <see cref="Steps"/>; training then gets what the other stages leave.</summary>
    public double? Minutes { get; init; }

    /// <summary>Synthetic sequences in all (split about 60/20/20).</summary>
    public int Sequences { get; init; } = 10;

    /// <summary>Length of each synthetic sequence in seconds.</summary>
    public double SecondsPerSequence { get; init; } = 20;

    /// <summary>Seed of the synthesis and of training.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The configs folder; null: found by <see cref="ConfigLocator"/>.</summary>
    public string? ConfigDirectory { get; init; }
}

/// <summary>What the demo produced.</summary>
/// <param name="Prediction">The headline metrics: <c>predict</c> output for every test recording evaluated as <c>eventssm evaluate</c> does.</param>
/// <param name="Validation">The original's streaming validation of the same model on the preprocessed test split.</param>
/// <param name="Viewer">The viewer page of the first test recording (docs/VIEWER.md).</param>
/// <param name="TrainSteps">Optimisation steps trained.</param>
/// <param name="Checkpoint">The best checkpoint (.safetensors).</param>
/// <param name="PredictionDirectory">The <c>predict</c> output of every test recording.</param>
/// <param name="GroundTruthDirectory">The test recordings and their labels.</param>
/// <param name="Rendering">The rendering of the first test recording, or null.</param>
/// <param name="ResultsJson">The results file.</param>
public sealed record DemoResult(DetectionMetrics Prediction, DetectionMetrics Validation, long TrainSteps, string Checkpoint,
    string PredictionDirectory, string GroundTruthDirectory, string? Rendering, string ResultsJson, string Viewer);

/// <summary>
/// The whole job on built-in synthetic data: synthesise a Gen1-like dataset, preprocess it exactly as the original,
/// train a micro S5-ViT within the time budget, validate on the test split with the Prophesee metric, predict on a test
/// recording and render it, and evaluate that prediction file the way <c>eventssm evaluate</c> does.
/// </summary>
public static class DemoPipeline
{
    /// <summary>
    /// The model and data settings for a CPU demo (overrides on the original's gen1 small experiment). The S5 state is
    /// carried across chunks (<c>carry</c>), so the streaming <c>predict</c> (one window at a time) sees the same
    /// temporal context as training and chunked validation; the original's <c>reference</c> mode would restart it at
    /// every window.
    /// </summary>
    public static readonly string[] ModelOverrides =
    [
        "dataset=gen1", "+experiment/gen1=small.yaml", "model.backbone.embed_dim=16", "model.backbone.stage.attention.dim_head=8",
        "dataset.sequence_length=3", "batch_size.train=4", "batch_size.eval=4", "hardware.num_workers.train=1", "hardware.num_workers.eval=1",
        "training.learning_rate=0.001", "training.lr_scheduler.pct_start=0.05", "model.backbone.s5.state_mode=carry",
    ];

    /// <summary>Steps of the default demo (see <see cref="DemoOptions.Steps"/> and docs/PERFORMANCE.md for the timing).</summary>
    public const long DefaultSteps = 400;

    /// <param name="log">Gets the stage lines and the training log.</param>
    /// <param name="progress">Gets the progress of each long stage (synthesis, preprocessing, training, validation, prediction).</param>
    /// <param name="o">The demo's settings.</param>
    /// <param name="ct">Stops between stages and steps.</param>
    public static DemoResult Run(DemoOptions o, Action<string> log, IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        var total = Stopwatch.StartNew();
        string raw = Path.Combine(o.OutDirectory, "raw");
        string pre = Path.Combine(o.OutDirectory, "preprocessed");
        string run = Path.Combine(o.OutDirectory, "run");
        Directory.CreateDirectory(o.OutDirectory);

        log($"1/6 synthesising {o.Sequences} sequences of {o.SecondsPerSequence:F0} s (304×240, cars and pedestrians) → {raw}");
        if (!Directory.Exists(Path.Combine(raw, "test")))
        {
            var scene = new SceneOptions { DurationUs = (long)(o.SecondsPerSequence * 1e6), Seed = (ulong)o.Seed };
            SyntheticDataset.Write(raw, o.Sequences, scene, progress: progress);
        }

        log($"2/6 preprocessing (stacked histograms, 50 ms windows, the original's label selection) → {pre}");
        string configDir = ConfigLocator.Find(o.ConfigDirectory);
        DatasetDescription gen1 = DatasetDescription.Load(configDir, "gen1");
        var preOptions = new PreprocessOptions { Dataset = gen1 };
        PreprocessReport report = new Preprocessor(preOptions).Run(raw, pre, progress, ct);
        if (report.AnyFailed)
        {
            throw new InvalidOperationException("preprocessing failed: " + string.Join("; ", report.Sequences.Where(s => s.Status == SequenceStatus.Failed).Select(s => $"{s.Sequence}: {s.Reason}")));
        }

        ConfigNode Compose(long steps)
        {
            ConfigNode c = ConfigComposer.Compose(configDir, "train", [.. ModelOverrides, $"dataset.path={pre}", $"dataset.ev_repr_name={preOptions.RepresentationName}", $"training.max_steps={steps}"]);
            ConfigModifier.Apply(c);
            return c;
        }

        long steps = o.Steps;
        string budget = "";
        if (o.Minutes is double minutes)
        {
            // Calibrate the step time so the OneCycle schedule spans exactly the training budget.
            double remaining = (minutes * 60) - total.Elapsed.TotalSeconds;
            double trainSeconds = Math.Max(30, remaining - 120);
            double secPerStep = Calibrate(Compose(1000), Path.Combine(o.OutDirectory, ".calibration"));
            steps = Math.Max(20, (long)(trainSeconds / secPerStep));
            budget = $" (~{secPerStep:F2} s/step, {trainSeconds / 60:F1} min)";
        }
        log($"3/6 training a micro S5-ViT for {steps} steps{budget} → {run}");
        ConfigNode cfg = Compose(steps);
        manual_seed(o.Seed);
        using var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        var trainer = new Trainer(model, cfg, TrainerOptions.FromConfig(cfg, o.Seed) with { LogInterval = 25, CheckpointInterval = 200 }, run);
        trainer.Run(log: step => log($"   {step}"), progress: progress, ct: ct);

        log("4/6 validating on the test split (streaming, Prophesee/COCO metric, confidence 0.001)");
        ConfigNode valCfg = cfg.Clone();
        valCfg.Set("model.postprocess.confidence_threshold", 0.001);
        model.eval();
        DetectionMetrics val = Validator.Validate(model, PreprocessedDataset.Load(pre, "test", gen1, preOptions.RepresentationName),
            ValidationOptions.FromConfig(valCfg), progress, ct);
        DetectorCheckpoint(model, valCfg, trainer.BestCheckpoint);

        log("5/6 predicting on every test recording (streaming, one window at a time) and rendering the first (MP4 with ffmpeg, else GIF)");
        string gtDir = Path.Combine(raw, "test");
        string predDir = Path.Combine(o.OutDirectory, "prediction");
        string? rendering = null;
        string[] recordings = [.. Directory.GetFiles(gtDir, "*_td.dat").Order(StringComparer.Ordinal)];
        using (LoadedDetector loaded = LoadedDetector.Load(trainer.BestCheckpoint, [], configDir))
        {
            for (int i = 0; i < recordings.Length; i++)
            {
                BoundingBox[]? labels = i == 0 ? BoundingBoxFile.Read(LabelsOf(recordings[i])) : null;
                PredictionResult pred = RecordingPredictor.Predict(loaded, recordings[i], predDir,
                    new StreamingOptions { StepUs = 50_000, WindowUs = 50_000, ConfidenceThreshold = 0.001 }, i == 0 ? "mp4" : "none",
                    progress, ct, labels: labels);
                rendering ??= pred.RenderPath;
                if (pred.RenderNote is not null)
                {
                    log($"   {pred.RenderNote}");
                }
                log($"   {Path.GetFileName(pred.BoxesPath)}: {pred.Windows} windows, {pred.Boxes} boxes, latency p50 {pred.LatencyP50Ms:F1} ms");
            }
        }

        // RVT's per-frame protocol (detections at exactly each label time). The toolbox's default ±50 ms matching would
        // pool three 20 Hz windows per label and count the neighbours' boxes as false positives.
        log($"6/6 evaluating the prediction files against the synthetic labels (as `eventssm evaluate --dataset gen1 --per-frame {gtDir} {predDir}`) and writing the viewer page");
        DetectionMetrics predMetrics = PropheseeFileEvaluation.EvaluateFolders(gtDir, predDir, gen1.ClassNames, gen1.EvaluationFilter(),
            EvaluationMode.PerFrame).Metrics;
        ViewResult view = RecordingViewer.Build(new ViewOptions
        {
            Input = recordings[0],
            Output = Path.Combine(o.OutDirectory, "view.html"),
            Predictions = predDir,
            Labels = LabelsOf(recordings[0]),
            PerFrame = true,
        }, ct: ct);
        log($"   {view.Path}: {view.Bytes / 1e6:F1} MB");

        string json = Path.Combine(o.OutDirectory, "results.json");
        string Num(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        AtomicFile.WriteAllText(json, $"{{\"AP\": {Num(predMetrics.AP)}, \"AP_50\": {Num(predMetrics.AP50)}, " +
            $"\"AP_75\": {Num(predMetrics.AP75)}, \"prediction\": {predMetrics.ToJson()}, \"validation\": {val.ToJson()}, " +
            $"\"train_steps\": {steps}, \"seconds\": {total.Elapsed.TotalSeconds:F0}}}\n");
        return new DemoResult(predMetrics, val, steps, trainer.BestCheckpoint, predDir, gtDir, rendering, json, view.Path);
    }

    /// <summary>The synthetic labels of a recording: x_td.dat → x_bbox.npy next to it.</summary>
    private static string LabelsOf(string recording) =>
        Path.Combine(Path.GetDirectoryName(recording)!, RecordingPredictor.RecordingName(recording) + PropheseeFileEvaluation.FileSuffix);

    /// <summary>Re-saves the final weights as the inference checkpoint with the validation config embedded.</summary>
    private static void DetectorCheckpoint(YoloXDetector model, ConfigNode config, string path) =>
        EventSsm.Checkpoints.DetectorCheckpoint.Save(path, model, config);

    private static double Calibrate(ConfigNode cfg, string dir)
    {
        try
        {
            using var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
            var trainer = new Trainer(model, cfg, TrainerOptions.FromConfig(cfg) with { CheckpointInterval = 1_000_000 }, dir);
            trainer.Run(stopAfter: 1);
            var sw = Stopwatch.StartNew();
            trainer.Run(resume: false, stopAfter: 3);
            return sw.Elapsed.TotalSeconds / 3;
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
