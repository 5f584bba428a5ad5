using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using EventSsm.Checkpoints;
using EventSsm.Config;
using EventSsm.Datasets;
using EventSsm.Detections;
using EventSsm.Evaluation;
using EventSsm.IO;
using EventSsm.Labels;
using EventSsm.Rendering;
using EventSsm.Model.Backbone;
using EventSsm.Model.Head;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Training;

/// <summary>One logged training step.</summary>
/// <param name="StepsPerSecond">The rate since the previous logged step.</param>
public sealed record TrainStepInfo(long Step, long MaxSteps, double Loss, double LearningRate, double StepsPerSecond, bool Skipped)
{
    /// <summary>Time to <see cref="MaxSteps"/> at the current rate (validations not included); null before a rate is known.</summary>
    public TimeSpan? Eta => StepsPerSecond > 0 && double.IsFinite(StepsPerSecond)
        ? TimeSpan.FromSeconds(Math.Min((MaxSteps - Step) / StepsPerSecond, TimeSpan.MaxValue.TotalSeconds / 2))
        : null;

    /// <summary>The log line of <c>train</c> and the demo: step, loss, learning rate, it/s and ETA.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"step {Step}/{MaxSteps}  loss {(Skipped ? "skipped (non-finite)" : Loss.ToString("F4", CultureInfo.InvariantCulture))}  lr {LearningRate:E2}  {StepsPerSecond:F2} it/s  ETA {ProgressReport.FormatDuration(Eta)}");
}

/// <summary>
/// The original's training loop (docs/MODEL.md §8): mixed stream/random batches, AdamW, the OneCycle schedule,
/// gradient clipping by value, recurrent states per stream slot, periodic validation with the Prophesee metric,
/// and atomic checkpoints (<c>checkpoints/last.safetensors</c> resumable, <c>best.safetensors</c> for inference).
/// </summary>
public sealed class Trainer
{
    private readonly YoloXDetector _model;
    private readonly ConfigNode _config;
    private readonly TrainerOptions _o;
    private readonly string _runDir;
    private readonly Func<YoloXDetector, int, ValidationResult>? _validate;
    private readonly HighDimLogging _trainImages;
    private readonly HighDimLogging _validationImages;

    /// <summary>The task of the progress reports (steps done of <see cref="TrainerOptions.MaxSteps"/>).</summary>
    public const string ProgressTask = "train";

    /// <param name="validate">Runs validation with the model and the number of samples to keep for images
    /// (<see cref="Validator.ForTraining"/>).</param>
    public Trainer(YoloXDetector model, ConfigNode config, TrainerOptions options, string runDirectory,
        Func<YoloXDetector, int, ValidationResult>? validate = null)
    {
        _model = model;
        _config = config;
        _o = options;
        _runDir = runDirectory;
        _validate = validate;
        _trainImages = HighDimLogging.Train(config);
        _validationImages = HighDimLogging.Validation(config);
    }

    public string LastCheckpoint => Path.Combine(_runDir, "checkpoints", "last.safetensors");

    public string BestCheckpoint => Path.Combine(_runDir, "checkpoints", "best.safetensors");

    /// <summary>Losses of the steps run by this call (NaN for skipped steps), for tests and summaries.</summary>
    public List<double> Losses { get; } = [];

    public DetectionMetrics? LastMetrics { get; private set; }

    /// <summary>The weighted H2 term h2_weight·Σ energy of the last step (0 when h2_weight is 0), included in the loss.</summary>
    public double LastH2Loss { get; private set; }

    /// <summary>
    /// Trains until <see cref="TrainerOptions.MaxSteps"/> (or <paramref name="stopAfter"/> steps of this call) on the
    /// model's device. <paramref name="log"/> gets every <see cref="TrainerOptions.LogInterval"/>-th step and every
    /// skipped one; <paramref name="progress"/> gets every step (task <c>train</c>).
    /// </summary>
    public void Run(bool resume = false, long? stopAfter = null, Action<TrainStepInfo>? log = null,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        // The data first: a wrong dataset path fails before the run folder is made, so it leaves nothing behind.
        PreprocessedDataset train = PreprocessedDataset.Load(_o.DatasetPath, "train", _o.Dataset, _o.RepresentationName);
        Directory.CreateDirectory(Path.Combine(_runDir, "checkpoints"));
        IO.AtomicFile.WriteAllText(Path.Combine(_runDir, "config.yaml"), _config.ToYaml());
        int[] hw = ConfigModifier.DataLoadingHw(_config);
        var sampler = new MixedBatchSampler(train.Sequences, _o.SequenceLength, _o.BatchSize, _o.StreamWeight, _o.RandomWeight,
            hw[0], hw[1], _o.Seed, _o.Augment);
        int channels = _model.Options.Backbone.InputChannels;
        var schedule = new OneCycleSchedule(_o.LearningRate, _o.MaxSteps, _o.PctStart, _o.DivFactor, _o.FinalDivFactor / _o.DivFactor);
        using var optimizer = new AdamWOptimizer(_model.named_parameters().Select(p => (p.name, p.parameter)), _o.LearningRate,
            weightDecay: _o.WeightDecay);
        using var states = new RecurrentStates();
        long step = 0;
        double best = double.NegativeInfinity;
        if (resume)
        {
            if (!File.Exists(LastCheckpoint))
            {
                throw new FileNotFoundException($"{_runDir}: nothing to resume (no checkpoints/last.safetensors)", LastCheckpoint);
            }
            (TrainingCheckpoint.State st, Tensor[]? saved) = TrainingCheckpoint.Load(LastCheckpoint, _model, optimizer);
            step = st.Step;
            best = st.BestAp;
            if (saved is not null)
            {
                states.Set("train", saved);
            }
        }
        using var metrics = new RunLog(_runDir, MetricColumns(), resumeAfterStep: resume ? step : null);
        long end = stopAfter is long n ? Math.Min(_o.MaxSteps, step + n) : _o.MaxSteps;
        progress?.Report(new ProgressReport(ProgressTask, step, _o.MaxSteps, "steps"));
        // The resolved config as TensorBoard text (indented: a markdown code block), as the original logs it to W&B.
        metrics.LogText(step, "config", string.Join('\n', _config.ToYaml().Split('\n').Select(l => "    " + l)));
        // Batches are a pure function of the step, so reading [step, end) ahead on workers changes nothing but the wait.
        using var batches = new PrefetchingBatchSource(sampler.Batches(step, end),
            () => new BatchReader(train.Sequences, H5RepresentationReader.Open, channels, hw[0], hw[1],
                _model.Options.InputHeight, _model.Options.InputWidth),
            _o.LoaderWorkers, _o.LoaderWorkers * _o.PrefetchFactor);
        // Every step allocates and frees the same large activations: keep their pages instead of faulting them in anew.
        using IDisposable heap = HostHeap.KeepFreedMemory();
        var clock = Stopwatch.StartNew();
        long stepsSinceLog = 0;
        _model.train();
        _model.Backbone.RecomputeAttentionIn(_o.RecomputeAttention);
        while (step < end)
        {
            ct.ThrowIfCancellationRequested();
            double lr = schedule.LearningRate(step);
            optimizer.LearningRate = lr;
            List<DetectionSample>? trainSamples = _trainImages.IsDue(step + 1) ? [] : null;
            double loss = TrainStep(sampler.StreamSlots, batches, states, optimizer, ct, trainSamples);
            if (!double.IsNaN(loss))
            {
                optimizer.Step();
            }
            optimizer.ZeroGrad();
            Losses.Add(loss);
            step++;
            stepsSinceLog++;
            bool skipped = double.IsNaN(loss);
            if (skipped || step % _o.LogInterval == 0 || step == end)
            {
                double rate = stepsSinceLog / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                var scalars = new Dictionary<string, double> { ["train/loss"] = loss, ["train/lr"] = lr, ["train/steps_per_s"] = rate };
                if (_model.Options.Backbone.H2Weight > 0)
                {
                    scalars["train/loss_h2"] = LastH2Loss;
                }
                metrics.Log(step, scalars);
                log?.Invoke(new TrainStepInfo(step, _o.MaxSteps, loss, lr, rate, skipped));
                clock.Restart();
                stepsSinceLog = 0;
            }
            if (trainSamples is not null)
            {
                LogImages(metrics, step, "train/predictions_vs_labels", trainSamples);
            }
            progress?.Report(new ProgressReport(ProgressTask, step, _o.MaxSteps, "steps"));
            bool validateNow = _validate is not null && ((_o.ValidationInterval is long vi && step % vi == 0) || step == _o.MaxSteps);
            if (validateNow)
            {
                // One validation counts as one of the original's epochs; the last one always gets its images.
                long validationIndex = _o.ValidationInterval is long interval ? step / interval : 1;
                bool images = _validationImages.IsDue(validationIndex) || (step == _o.MaxSteps && _validationImages.Enable);
                _model.eval();
                ValidationResult result = _validate!(_model, images ? _validationImages.Samples : 0);
                _model.train();
                DetectionMetrics m = result.Metrics;
                LastMetrics = m;
                var scalars = new Dictionary<string, double> { ["val/AP"] = m.AP, ["val/AP_50"] = m.AP50, ["val/AP_75"] = m.AP75 };
                foreach ((string name, double ap) in m.PerClassAP)
                {
                    scalars[$"val/AP_{name}"] = ap;
                }
                metrics.Log(step, scalars);
                LogPrCurves(metrics, step, result);
                LogImages(metrics, step, "val/predictions_vs_labels", result.Samples);
                if (m.AP > best)
                {
                    best = m.AP;
                    DetectorCheckpoint.Save(BestCheckpoint, _model, _config);
                }
            }
            if (step % _o.CheckpointInterval == 0 || step == end)
            {
                TrainingCheckpoint.Save(LastCheckpoint, _model, optimizer, states.Get("train", new bool[sampler.StreamSlots]),
                    _config, new TrainingCheckpoint.State(step, best));
            }
        }
        if (_validate is null && !File.Exists(BestCheckpoint))
        {
            DetectorCheckpoint.Save(BestCheckpoint, _model, _config);
        }
    }

    /// <summary>
    /// Per class, COCO's precision at the 101 recall thresholds (IoU 0.5, all areas, 100 detections: the AP50 curve),
    /// in order of falling recall (rising score threshold), for TensorBoard's PR Curves tab.
    /// </summary>
    private static void LogPrCurves(RunLog log, long step, ValidationResult result)
    {
        if (result.Coco is not { } coco)
        {
            return;
        }
        string[] names = [.. result.Metrics.PerClassAP.Keys];
        for (int k = 0; k < coco.K && k < names.Length; k++)
        {
            var precision = new List<double>();
            var recall = new List<double>();
            var thresholds = new List<double>();
            for (int r = CocoEvalResult.R - 1; r >= 0; r--)
            {
                int i = coco.PrecisionIndex(0, r, k, 0, CocoEvalResult.M - 1);
                if (coco.Precision[i] < 0)
                {
                    break; // no ground truth of this class: no curve
                }
                precision.Add(coco.Precision[i]);
                recall.Add(r / (double)(CocoEvalResult.R - 1));
                thresholds.Add(coco.Scores[i]);
            }
            if (precision.Count == CocoEvalResult.R)
            {
                log.LogPrCurve(step, $"val/pr_curve/{names[k]}", new PrCurve(precision, recall, thresholds, result.GroundTruthPerClass[k]));
            }
        }
    }

    /// <summary>Predictions above labels, as the original's W&amp;B images, with the legend and the label time.</summary>
    private void LogImages(RunLog log, long step, string tag, IReadOnlyList<DetectionSample> samples)
    {
        var options = new RenderOptions
        {
            Scale = 0,
            Layout = PanelLayout.Stacked,
            Classes = ClassStyle.ForNames(_o.Dataset.ClassNames),
        };
        for (int i = 0; i < samples.Count; i++)
        {
            DetectionSample x = samples[i];
            RgbImage events = EventFrames.FromHistogram(x.Histogram, x.Channels, x.Height, x.Width);
            log.LogImage(step, $"{tag}/{i}", EventVideo.Compose(events, x.GroundTruth, x.Detections, x.TimeUs, options));
        }
    }

    /// <summary>The columns of metrics.csv, declared before the first row so the file keeps one header.</summary>
    private List<string> MetricColumns()
    {
        List<string> columns = ["train/loss", "train/lr", "train/steps_per_s"];
        if (_model.Options.Backbone.H2Weight > 0)
        {
            columns.Add("train/loss_h2");
        }
        if (_validate is not null)
        {
            columns.AddRange(["val/AP", "val/AP_50", "val/AP_75"]);
            columns.AddRange(_o.Dataset.ClassNames.Select(c => $"val/AP_{c}"));
        }
        return columns;
    }

    /// <summary>One optimisation step; returns the loss, or NaN when the step was skipped (non-finite loss).</summary>
    /// <param name="samples">When not null, up to <see cref="HighDimLogging.Samples"/> labelled frames of the batch are added
    /// with the detections of this step's head outputs (for TensorBoard images).</param>
    private double TrainStep(int streamSlots, PrefetchingBatchSource batches, RecurrentStates states, AdamWOptimizer optimizer,
        CancellationToken ct, List<DetectionSample>? samples = null)
    {
        using DisposeScope scope = NewDisposeScope();
        using SampleBatch batch = batches.Next(ct) ?? throw new InvalidOperationException("the batch loader ended before the last step");
        int b = batch.BatchSize;
        Device device = _model.parameters().First().device;
        Tensor[]? stored = states.Get("train", batch.IsFirstSample[..streamSlots]);
        Tensor?[]? initial = null;
        if (stored is not null)
        {
            // Random-access samples always start from a zero state (is_first_sample = True, docs/DATA.md §3.3).
            initial = stored.Select(s => (Tensor?)cat([s, zeros([b - streamSlots, .. s.shape[1..]], dtype: s.dtype, device: s.device)], 0)).ToArray();
        }
        (Tensor[] features, Tensor[] newStates) = _model.ForwardBackbone(batch.InputOn(device), initial);
        states.Set("train", newStates.Select(s => s[..streamSlots]).ToArray());

        var frames = new List<long>();
        var labels = new List<ObjectLabel[]>();
        for (int t = 0; t < batch.SequenceLength; t++)
        {
            for (int s = 0; s < b; s++)
            {
                if (batch.Labels[t, s] is ObjectLabel[] l && !batch.IsPadded[t, s])
                {
                    frames.Add(((long)t * b) + s);
                    labels.Add(l);
                }
            }
        }
        if (frames.Count == 0)
        {
            return double.NaN;
        }
        HeadOutputs head = _model.ForwardDetect(features, frames.ToArray());
        if (samples is not null)
        {
            CaptureSamples(batch, frames, labels, head, samples);
        }
        YoloXLosses losses;
        try
        {
            losses = YoloXLoss.Compute(head, Targets(labels, device), _model.NumClasses);
        }
        catch (System.Runtime.InteropServices.ExternalException)
        {
            // libtorch rejects non-finite probabilities inside SimOTA's BCE: the outputs are already non-finite.
            optimizer.ZeroGrad();
            return double.NaN;
        }
        Tensor objective = losses.Total;
        BackboneOptions backbone = _model.Options.Backbone;
        if (backbone.H2Weight > 0)
        {
            // docs/FREQUENCY.md: the H2 term is only built when enabled, so h2_weight 0 leaves training bit-identical.
            Tensor h2 = S5H2Penalty.Compute(_model, backbone.StepScale, backbone.H2Bandlimit).mul(Scalars.Of(backbone.H2Weight));
            LastH2Loss = h2.item<float>();
            objective = objective.add(h2.to(objective.device), Scalars.One);
        }
        double value = objective.item<float>();
        if (!double.IsFinite(value))
        {
            // A non-finite loss would poison AdamW's moments; skip the step and let the caller log it.
            optimizer.ZeroGrad();
            return double.NaN;
        }
        objective.backward();
        if (!GradientsFinite())
        {
            // Clipping by value keeps NaN; a finite loss can still have non-finite gradients.
            optimizer.ZeroGrad();
            return double.NaN;
        }
        ClipGradientsByValue(_o.GradientClipValue);
        return value;
    }

    /// <summary>The last labelled frame of each of the first slots, with the post-processed detections of the head outputs.</summary>
    private void CaptureSamples(SampleBatch batch, List<long> frames, List<ObjectLabel[]> labels, HeadOutputs head, List<DetectionSample> samples)
    {
        using IDisposable noGrad = no_grad();
        int[] hw = ConfigModifier.DataLoadingHw(_config);
        var lastOfSlot = new SortedDictionary<int, int>();
        for (int f = 0; f < frames.Count; f++)
        {
            lastOfSlot[(int)(frames[f] % batch.BatchSize)] = f;
        }
        int[] chosen = [.. lastOfSlot.Values.Take(_trainImages.Samples)];
        if (chosen.Length == 0)
        {
            return;
        }
        Tensor decoded = head.Decoded.detach().index_select(0, tensor(chosen.Select(f => (long)f).ToArray(), device: head.Decoded.device));
        IReadOnlyList<Detection>[] detections = TensorPostprocess.Run(decoded, _model.Options.ConfidenceThreshold, _model.Options.NmsThreshold);
        for (int i = 0; i < chosen.Length; i++)
        {
            int f = chosen[i];
            int t = (int)(frames[f] / batch.BatchSize);
            int slot = (int)(frames[f] % batch.BatchSize);
            long time = batch.LabelTimes[t, slot];
            BoundingBox[] gt = labels[f].Select(l => l.ToBoundingBox(time)).ToArray();
            BoundingBox[] dt = detections[i].Select(d => Validator.ToProphesee(d, time)).ToArray();
            samples.Add(Validator.Sample(batch, (t, slot), batch.SlotSequence[slot], time, hw[0], hw[1], gt, dt));
        }
    }

    /// <summary>
    /// Clamps every gradient to [−v, v], as <c>nn.utils.clip_grad_value_</c>, with the bounds as owned scalars
    /// (docs/ARCHITECTURE.md "Scalars").
    /// </summary>
    private void ClipGradientsByValue(double value)
    {
        using Scalar low = Scalars.Owned(-value);
        using Scalar high = Scalars.Owned(value);
        using DisposeScope scope = NewDisposeScope();
        foreach (var p in _model.parameters())
        {
            p.grad?.clamp_(low, high);
        }
    }

    private bool GradientsFinite()
    {
        using DisposeScope scope = NewDisposeScope();
        foreach (var p in _model.parameters())
        {
            if (p.grad is Tensor g && !g.isfinite().all().item<bool>())
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>YOLOX targets (frames, max boxes, 5) = [cls, cx, cy, w, h], zero-padded (docs/DATA.md §3.2).</summary>
    internal static Tensor Targets(IReadOnlyList<ObjectLabel[]> frames, Device device)
    {
        int max = Math.Max(1, frames.Max(f => f.Length));
        var data = new float[frames.Count * max * 5];
        for (int f = 0; f < frames.Count; f++)
        {
            for (int k = 0; k < frames[f].Length; k++)
            {
                ObjectLabel l = frames[f][k];
                int o = ((f * max) + k) * 5;
                data[o] = l.ClassId;
                data[o + 1] = l.X + (l.W / 2);
                data[o + 2] = l.Y + (l.H / 2);
                data[o + 3] = l.W;
                data[o + 4] = l.H;
            }
        }
        return tensor(data, [frames.Count, max, 5], device: device);
    }
}
