using EventSsm.Labels;

namespace EventSsm.Evaluation;

/// <summary>
/// The COCO "dataset" an evaluation builds: images numbered 1..M in insertion order, each with ground-truth and
/// detection boxes. Category index = class id (COCO category id = class id + 1, docs/DATA.md §4.5). Storage is
/// flat struct arrays (no per-box objects), so memory grows with the number of boxes only.
/// </summary>
public sealed class CocoImageSet
{
    private readonly BoxBuffer _gt = new();
    private readonly BoxBuffer _dt = new();
    private readonly List<int> _gtStart = [0];
    private readonly List<int> _dtStart = [0];

    /// <summary>An empty set for <paramref name="categoryCount"/> categories (class ids 0 … count − 1).</summary>
    public CocoImageSet(int categoryCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(categoryCount, 1);
        CategoryCount = categoryCount;
    }

    /// <summary>Number of categories.</summary>
    public int CategoryCount { get; }

    /// <summary>Images added so far.</summary>
    public int ImageCount => _gtStart.Count - 1;

    /// <summary>Ground-truth boxes added so far.</summary>
    public int GroundTruthCount => _gt.Count;

    /// <summary>Detections added so far.</summary>
    public int DetectionCount => _dt.Count;

    /// <summary>All ground-truth boxes in image order; the array may be longer than <see cref="GroundTruthCount"/>.</summary>
    internal CocoBox[] GroundTruth => _gt.Items;

    internal CocoBox[] Detections => _dt.Items;

    /// <summary>Start of image i's ground truth in <see cref="GroundTruth"/>; index <see cref="ImageCount"/> is the end.</summary>
    internal int GroundTruthStart(int image) => _gtStart[image];

    internal int DetectionStart(int image) => _dtStart[image];

    /// <summary>Adds one image. Ground-truth scores are unused; detections rank by <see cref="BoundingBox.ClassConfidence"/>.</summary>
    public void AddImage(ReadOnlySpan<BoundingBox> groundTruth, ReadOnlySpan<BoundingBox> detections)
    {
        foreach (BoundingBox b in groundTruth)
        {
            _gt.Add(ToCoco(b));
        }
        foreach (BoundingBox b in detections)
        {
            _dt.Add(ToCoco(b));
        }
        _gtStart.Add(_gt.Count);
        _dtStart.Add(_dt.Count);
    }

    /// <summary>Removes every image, keeping the buffers.</summary>
    public void Clear()
    {
        _gt.Clear();
        _dt.Clear();
        _gtStart.RemoveRange(1, _gtStart.Count - 1);
        _dtStart.RemoveRange(1, _dtStart.Count - 1);
    }

    /// <summary>A growable array that hands out its backing store (no copy for the evaluator's parallel loops).</summary>
    private sealed class BoxBuffer
    {
        public CocoBox[] Items { get; private set; } = new CocoBox[256];

        public int Count { get; private set; }

        public void Add(CocoBox box)
        {
            if (Count == Items.Length)
            {
                CocoBox[] bigger = new CocoBox[Items.Length * 2];
                Array.Copy(Items, bigger, Count);
                Items = bigger;
            }
            Items[Count++] = box;
        }

        public void Clear() => Count = 0;
    }

    private CocoBox ToCoco(in BoundingBox b)
    {
        if (b.ClassId >= (uint)CategoryCount)
        {
            throw new ArgumentException($"class id {b.ClassId} is outside the {CategoryCount} evaluated classes (0..{CategoryCount - 1})");
        }
        return new CocoBox(b.X, b.Y, b.W, b.H, b.ClassConfidence, (int)b.ClassId);
    }
}

/// <summary>One box as COCOeval sees it: [x, y, w, h] (float32 values), score, category index.</summary>
internal readonly record struct CocoBox(float X, float Y, float W, float H, float Score, int Category);
