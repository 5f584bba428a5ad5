using System.Text.Json;
using EventSsm.Datasets;
using EventSsm.Evaluation;
using EventSsm.Labels;
using EventSsm.Tests.Rendering;
using EventSsm.Training;
using EventSsm.Workflows.Demo;

namespace EventSsm.Tests.Workflows.Demo;

/// <summary>The demo's whole chain on a tiny dataset: every artefact appears and the reported AP is `evaluate`'s.</summary>
public sealed class DemoPipelineTests
{
    [Fact]
    public void TinyDemo_WritesEveryArtefact_AndReportsTheApThatEvaluateComputes()
    {
        using TempDir dir = Fixtures.TempDir();
        var lines = new List<string>();
        DemoResult r = DemoPipeline.Run(new DemoOptions
        {
            OutDirectory = dir.Path,
            Sequences = 5,
            SecondsPerSequence = 2,
            Steps = 3,
            ConfigDirectory = TestConfigs.Directory,
        }, lines.Add);

        Assert.Contains(lines, l => l.StartsWith("6/6", StringComparison.Ordinal));
        Assert.True(File.Exists(r.Checkpoint));
        Assert.NotNull(r.Rendering);
        Assert.True(GifTestDecoder.Parse(File.ReadAllBytes(r.Rendering)).Frames.Count > 10);

        // The headline numbers are exactly what `eventssm evaluate GT_DIR PRED_DIR` computes from the written files.
        DetectionMetrics again = PropheseeFileEvaluation.Evaluate(
            PropheseeFileEvaluation.FindPairs(r.GroundTruthDirectory, r.PredictionDirectory), TestDatasets.Gen1.ClassNames,
            TestDatasets.Gen1.EvaluationFilter(false),
            EvaluationMode.PerFrame);
        Assert.Equal(again.Stats, r.Prediction.Stats);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(r.ResultsJson));
        Assert.Equal(again.AP, json.RootElement.GetProperty("AP").GetDouble());
        Assert.Equal(again.AP50, json.RootElement.GetProperty("AP_50").GetDouble());
        Assert.Equal(r.Validation.AP50, json.RootElement.GetProperty("validation").GetProperty("AP_50").GetDouble());
        Assert.Equal(3, json.RootElement.GetProperty("train_steps").GetInt64());
    }
}
