using EventSsm.Labels;

namespace EventSsm.Evaluation;

/// <summary>
/// RVT's <c>PropheseeEvaluator</c> + <c>evaluate_list</c> (docs/DATA.md §4.4–4.5): accumulates (ground truth,
/// detections) entries, filters both with <see cref="BoxFilter"/>, turns every distinct ground-truth timestamp of
/// an entry into one COCO image holding the detections within ±50 ms, and computes COCO metrics at the end. Only
/// the surviving boxes are stored, so memory grows with boxes, not with pixels or frames.
/// </summary>
public sealed class PropheseeEvaluator
{
    /// <summary><c>coco_eval.py::evaluate_detection(time_tol=50000)</c>.</summary>
    public const long TimeToleranceUs = 50_000;

    private readonly CocoImageSet _images;

    public PropheseeEvaluator(DatasetKind dataset, bool downsampledBy2)
        : this(dataset, BoxFilter.For(dataset, downsampledBy2))
    {
    }

    public PropheseeEvaluator(DatasetKind dataset, BoxFilter filter)
    {
        Dataset = dataset;
        Filter = filter;
        ClassNames = DatasetInfo.ClassNames(dataset);
        _images = new CocoImageSet(ClassNames.Count);
    }

    public DatasetKind Dataset { get; }

    public BoxFilter Filter { get; }

    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The COCO images built so far (for diagnostics and tests).</summary>
    internal CocoImageSet Images => _images;

    /// <summary>COCO images so far (entries' distinct timestamps with surviving ground truth).</summary>
    public int ImageCount => _images.ImageCount;

    /// <summary>Ground-truth boxes of class <paramref name="classId"/> that survived the filter so far (a PR curve's positives).</summary>
    public int GroundTruthCount(int classId)
    {
        int n = 0;
        foreach (CocoBox b in _images.GroundTruth.AsSpan(0, _images.GroundTruthCount))
        {
            n += b.Category == classId ? 1 : 0;
        }
        return n;
    }

    /// <summary>
    /// One label frame, as RVT's validation adds it: the frame's ground truth and the detections predicted for it
    /// (their <c>t</c> is the label time). A frame whose ground truth is all filtered out adds no image and its
    /// detections are discarded.
    /// </summary>
    public void AddFrame(ReadOnlySpan<BoundingBox> groundTruth, ReadOnlySpan<BoundingBox> detections) =>
        AddEntry(groundTruth, detections);

    /// <summary>
    /// One whole sequence, as the Prophesee toolbox evaluates a file pair: every distinct ground-truth time becomes
    /// an image and takes all detections within ±50 ms, so a detection may join several images. Both arrays must be
    /// sorted by t (the original asserts this).
    /// </summary>
    public void AddSequence(ReadOnlySpan<BoundingBox> groundTruth, ReadOnlySpan<BoundingBox> detections) =>
        AddEntry(groundTruth, detections);

    /// <summary>
    /// One sequence split into label frames as RVT's validation sees it: for every distinct ground-truth time (before
    /// filtering, ascending) one <see cref="AddFrame"/> with the ground truth and the detections whose t equals it,
    /// both in stored order. Detections at times without ground truth are never evaluated. No sorting is required.
    /// </summary>
    public void AddSequenceByFrame(ReadOnlySpan<BoundingBox> groundTruth, ReadOnlySpan<BoundingBox> detections)
    {
        BoundingBox[] gt = StableSortByTime(groundTruth);
        BoundingBox[] dt = StableSortByTime(detections);
        int d = 0;
        int i = 0;
        while (i < gt.Length)
        {
            long ts = gt[i].T;
            int j = i;
            while (j < gt.Length && gt[j].T == ts)
            {
                j++;
            }
            while (d < dt.Length && dt[d].T < ts)
            {
                d++;
            }
            int e = d;
            while (e < dt.Length && dt[e].T == ts)
            {
                e++;
            }
            AddFrame(gt.AsSpan(i, j - i), dt.AsSpan(d, e - d));
            i = j;
            d = e;
        }
    }

    /// <summary>Forgets all entries (start of a new validation epoch).</summary>
    public void Reset() => _images.Clear();

    /// <summary>The metrics over all entries added so far.</summary>
    public DetectionMetrics Compute() => Compute(out _);

    /// <summary>The metrics plus COCOeval's raw arrays (null when there were no detections at all).</summary>
    public DetectionMetrics Compute(out CocoEvalResult? raw)
    {
        raw = null;
        var perClass = new Dictionary<string, double>(StringComparer.Ordinal);
        DetectionMetrics metrics;
        if (_images.DetectionCount == 0)
        {
            // coco_eval.py::_coco_eval returns zeros without running COCOeval when no detection is left.
            foreach (string name in ClassNames)
            {
                perClass[name] = 0.0;
            }
            metrics = DetectionMetrics.FromStats(new double[12], perClass);
        }
        else
        {
            raw = CocoEvaluator.Evaluate(_images);
            for (int k = 0; k < ClassNames.Count; k++)
            {
                perClass[ClassNames[k]] = raw.CategoryAp(k);
            }
            metrics = DetectionMetrics.FromStats(raw.Stats(), perClass);
        }
        return metrics with
        {
            Images = _images.ImageCount,
            GroundTruthBoxes = _images.GroundTruthCount,
            Detections = _images.DetectionCount,
        };
    }

    /// <summary>One list entry of <c>evaluate_list</c>: filter, then <c>_match_times</c>.</summary>
    private void AddEntry(ReadOnlySpan<BoundingBox> groundTruth, ReadOnlySpan<BoundingBox> detections)
    {
        CheckClasses(groundTruth, "ground truth");
        CheckClasses(detections, "detection");
        BoundingBox[] gt = Filter.Apply(groundTruth);
        BoundingBox[] dt = Filter.Apply(detections);
        CheckSorted(gt, "ground truth");
        CheckSorted(dt, "detections");
        int lowGt = 0, highGt = 0, lowDt = 0, highDt = 0;
        int i = 0;
        while (i < gt.Length)
        {
            long ts = gt[i].T;
            while (lowGt < gt.Length && gt[lowGt].T < ts)
            {
                lowGt++;
            }
            highGt = Math.Max(lowGt, highGt);
            while (highGt < gt.Length && gt[highGt].T <= ts)
            {
                highGt++;
            }
            long low = ts - TimeToleranceUs;
            long high = ts + TimeToleranceUs;
            while (lowDt < dt.Length && dt[lowDt].T < low)
            {
                lowDt++;
            }
            highDt = Math.Max(lowDt, highDt);
            while (highDt < dt.Length && dt[highDt].T <= high)
            {
                highDt++;
            }
            _images.AddImage(gt.AsSpan(lowGt, highGt - lowGt), dt.AsSpan(lowDt, highDt - lowDt));
            i = highGt;
        }
    }

    private void CheckClasses(ReadOnlySpan<BoundingBox> boxes, string what)
    {
        for (int i = 0; i < boxes.Length; i++)
        {
            if (boxes[i].ClassId >= (uint)ClassNames.Count)
            {
                throw new ArgumentException(
                    $"{what} row {i}: class id {boxes[i].ClassId} is not a {Dataset.ToString().ToLowerInvariant()} class " +
                    $"(0..{ClassNames.Count - 1}: {string.Join(", ", ClassNames)})");
            }
        }
    }

    private static BoundingBox[] StableSortByTime(ReadOnlySpan<BoundingBox> boxes)
    {
        var keys = new (long T, int Index)[boxes.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = (boxes[i].T, i);
        }
        Array.Sort(keys);
        var sorted = new BoundingBox[boxes.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            sorted[i] = boxes[keys[i].Index];
        }
        return sorted;
    }

    private static void CheckSorted(ReadOnlySpan<BoundingBox> boxes, string what)
    {
        for (int i = 1; i < boxes.Length; i++)
        {
            if (boxes[i].T < boxes[i - 1].T)
            {
                throw new ArgumentException($"{what} must be sorted by t (found t={boxes[i].T} after t={boxes[i - 1].T})");
            }
        }
    }
}
