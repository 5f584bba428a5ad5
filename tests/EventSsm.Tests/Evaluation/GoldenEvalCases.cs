using System.Text.Json;
using EventSsm.Datasets;
using EventSsm.Evaluation;
using EventSsm.Labels;

namespace EventSsm.Tests.Evaluation;

/// <summary>The cases of tests/fixtures/golden/eval/expected.json (docs/GOLDEN.md §3).</summary>
internal sealed record GoldenEvalCase(
    string Name,
    EvaluationMode Mode,
    string Dataset,
    bool DownsampledBy2,
    string[] GtFiles,
    string[] DtFiles,
    double[] Metrics,
    double[]? Stats12,
    int Images,
    int GroundTruth,
    int DetectionsInWindows)
{
    public static readonly string[] MetricKeys = ["AP", "AP_50", "AP_75", "AP_S", "AP_M", "AP_L"];

    public static IReadOnlyList<GoldenEvalCase> All { get; } = Load();

    public static GoldenEvalCase Get(string name) => All.Single(c => c.Name == name);

    public PropheseeEvaluator Run()
    {
        var evaluator = TestDatasets.Evaluator(TestDatasets.Named(Dataset), DownsampledBy2);
        for (int i = 0; i < GtFiles.Length; i++)
        {
            BoundingBox[] gt = BoundingBoxFile.Read(GtFiles[i]);
            BoundingBox[] dt = BoundingBoxFile.Read(DtFiles[i]);
            if (Mode == EvaluationMode.PerFrame)
            {
                evaluator.AddSequenceByFrame(gt, dt);
            }
            else
            {
                evaluator.AddSequence(gt, dt);
            }
        }
        return evaluator;
    }

    private static List<GoldenEvalCase> Load()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Eval.Expected));
        var cases = new List<GoldenEvalCase>();
        foreach (JsonProperty c in doc.RootElement.EnumerateObject())
        {
            JsonElement call = c.Value.GetProperty("call");
            JsonElement details = c.Value.GetProperty("details");
            JsonElement stats = details.GetProperty("stats12");
            cases.Add(new GoldenEvalCase(
                c.Name,
                call.GetProperty("mode").GetString() == "per_frame" ? EvaluationMode.PerFrame : EvaluationMode.PerSequence,
                call.GetProperty("camera").GetString()!,
                call.GetProperty("downsampled_by_2").GetBoolean(),
                call.GetProperty("gt_files").EnumerateArray().Select(f => Fixtures.Eval.File(f.GetString()!)).ToArray(),
                call.GetProperty("dt_files").EnumerateArray().Select(f => Fixtures.Eval.File(f.GetString()!)).ToArray(),
                MetricKeys.Select(k => c.Value.GetProperty("metrics").GetProperty(k).GetDouble()).ToArray(),
                stats.ValueKind == JsonValueKind.Null ? null : stats.EnumerateArray().Select(v => v.GetDouble()).ToArray(),
                details.GetProperty("n_images").GetInt32(),
                details.GetProperty("n_gt_after_filter").GetInt32(),
                details.GetProperty("n_dt_in_windows").GetInt32()));
        }
        return cases;
    }
}
