using BenchmarkDotNet.Attributes;
using EventSsm.Datasets;
using EventSsm.Evaluation;
using EventSsm.Labels;

namespace EventSsm.Bench;

/// <summary>
/// Prophesee/COCO evaluation of 10 000 gen1 label frames × 20 ground-truth boxes × 100 detections (the validation
/// path: one <see cref="PropheseeEvaluator.AddFrame"/> per frame, then <see cref="PropheseeEvaluator.Compute()"/>).
/// </summary>
[MemoryDiagnoser]
public class EvaluationBenchmarks
{
    private const int Frames = 10_000;
    private const int GtPerFrame = 20;
    private const int DtPerFrame = 100;

    private BoundingBox[][] _gt = [];
    private BoundingBox[][] _dt = [];

    [GlobalSetup]
    public void Setup()
    {
        var rnd = new Random(1234);
        _gt = new BoundingBox[Frames][];
        _dt = new BoundingBox[Frames][];
        for (int f = 0; f < Frames; f++)
        {
            long t = 600_000 + (f * 50_000L);
            var gt = new BoundingBox[GtPerFrame];
            for (int i = 0; i < GtPerFrame; i++)
            {
                float w = 12 + (120 * rnd.NextSingle());
                float h = 12 + (100 * rnd.NextSingle());
                gt[i] = new BoundingBox(t, 300 * rnd.NextSingle(), 230 * rnd.NextSingle(), w, h, (uint)rnd.Next(2));
            }
            var dt = new BoundingBox[DtPerFrame];
            for (int i = 0; i < DtPerFrame; i++)
            {
                BoundingBox g = gt[rnd.Next(GtPerFrame)];
                // Half are jittered copies of a ground-truth box (some with the wrong class), half are random.
                dt[i] = i % 2 == 0
                    ? g with
                    {
                        X = g.X + (g.W * 0.3f * (rnd.NextSingle() - 0.5f)),
                        Y = g.Y + (g.H * 0.3f * (rnd.NextSingle() - 0.5f)),
                        ClassId = rnd.NextDouble() < 0.9 ? g.ClassId : 1 - g.ClassId,
                        ClassConfidence = rnd.NextSingle(),
                    }
                    : new BoundingBox(t, 300 * rnd.NextSingle(), 230 * rnd.NextSingle(), 12 + (100 * rnd.NextSingle()),
                        12 + (80 * rnd.NextSingle()), (uint)rnd.Next(2), rnd.NextSingle());
            }
            _gt[f] = gt;
            _dt[f] = dt;
        }
    }

    [Benchmark]
    public double AddFramesAndCompute()
    {
        // Gen1's classes and evaluation filter (configs/dataset/gen1.yaml).
        var evaluator = new PropheseeEvaluator(["car", "pedestrian"], new BoxFilter(MinDiag: 30, MinSide: 10));
        for (int f = 0; f < Frames; f++)
        {
            evaluator.AddFrame(_gt[f], _dt[f]);
        }
        return evaluator.Compute().AP;
    }
}
