using System.Text.Json;
using EventSsm.Checkpoints;
using EventSsm.Config;
using EventSsm.Datasets;
using EventSsm.Detections;
using EventSsm.Evaluation;
using EventSsm.IO;
using EventSsm.Labels;
using EventSsm.Model.Head;
using EventSsm.Model;
using EventSsm.Tests.Cli;
using EventSsm.Training;
using static TorchSharp.torch;

namespace EventSsm.Tests.Training;

/// <summary>
/// Streaming validation (docs/DATA.md §3.5, §3.7, §4) of the golden micro checkpoint over the golden
/// preprocessed dataset, through the library and through `eventssm validate`.
/// </summary>
public sealed class ValidatorTests
{
    // Short chunks keep the runs fast; the micro model (golden detector_micro) at the data's own 240×304 size.
    private const int SequenceLength = 4;

    private static string DataRoot => Fixtures.Preprocessed.Out();

    private static string Checkpoint => Fixtures.DetectorMicro.Checkpoint;

    private static string[] Overrides(params string[] extra) =>
    [
        .. TestConfigs.MicroGen1, $"dataset.path={DataRoot}", $"checkpoint={Checkpoint}",
        "model.postprocess.confidence_threshold=0.001", $"dataset.sequence_length={SequenceLength}", .. extra,
    ];

    private static ConfigNode Config(params string[] extra)
    {
        ConfigNode cfg = TestConfigs.Compose("val", Overrides(extra));
        ConfigModifier.Apply(cfg);
        return cfg;
    }

    private static YoloXDetector LoadModel(ConfigNode cfg)
    {
        var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        DetectorCheckpoint.Load(model, Checkpoint);
        return model;
    }

    [Fact]
    public void Cli_Json_TestSet_HasTheEvaluateKeys()
    {
        // The README's spelling: use_test_set=1 selects the test split.
        string output = CliRunner.Run(["validate", .. Overrides("use_test_set=1"), "--json"]);
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement root = doc.RootElement;
        string[] keys = ["AP", "AP_50", "AP_75", "AP_S", "AP_M", "AP_L", "AR_1", "AR_10", "AR_100", "AR_S", "AR_M", "AR_L"];
        Assert.Equal([.. keys, "per_class_AP"], root.EnumerateObject().Select(p => p.Name));
        foreach (string k in keys)
        {
            double v = root.GetProperty(k).GetDouble();
            Assert.True(v == -1 || v is >= 0 and <= 1, $"{k} = {v}");
        }
        Assert.Equal(["car", "pedestrian"], root.GetProperty("per_class_AP").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Cli_BFloat16_EvaluatesTheSameFrames()
    {
        // docs/MODEL.md §11.3: bfloat16 changes the arithmetic, not which frames are evaluated.
        PreprocessedDataset data = PreprocessedDataset.Load(DataRoot, "val", TestDatasets.Gen1);
        string output = CliRunner.Run(["validate", .. Overrides(), "--precision", "bf16"]);
        Assert.Contains($"val split of {DataRoot}: {data.Sequences.Count} sequences, {EvaluableFrames(data)} label frames evaluated", output);
        Assert.Equal(6, output.Split('\n').Count(l => l.Contains("Average Precision", StringComparison.Ordinal)));
    }

    [Fact]
    public void Cli_Table_PrintsSplitFramesAndApRows()
    {
        PreprocessedDataset data = PreprocessedDataset.Load(DataRoot, "val", TestDatasets.Gen1);
        string output = CliRunner.Run(["validate", .. Overrides()]);
        Assert.Contains($"val split of {DataRoot}: {data.Sequences.Count} sequences, {EvaluableFrames(data)} label frames evaluated", output);
        Assert.Equal(6, output.Split('\n').Count(l => l.Contains("Average Precision", StringComparison.Ordinal)));
        Assert.Contains(" AP car ", output);
    }

    [Fact]
    public void EveryLabelFrame_IsEvaluatedOnce_AfterAnLMinus1WarmUp()
    {
        ConfigNode cfg = Config();
        using YoloXDetector model = LoadModel(cfg);
        // val: two sequences (one per loader worker), both with their first label frame past step L−1.
        PreprocessedDataset data = PreprocessedDataset.Load(DataRoot, "val", TestDatasets.Gen1);
        var reports = new List<ProgressReport>();
        DetectionMetrics metrics = Validator.Validate(model, data, ValidationOptions.FromConfig(cfg), new SyncProgress(reports.Add));

        // docs/DATA.md §3.5: each stream starts L−1 steps before its first label frame and
        // runs to the end, in chunks of L.
        Assert.Equal(2, data.Sequences.Count);
        Assert.All(data.Sequences, s => Assert.True(s.ObjframeIdx2ReprIdx[0] > SequenceLength - 1));
        long[] streamSteps = [.. data.Sequences.Select(s => s.ReprCount - (s.ObjframeIdx2ReprIdx[0] - SequenceLength + 1))];
        ProgressReport last = reports[^1];
        Assert.Equal(streamSteps.Sum(), last.Done);
        Assert.True(last.IsFinished);
        Assert.Equal("validate val", last.Task);
        // One report per batch; each of the two workers streams one sequence with batch size 1, and their batches interleave.
        Assert.Equal(streamSteps.Sum(n => (int)((n + SequenceLength - 1) / SequenceLength)), reports.Count);
        Assert.All(reports.Zip(reports.Skip(1)), p => Assert.True(p.Second.Done > p.First.Done));
        Assert.Equal(EvaluableFrames(data), metrics.Images);
        Assert.True(metrics.Images > 0);
    }

    [Fact]
    public void GroundTruthAsDetections_GivesPerfectAp()
    {
        ConfigNode cfg = Config();
        using YoloXDetector model = LoadModel(cfg);
        PreprocessedDataset data = PreprocessedDataset.Load(DataRoot, "val", TestDatasets.Gen1);
        ValidationOptions options = ValidationOptions.FromConfig(cfg) with
        {
            Detect = (decoded, gt) =>
            {
                Assert.Equal(gt.Count, decoded.shape[0]);
                return [.. gt.Select(f => (IReadOnlyList<Detection>)[.. f.Select(l => new Detection(l.X, l.Y, l.X + l.W, l.Y + l.H, 1f, 0.9f, (int)l.ClassId))])];
            },
        };
        DetectionMetrics metrics = Validator.Validate(model, data, options);
        Assert.True(metrics.Images > 0);
        Assert.Equal(1.0, metrics.AP, 12);
        Assert.Equal(1.0, metrics.AP50, 12);
        Assert.Equal(1.0, metrics.AP75, 12);
    }

    [Fact]
    public void ToProphesee_UsesTheClassConfidenceAndFloat32Sizes()
    {
        var d = new Detection(10.1f, 20.2f, 50.7f, 80.9f, 0.5f, 0.8f, 1);
        BoundingBox b = Validator.ToProphesee(d, 123_456);
        Assert.Equal(new BoundingBox(123_456, 10.1f, 20.2f, 50.7f - 10.1f, 80.9f - 20.2f, 1, 0.8f), b);
    }

    [Fact]
    public void MissingCheckpoint_IsAOneLineError()
    {
        string error = CliRunner.BadInput(["validate", .. Overrides("checkpoint=/nonexistent/model.ckpt")]);
        Assert.Contains("/nonexistent/model.ckpt", error);
    }

    [Fact]
    public void CheckpointOption_ReplacesTheOverride()
    {
        // --checkpoint is the shared option of the model commands; validate also keeps the original's checkpoint= override.
        string output = CliRunner.Run(["validate", .. Overrides("checkpoint=/nonexistent/model.ckpt"), "--checkpoint", Checkpoint, "--json"]);
        using JsonDocument doc = JsonDocument.Parse(output);
        Assert.True(doc.RootElement.GetProperty("AP").GetDouble() >= 0);
    }

    [Fact]
    public void WrongExperiment_NamesTheCheckpointAndTheExperiment()
    {
        // Without the micro overrides the small experiment's 48-channel backbone does not fit the 16-channel weights.
        string error = CliRunner.BadInput(["validate", "dataset=gen1", $"dataset.path={DataRoot}", $"checkpoint={Checkpoint}", "+experiment/gen1=small.yaml"]);
        Assert.Contains("model.ckpt", error);
        Assert.Contains("experiment", error);
    }

    [Fact]
    public void Cuda_OnTheCpuBuild_ExplainsHowToAddIt()
    {
        if (cuda.is_available())
        {
            return;
        }
        string error = CliRunner.BadInput(["validate", .. Overrides(), "--device", "cuda"]);
        Assert.Contains("libtorch-cuda", error);
    }

    /// <summary>Label frames with at least one ground-truth box that survives the evaluation filter
    /// (docs/DATA.md §4.4–4.5).</summary>
    private static int EvaluableFrames(PreprocessedDataset data)
    {
        BoxFilter filter = TestDatasets.Gen1.EvaluationFilter(downsampledBy2: false);
        int n = 0;
        foreach (PreprocessedSequence seq in data.Sequences)
        {
            for (int k = 0; k < seq.FrameTimestamps.Length; k++)
            {
                long t = seq.FrameTimestamps[k];
                n += filter.Apply([.. seq.FrameLabels(k).Select(l => l.ToBoundingBox(t))]).Length > 0 ? 1 : 0;
            }
        }
        return n;
    }

    private sealed class SyncProgress(Action<ProgressReport> report) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport value) => report(value);
    }
}
