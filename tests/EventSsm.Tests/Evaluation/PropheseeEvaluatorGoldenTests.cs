using EventSsm.Evaluation;
using EventSsm.IO.Numpy;
using EventSsm.Labels;

namespace EventSsm.Tests.Evaluation;

public sealed class PropheseeEvaluatorGoldenTests
{
    private const double Tolerance = 1e-6;

    public static TheoryData<string> CaseNames
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (GoldenEvalCase c in GoldenEvalCase.All)
            {
                data.Add(c.Name);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Metrics_MatchExpectedJson(string name)
    {
        GoldenEvalCase c = GoldenEvalCase.Get(name);
        DetectionMetrics m = c.Run().Compute();
        Assert.Equal(c.Images, m.Images);
        Assert.Equal(c.GroundTruth, m.GroundTruthBoxes);
        Assert.Equal(c.DetectionsInWindows, m.Detections);
        double[] stats = m.Stats;
        for (int i = 0; i < c.Metrics.Length; i++)
        {
            Assert.True(Math.Abs(stats[i] - c.Metrics[i]) <= Tolerance, $"{GoldenEvalCase.MetricKeys[i]}: {stats[i]:R} vs {c.Metrics[i]:R}");
        }
        if (c.Stats12 is not null)
        {
            for (int i = 0; i < 12; i++)
            {
                Assert.True(Math.Abs(stats[i] - c.Stats12[i]) <= Tolerance, $"stats[{i}]: {stats[i]:R} vs {c.Stats12[i]:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Images_MatchDebugGtAndDetections(string name)
    {
        GoldenEvalCase c = GoldenEvalCase.Get(name);
        CocoImageSet images = c.Run().Images;
        using NpzFile npz = NpzFile.Open(Fixtures.Eval.File("debug", name + ".npz"));
        Assert.Equal(npz.Read("image_entry_and_ts").Shape[0], images.ImageCount);
        AssertRows(BoundingBoxFile.FromNpy(npz.Read("gt")), npz.Read("gt_image_id").ToArray<long>(), images, detections: false);
        AssertRows(BoundingBoxFile.FromNpy(npz.Read("dt")), npz.Read("dt_image_id").ToArray<long>(), images, detections: true);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void EvalArrays_MatchDebugPrecisionRecallScores(string name)
    {
        GoldenEvalCase c = GoldenEvalCase.Get(name);
        c.Run().Compute(out CocoEvalResult? raw);
        using NpzFile npz = NpzFile.Open(Fixtures.Eval.File("debug", name + ".npz"));
        if (!npz.Contains("precision"))
        {
            Assert.Null(raw); // no detections: the original never runs COCOeval
            return;
        }
        Assert.NotNull(raw);
        AssertArray(npz.Read("precision"), raw.Precision, raw.PrecisionShape, "precision");
        AssertArray(npz.Read("recall"), raw.Recall, raw.RecallShape, "recall");
        AssertArray(npz.Read("scores"), raw.Scores, raw.PrecisionShape, "scores");
        double[] stats = npz.Read("stats").ToArray<double>();
        Assert.Equal(stats, raw.Stats());
    }

    private static void AssertArray(NpyArray expected, double[] actual, long[] shape, string what)
    {
        Assert.Equal(shape, expected.Shape);
        double[] e = expected.ToArray<double>();
        int mismatches = 0;
        int first = -1;
        for (int i = 0; i < e.Length; i++)
        {
            if (e[i] != actual[i])
            {
                mismatches++;
                first = first < 0 ? i : first;
            }
        }
        Assert.True(mismatches == 0, $"{what}: {mismatches} of {e.Length} differ, first at flat index {first}: {(first >= 0 ? $"{actual[first]:R} vs {e[first]:R}" : "")}");
    }

    private static void AssertRows(BoundingBox[] expected, long[] imageIds, CocoImageSet images, bool detections)
    {
        ReadOnlySpan<CocoBox> rows = detections
            ? images.Detections.AsSpan(0, images.DetectionCount)
            : images.GroundTruth.AsSpan(0, images.GroundTruthCount);
        Assert.Equal(expected.Length, rows.Length);
        int image = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            while ((detections ? images.DetectionStart(image + 1) : images.GroundTruthStart(image + 1)) <= i)
            {
                image++;
            }
            BoundingBox e = expected[i];
            CocoBox a = rows[i];
            Assert.Equal(imageIds[i], image + 1);
            Assert.Equal((e.X, e.Y, e.W, e.H, (int)e.ClassId), (a.X, a.Y, a.W, a.H, a.Category));
            if (detections)
            {
                Assert.Equal(e.ClassConfidence, a.Score);
            }
        }
    }
}
