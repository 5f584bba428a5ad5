using System.Text.Json;
using EventSsm.Datasets;
using EventSsm.Evaluation;
using EventSsm.Labels;
using EventSsm.Tests.Rendering.Viewer;
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
        // ffmpeg is installed by .ci/run: the rendering is an MP4 (a GIF only without ffmpeg).
        Assert.NotNull(r.Rendering);
        Assert.EndsWith(".mp4", r.Rendering);
        Assert.Equal("ftyp"u8.ToArray(), File.ReadAllBytes(r.Rendering)[4..8]);

        // The headline numbers are exactly what `eventssm evaluate GT_DIR PRED_DIR` computes from the written files.
        DetectionMetrics again = PropheseeFileEvaluation.Evaluate(
            PropheseeFileEvaluation.FindPairs(r.GroundTruthDirectory, r.PredictionDirectory), DatasetKind.Gen1, false,
            EvaluationMode.PerFrame);
        Assert.Equal(again.Stats, r.Prediction.Stats);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(r.ResultsJson));
        Assert.Equal(again.AP, json.RootElement.GetProperty("AP").GetDouble());
        Assert.Equal(again.AP50, json.RootElement.GetProperty("AP_50").GetDouble());
        Assert.Equal(r.Validation.AP50, json.RootElement.GetProperty("validation").GetProperty("AP_50").GetDouble());
        Assert.Equal(3, json.RootElement.GetProperty("train_steps").GetInt64());

        // The viewer page of the first test recording shows that recording's pair, scored per frame as the headline.
        Assert.Equal(Path.Combine(dir.Path, "view.html"), r.Viewer);
        BoxFilePair first = PropheseeFileEvaluation.FindPairs(r.GroundTruthDirectory, r.PredictionDirectory)[0];
        DetectionMetrics page = PropheseeFileEvaluation.Evaluate([first], DatasetKind.Gen1, false, EvaluationMode.PerFrame);
        using JsonDocument data = ViewerPageData.Read(r.Viewer);
        Assert.Equal(page.AP, data.RootElement.GetProperty("metrics").GetProperty("AP").GetDouble());
    }
}
