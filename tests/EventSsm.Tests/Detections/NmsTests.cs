using EventSsm.Detections;
using EventSsm.IO.Numpy;
using FsCheck.Xunit;

namespace EventSsm.Tests.Detections;

/// <summary>The torchvision-exact NMS every backend's postprocess uses (docs/MODEL.md §6.3).</summary>
public sealed class NmsTests
{
    [Property]
    public bool BatchedNms_KeepsNoOverlappingSameClassPair_SortedByScore_AndExplainsEverySuppression(byte[] raw)
    {
        const double thr = 0.45;
        float[,] b = ToBoxes(raw, out float[] scores);
        int n = scores.Length;
        int[] classes = Enumerable.Range(0, n).Select(i => i % 2).ToArray();
        float[] flat = Flatten(b);
        int[] keep = Nms.Batched(flat, scores, classes, thr);

        bool sorted = keep.Zip(keep.Skip(1)).All(p => scores[p.First] >= scores[p.Second]);
        bool noOverlap = keep.All(i => keep.All(j => i == j || classes[i] != classes[j] || Iou(b, i, j) <= thr + 1e-5));
        // Every dropped box overlaps a kept box of its class with at least its score.
        bool explained = Enumerable.Range(0, n).Except(keep).All(j =>
            keep.Any(i => classes[i] == classes[j] && scores[i] >= scores[j] && Iou(b, i, j) > thr - 1e-5));
        return sorted && noOverlap && explained && keep.Distinct().Count() == keep.Length;
    }

    [Property]
    public bool BatchedNms_PerClassPath_AgreesWithCoordinateTrickPath(byte[] raw)
    {
        // Above 1000 boxes torchvision switches to per-class NMS; on integer boxes both paths give the same set.
        float[,] b = ToBoxes(raw, out float[] scores);
        int n = scores.Length;
        int[] classes = Enumerable.Range(0, n).Select(i => i % 3).ToArray();
        int[] small = Nms.Batched(Flatten(b), scores, classes, 0.45);
        // Pad with far-away, negative-score boxes, each in a class of its own, to cross the 1000-box dispatch limit.
        int pad = 1001;
        var bigBoxes = Flatten(b).Concat(Enumerable.Range(0, pad).SelectMany(i => new float[] { 1000 + 3 * i, 1000, 1001 + 3 * i, 1001 })).ToArray();
        float[] bigScores = [.. scores, .. Enumerable.Repeat(-1f, pad)];
        int[] bigClasses = [.. classes, .. Enumerable.Range(3, pad)];
        int[] big = Nms.Batched(bigBoxes, bigScores, bigClasses, 0.45).Where(i => i < n).ToArray();
        return small.SequenceEqual(big);
    }

    [Fact]
    public void BatchedNms_OnGoldenDetections_KeepsThemAll()
    {
        // The reference detections survived NMS, so they are a fixed point of it.
        NpyArray golden = NpyFile.Read(Fixtures.DetectorMicro.File("chunk1_detections.npy"));
        float[] g = golden.ToArray<float>();
        int rows = (int)golden.Shape[0];
        foreach (int frame in Enumerable.Range(0, rows).Select(r => (int)g[r * 8]).Distinct())
        {
            int[] members = Enumerable.Range(0, rows).Where(r => (int)g[r * 8] == frame).ToArray();
            float[] boxes = members.SelectMany(r => g.AsSpan(r * 8 + 1, 4).ToArray()).ToArray();
            float[] scores = members.Select(r => g[r * 8 + 5] * g[r * 8 + 6]).ToArray();
            int[] classes = members.Select(r => (int)g[r * 8 + 7]).ToArray();
            Assert.Equal(Enumerable.Range(0, members.Length), Nms.Batched(boxes, scores, classes, EventSsm.Tests.Model.DetectorMicro.NmsThreshold));
        }
    }

    [Fact]
    public void Nms_SuppressesOnlyAboveThreshold()
    {
        // IoU exactly 1/3: kept at threshold 1/3 (strict >), suppressed just below it.
        float[] boxes = [0, 0, 2, 2, 1, 0, 3, 2];
        float[] scores = [0.9f, 0.8f];
        Assert.Equal([0, 1], Nms.Greedy(boxes, scores, 2f / 6f));
        Assert.Equal([0], Nms.Greedy(boxes, scores, 0.3));
    }

    [Fact]
    public void Nms_MismatchedLengths_Throws()
    {
        Assert.Throws<ArgumentException>(() => Nms.Greedy(new float[7], new float[2], 0.5));
    }

    private static float Iou(float[,] b, int i, int j)
    {
        float w = Math.Max(0, Math.Min(b[i, 2], b[j, 2]) - Math.Max(b[i, 0], b[j, 0]));
        float h = Math.Max(0, Math.Min(b[i, 3], b[j, 3]) - Math.Max(b[i, 1], b[j, 1]));
        float inter = w * h;
        float areaI = (b[i, 2] - b[i, 0]) * (b[i, 3] - b[i, 1]);
        float areaJ = (b[j, 2] - b[j, 0]) * (b[j, 3] - b[j, 1]);
        return inter / (areaI + areaJ - inter);
    }

    private static float[] Flatten(float[,] b) => b.Cast<float>().ToArray();

    /// <summary>Groups of 5 bytes → an xyxy box with positive size in a 64-pixel field and a score.</summary>
    internal static float[,] ToBoxes(byte[]? raw, out float[] scores)
    {
        raw ??= [];
        int n = raw.Length / 5;
        var boxes = new float[n, 4];
        scores = new float[n];
        for (int i = 0; i < n; i++)
        {
            float x = raw[5 * i] % 64, y = raw[5 * i + 1] % 64;
            boxes[i, 0] = x;
            boxes[i, 1] = y;
            boxes[i, 2] = x + 1 + raw[5 * i + 2] % 32;
            boxes[i, 3] = y + 1 + raw[5 * i + 3] % 32;
            scores[i] = raw[5 * i + 4] / 255f;
        }
        return boxes;
    }
}
