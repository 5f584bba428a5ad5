using TorchSharp;
using EventSsm.Datasets;
using EventSsm.Detections;
using EventSsm.Evaluation;
using EventSsm.IO;
using EventSsm.Labels;
using EventSsm.Model.Head;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using static TorchSharp.torch;

namespace EventSsm.Training;

/// <summary>
/// The original's validation loop (<c>validation.py</c> → <c>modules/detection.py</c>, docs/DATA.md §3.5,
/// §3.7, §3.8, §4): every sequence streamed from L−1 steps before its first label frame, recurrent states kept per
/// loader worker and reset at sequence starts, FPN + head + YOLOX post-processing on every step that has a label
/// frame, and the Prophesee/COCO metrics over all of them.
/// </summary>
public static class Validator
{
    /// <summary>
    /// Runs <paramref name="model"/> (in eval mode; its mode is restored afterwards) over a dataset split.
    /// <paramref name="progress"/> gets the representation steps fed to the backbone (padding excluded) after each
    /// batch, as the task <c>validate &lt;split&gt;</c>.
    /// </summary>
    public static DetectionMetrics Validate(YoloXDetector model, PreprocessedDataset data, ValidationOptions options,
        IProgress<ProgressReport>? progress = null, CancellationToken cancellation = default) =>
        Run(model, data, options, progress, cancellation).Metrics;

    /// <summary>
    /// <see cref="Validate"/> with everything a run log shows: COCOeval's arrays (PR curves), the ground-truth count per
    /// class, and the frames of <see cref="ValidationOptions.Capture"/>.
    /// </summary>
    public static ValidationResult Run(YoloXDetector model, PreprocessedDataset data, ValidationOptions options,
        IProgress<ProgressReport>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.SequenceLength);

        IReadOnlyList<PreprocessedSequence> sequences = data.Sequences;
        var streams = new List<List<StreamChunk>>(sequences.Count);
        for (int s = 0; s < sequences.Count; s++)
        {
            PreprocessedSequence seq = sequences[s];
            if (seq.ObjframeIdx2ReprIdx.Length == 0)
            {
                throw new InvalidOperationException($"{seq.Directory}: sequence has no label frames");
            }
            streams.Add(SamplingPlans.EvaluationStream(s, seq.ObjframeIdx2ReprIdx[0], seq.ReprCount, options.SequenceLength));
        }
        List<(int Worker, StreamChunk?[] Slots)> batches = SamplingPlans.EvaluationWorkerBatches(streams, options.BatchSize, options.Workers);

        var evaluator = new PropheseeEvaluator(data.Kind, options.DownsampledBy2);
        int channels = model.Options.Backbone.InputChannels;
        using var source = new PrefetchingBatchSource(batches.Select(b => new BatchRequest(b.Slots)),
            () => new BatchReader(sequences, H5RepresentationReader.Open, channels, options.Height, options.Width,
                model.Options.InputHeight, model.Options.InputWidth),
            options.LoaderThreads, options.LoaderThreads * options.PrefetchFactor);
        using var states = new RecurrentStates();
        bool wasTraining = model.training;
        model.eval();
        string task = $"validate {data.Split}";
        long totalSteps = batches.Sum(b => b.Slots.Sum(c => c is null ? 0L : c.Length - c.PaddedSteps));
        long steps = 0;
        var samples = new List<DetectionSample>();
        try
        {
            // no_grad rather than inference_mode: the validation's recurrent states and the S5 inference cache must stay
            // ordinary tensors (a 400-step demo crashed once at its final validation with inference_mode; not yet explained).
            using IDisposable noGrad = no_grad();
            for (int i = 0; i < batches.Count; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                using DisposeScope scope = NewDisposeScope();
                using SampleBatch batch = source.Next(cancellation) ?? throw new InvalidOperationException("the batch loader ended early");
                Step(model, batch, $"val/{batches[i].Worker}", states, evaluator, options, samples);
                steps += CountSteps(batch);
                progress?.Report(new ProgressReport(task, steps, totalSteps, "steps"));
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        DetectionMetrics metrics = evaluator.Compute(out CocoEvalResult? coco);
        int[] perClass = Enumerable.Range(0, evaluator.ClassNames.Count).Select(evaluator.GroundTruthCount).ToArray();
        return new ValidationResult(metrics, coco, perClass, [.. samples.OrderBy(x => x.Sequence).ThenBy(x => x.TimeUs)]);
    }

    /// <summary>
    /// The validation a <see cref="Trainer"/> runs: <see cref="Run"/> on <paramref name="data"/>, keeping the
    /// <see cref="FixedSamples"/> when the trainer asks for a number of samples (TensorBoard images).
    /// </summary>
    public static Func<YoloXDetector, int, ValidationResult> ForTraining(PreprocessedDataset data, ValidationOptions options,
        IProgress<ProgressReport>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        return (model, samples) => Run(model, data, samples > 0 ? options with { Capture = FixedSamples(data, samples) } : options,
            progress, cancellation);
    }

    /// <summary>
    /// <paramref name="count"/> label frames spread evenly over the split's label frames in sequence order: the same
    /// frames at every validation, so their images show how the predictions evolve (the original's W&amp;B samples).
    /// </summary>
    public static IReadOnlySet<(int Sequence, long TimeUs)> FixedSamples(PreprocessedDataset data, int count)
    {
        ArgumentNullException.ThrowIfNull(data);
        var all = new List<(int, long)>();
        for (int s = 0; s < data.Sequences.Count; s++)
        {
            PreprocessedSequence seq = data.Sequences[s];
            for (int k = 0; k < seq.FrameTimestamps.Length; k++)
            {
                if (seq.FrameBoxes(k).Length > 0)
                {
                    all.Add((s, seq.FrameTimestamps[k]));
                }
            }
        }
        var picked = new SortedSet<(int, long)>();
        for (int i = 0; i < Math.Min(count, all.Count); i++)
        {
            picked.Add(all[(int)((long)i * all.Count / Math.Min(count, all.Count))]);
        }
        return picked;
    }

    /// <summary>One batch: backbone over the chunk, detection on the labelled steps.</summary>
    private static void Step(YoloXDetector model, SampleBatch batch, string stateKey, RecurrentStates states,
        PropheseeEvaluator evaluator, ValidationOptions options, List<DetectionSample> samples)
    {
        Tensor x = batch.InputOn(options.Device);
        (Tensor[] features, Tensor[] newStates) = model.ForwardBackbone(x, states.Get(stateKey, batch.IsFirstSample));
        states.Set(stateKey, newStates);

        // docs/DATA.md §4.2: frames are collected t-major, then by slot, as the original's per-step loop appends them.
        // A frame without boxes is None in the original's batch and is skipped (it would add no COCO
        // image anyway, docs/DATA.md §4.5).
        var indices = new List<long>();
        var groundTruth = new List<ObjectLabel[]>();
        var times = new List<long>();
        var slots = new List<(int T, int B)>();
        for (int t = 0; t < batch.SequenceLength; t++)
        {
            for (int b = 0; b < batch.BatchSize; b++)
            {
                if (batch.Labels[t, b] is { Length: > 0 } labels)
                {
                    indices.Add(((long)t * batch.BatchSize) + b);
                    groundTruth.Add(labels);
                    times.Add(batch.LabelTimes[t, b]);
                    slots.Add((t, b));
                }
            }
        }
        if (indices.Count == 0)
        {
            return;
        }
        HeadOutputs outputs = model.ForwardDetect(features, [.. indices]);
        IReadOnlyList<Detection>[] detections = options.Detect is { } detect
            ? detect(outputs.Decoded, groundTruth)
            : TensorPostprocess.Run(outputs.Decoded, options.ConfidenceThreshold, options.NmsThreshold);
        for (int f = 0; f < groundTruth.Count; f++)
        {
            long time = times[f];
            BoundingBox[] gt = groundTruth[f].Select(l => l.ToBoundingBox(time)).ToArray();
            BoundingBox[] dt = detections[f].Select(d => ToProphesee(d, time)).ToArray();
            evaluator.AddFrame(gt, dt);
            int sequence = batch.SlotSequence[slots[f].B];
            if (options.Capture?.Contains((sequence, time)) == true)
            {
                samples.Add(Sample(batch, slots[f], sequence, time, options.Height, options.Width, gt, dt));
            }
        }
    }

    /// <summary>
    /// The original's <c>to_prophesee</c> (docs/DATA.md §4.3): corners to x, y, w, h in float32, and the class
    /// confidence alone (not obj·cls) as the score COCOeval ranks by.
    /// </summary>
    internal static BoundingBox ToProphesee(in Detection d, long time) =>
        new(time, d.X1, d.Y1, d.X2 - d.X1, d.Y2 - d.Y1, (uint)d.ClassId, d.ClassConf);

    /// <summary>The input of one (t, slot) cut back to the data size (the model input is zero-padded).</summary>
    internal static DetectionSample Sample(SampleBatch batch, (int T, int B) slot, int sequence, long time, int height, int width,
        BoundingBox[] gt, BoundingBox[] dt)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor frame = batch.Counts[slot.T, slot.B].narrow(1, 0, height).narrow(2, 0, width).contiguous();
        int channels = (int)frame.shape[0];
        byte[] histogram = frame.data<byte>().ToArray();
        return new DetectionSample(sequence, time, histogram, channels, height, width, gt, dt);
    }

    private static long CountSteps(SampleBatch batch)
    {
        long n = 0;
        foreach (bool padded in batch.IsPadded)
        {
            n += padded ? 0 : 1;
        }
        return n;
    }
}
