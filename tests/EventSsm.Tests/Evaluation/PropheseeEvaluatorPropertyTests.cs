using FsCheck.Xunit;
using EventSsm.Datasets;
using EventSsm.Evaluation;
using EventSsm.Labels;

namespace EventSsm.Tests.Evaluation;

/// <summary>
/// Properties of the COCO evaluation on random gen1 scenes. Ground-truth boxes pass the 30/10 filter and frames lie
/// after 0.5 s; frames are 100 ms apart so the ±50 ms window of one frame never reaches its neighbours.
/// </summary>
public sealed class PropheseeEvaluatorPropertyTests
{
    private const long FrameStepUs = 100_000;

    [Property(MaxTest = 40)]
    public bool PerfectDetections_GiveApOne(int seed)
    {
        var rnd = new Random(seed);
        List<Sequence> scene = Scene(rnd, spacing: 300f);
        foreach (Sequence s in scene)
        {
            s.Dt.AddRange(s.Gt.Select(g => g with { ClassConfidence = 0.05f + (0.9f * rnd.NextSingle()) }));
        }
        foreach (DetectionMetrics m in EvaluateBothModes(scene))
        {
            if (Math.Abs(m.AP - 1) > 1e-12 || Math.Abs(m.AR100 - 1) > 1e-12)
            {
                return false;
            }
            if (new[] { m.AP50, m.AP75, m.APSmall, m.APMedium, m.APLarge }.Any(v => v != -1 && Math.Abs(v - 1) > 1e-12))
            {
                return false;
            }
        }
        return true;
    }

    [Property(MaxTest = 40)]
    public bool DetectionsShiftedBelowIouHalf_GiveApZero(int seed)
    {
        var rnd = new Random(seed);
        List<Sequence> scene = Scene(rnd, spacing: 1000f);
        foreach (Sequence s in scene)
        {
            foreach (BoundingBox g in s.Gt)
            {
                // A horizontal shift by more than w/3 leaves IoU < 0.5 whatever the vertical shift; boxes are 1000 px
                // apart, so no other ground truth is reached either.
                float dx = g.W * (0.34f + rnd.NextSingle()) * (rnd.Next(2) == 0 ? -1 : 1);
                float dy = g.H * 0.5f * (rnd.NextSingle() - 0.5f);
                s.Dt.Add(g with { X = g.X + dx, Y = g.Y + dy, ClassConfidence = rnd.NextSingle() });
            }
        }
        foreach (DetectionMetrics m in EvaluateBothModes(scene))
        {
            if (m.AP != 0 || new[] { m.AP50, m.AP75, m.APSmall, m.APMedium, m.APLarge }.Any(v => v is not (0 or -1)))
            {
                return false;
            }
        }
        return true;
    }

    [Property(MaxTest = 40)]
    public bool PermutingSequencesAndBoxesWithinFrames_KeepsMetrics_WhenScoresAreDistinct(int seed)
    {
        // Documented tie cases (equal scores across or within images, equal IoUs to two GT) depend on order, as in
        // pycocotools; distinct scores and continuous coordinates avoid them.
        var rnd = new Random(seed);
        List<Sequence> scene = Scene(rnd, spacing: 45f);
        var scores = new List<float>();
        foreach (Sequence s in scene)
        {
            foreach (BoundingBox g in s.Gt)
            {
                if (rnd.NextDouble() < 0.85)
                {
                    s.Dt.Add(Jitter(g, rnd, 0.15f));
                }
                if (rnd.NextDouble() < 0.3)
                {
                    s.Dt.Add(Jitter(g, rnd, 0.4f) with { ClassId = (uint)rnd.Next(2) });
                }
            }
            s.Dt.Sort((a, b) => a.T.CompareTo(b.T));
        }
        int n = scene.Sum(s => s.Dt.Count);
        int[] ranks = Enumerable.Range(0, n).OrderBy(_ => rnd.Next()).ToArray();
        int r = 0;
        foreach (Sequence s in scene)
        {
            for (int i = 0; i < s.Dt.Count; i++)
            {
                s.Dt[i] = s.Dt[i] with { ClassConfidence = (ranks[r++] + 1f) / (n + 1f) };
            }
        }
        List<Sequence> permuted = scene.OrderBy(_ => rnd.Next())
            .Select(s => new Sequence(ShuffleWithinFrames(s.Gt, rnd), ShuffleWithinFrames(s.Dt, rnd)))
            .ToList();
        DetectionMetrics[] before = EvaluateBothModes(scene);
        DetectionMetrics[] after = EvaluateBothModes(permuted);
        return before.Zip(after).All(p => p.First.Stats.SequenceEqual(p.Second.Stats)
            && p.First.PerClassAP.SequenceEqual(p.Second.PerClassAP));
    }

    [Fact]
    public void EqualScoresAcrossImages_FollowImageOrder()
    {
        // pycocotools sorts with a stable mergesort: of two detections with equal score, the one in the earlier
        // image ranks first. A true positive ranked before a false positive gives a different AP than after it.
        BoundingBox gt1 = new(600_000, 0, 0, 40, 40, 0);
        BoundingBox gt2 = new(700_000, 0, 0, 40, 40, 0);
        BoundingBox[] hit = [gt1 with { ClassConfidence = 0.5f }];
        BoundingBox[] miss = [gt2 with { X = 500, ClassConfidence = 0.5f }];
        var hitFirst = TestDatasets.Evaluator(TestDatasets.Gen1, false);
        hitFirst.AddFrame([gt1], hit);
        hitFirst.AddFrame([gt2], miss);
        var missFirst = TestDatasets.Evaluator(TestDatasets.Gen1, false);
        missFirst.AddFrame([gt2], miss);
        missFirst.AddFrame([gt1], hit);
        Assert.True(hitFirst.Compute().AP > missFirst.Compute().AP);
    }

    [Fact]
    public void FrameWithAllGroundTruthFiltered_DropsItsDetections()
    {
        var evaluator = TestDatasets.Evaluator(TestDatasets.Gen1, false);
        BoundingBox tiny = new(600_000, 0, 0, 8, 8, 0);
        evaluator.AddFrame([tiny], [new BoundingBox(600_000, 100, 100, 40, 40, 0, 0.9f)]);
        BoundingBox gt = new(700_000, 0, 0, 40, 40, 0);
        evaluator.AddFrame([gt], [gt with { ClassConfidence = 0.5f }]);
        DetectionMetrics m = evaluator.Compute();
        Assert.Equal(1, m.Images);
        Assert.Equal(1, m.Detections);
        Assert.Equal(1.0, m.AP, 12);
    }

    [Fact]
    public void CocoEvaluator_EmptyImageSet_LeavesEverythingUndefined()
    {
        CocoEvalResult r = CocoEvaluator.Evaluate(new CocoImageSet(2));
        Assert.All(r.Stats(), v => Assert.Equal(-1.0, v));
    }

    [Fact]
    public void AddFrame_ClassOutsideDataset_Throws()
    {
        var evaluator = TestDatasets.Evaluator(TestDatasets.Gen1, false);
        BoundingBox gt = new(700_000, 0, 0, 40, 40, 0);
        ArgumentException e = Assert.Throws<ArgumentException>(() => evaluator.AddFrame([gt], [gt with { ClassId = 2 }]));
        Assert.Contains("class id 2", e.Message);
    }

    private sealed record Sequence(List<BoundingBox> Gt, List<BoundingBox> Dt);

    private static List<Sequence> Scene(Random rnd, float spacing)
    {
        var scene = new List<Sequence>();
        int sequences = 1 + rnd.Next(3);
        for (int s = 0; s < sequences; s++)
        {
            var gt = new List<BoundingBox>();
            int frames = 1 + rnd.Next(6);
            for (int f = 0; f < frames; f++)
            {
                long t = 600_000 + (f * FrameStepUs);
                int boxes = 1 + rnd.Next(8);
                for (int j = 0; j < boxes; j++)
                {
                    // Sides in [22, 160]: the diagonal passes 30 and areas span small, medium and large.
                    float w = 22 + (138 * rnd.NextSingle());
                    float h = 22 + (138 * rnd.NextSingle());
                    gt.Add(new BoundingBox(t, (j * spacing) + (20 * rnd.NextSingle()), 200 * rnd.NextSingle(), w, h, (uint)rnd.Next(2)));
                }
            }
            scene.Add(new Sequence(gt, []));
        }
        return scene;
    }

    private static BoundingBox Jitter(BoundingBox g, Random rnd, float amount) => g with
    {
        X = g.X + (g.W * amount * (rnd.NextSingle() - 0.5f)),
        Y = g.Y + (g.H * amount * (rnd.NextSingle() - 0.5f)),
        W = g.W * (1 + (amount * (rnd.NextSingle() - 0.5f))),
        H = g.H * (1 + (amount * (rnd.NextSingle() - 0.5f))),
    };

    /// <summary>Shuffles rows among those with the same t; the array stays sorted by t.</summary>
    private static List<BoundingBox> ShuffleWithinFrames(List<BoundingBox> rows, Random rnd) =>
        rows.Select(b => (b, key: rnd.Next())).OrderBy(p => p.b.T).ThenBy(p => p.key).Select(p => p.b).ToList();

    /// <summary>The per-sequence (toolbox) and per-frame (validation) evaluations of a scene.</summary>
    private static DetectionMetrics[] EvaluateBothModes(List<Sequence> scene)
    {
        var perSequence = TestDatasets.Evaluator(TestDatasets.Gen1, false);
        var perFrame = TestDatasets.Evaluator(TestDatasets.Gen1, false);
        foreach (Sequence s in scene)
        {
            perSequence.AddSequence(s.Gt.ToArray(), s.Dt.ToArray());
            perFrame.AddSequenceByFrame(s.Gt.ToArray(), s.Dt.ToArray());
        }
        return [perSequence.Compute(), perFrame.Compute()];
    }
}
