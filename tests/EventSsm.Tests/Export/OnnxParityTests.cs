using EventSsm.Checkpoints;
using EventSsm.Config;
using EventSsm.Datasets;
using EventSsm.Detections;
using EventSsm.Export;
using EventSsm.Inference;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using EventSsm.Onnx;
using EventSsm.Tensors;
using EventSsm.Tests.Model;
using EventSsm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Tests.Export;

/// <summary>
/// ONNX Runtime against our TorchSharp forward over 20 consecutive windows with the state carried:
/// head predictions within 1e-4 relative and identical detections after the one postprocess, for the golden micro
/// detector, a gen1-small detector and a briefly trained checkpoint.
/// </summary>
public sealed class OnnxParityTests
{
    private const int Windows = 20;

    [Fact]
    public void GoldenMicro_CarriedStream_MatchesTorch()
    {
        using YoloXDetector model = YoloXDetectorTests.LoadMicro();
        AssertParity(model, YoloXDetectorTests.MicroConfig(), seed: 1);
    }

    [Fact]
    public void Gen1Small_CarriedStream_MatchesTorch()
    {
        ConfigNode cfg = ConfigComposer.Compose(TestConfigs.Directory, "train",
            ["dataset=gen1", "+experiment/gen1=small.yaml"]);
        ConfigModifier.Apply(cfg);
        manual_seed(11);
        using var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        Randomize(model);
        model.eval();
        AssertParity(model, cfg, seed: 2);
    }

    [Fact]
    public void Gen4Micro_DownsampledInputAndPartitionSplit2_MatchesTorch()
    {
        // 1Mpx: the input is the 2× downsampled 360×640 histogram, padded to 384×640 inside the graph; stage 4 has 2×2
        // attention windows (partition_split_32 = 2).
        // A high threshold keeps the random head's detections sparse: with ~900 overlapping boxes per frame some NMS
        // decisions sit within float32 rounding of the IoU threshold.
        ConfigNode cfg = TestConfigs.Compose("val", "dataset=gen4", "+experiment/gen4=small.yaml", "model.backbone.embed_dim=16",
            "model.backbone.stage.attention.dim_head=8", "model.postprocess.confidence_threshold=0.3");
        ConfigModifier.Apply(cfg);
        manual_seed(12);
        using var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        Randomize(model);
        model.eval();
        Assert.Equal((384, 640), (model.Options.InputHeight, model.Options.InputWidth));
        AssertParity(model, cfg, seed: 5, windows: 3);
    }

    [Fact]
    public void TrainedCheckpoint_CarriedStream_MatchesTorch()
    {
        // A few carry-mode training steps on the golden preprocessed gen1 data (240×304, padded inside the graph),
        // starting from the golden micro weights so that the scores are spread and detections are well separated.
        using TempDir tmp = Fixtures.TempDir();
        string[] overrides =
        [
            "dataset=gen1", "+experiment/gen1=small.yaml", "model.backbone.embed_dim=16", "model.backbone.stage.attention.dim_head=8",
            $"dataset.path={Fixtures.Preprocessed.Out()}", "dataset.sequence_length=2", "batch_size.train=2",
            "training.learning_rate=0.002", "training.max_steps=100", "model.backbone.s5.state_mode=carry",
            "model.postprocess.confidence_threshold=0.001",
        ];
        ConfigNode cfg = ConfigComposer.Compose(TestConfigs.Directory, "train", overrides);
        ConfigModifier.Apply(cfg);
        string checkpoint;
        using (var start = new YoloXDetector(DetectorOptions.FromConfig(cfg)))
        {
            Assert.True(DetectorCheckpoint.Load(start, DetectorMicro.File("model.ckpt")).IsExact);
            var trainer = new Trainer(start, cfg, TrainerOptions.FromConfig(cfg) with { CheckpointInterval = 3, Seed = 4 }, tmp.Path);
            trainer.Run(stopAfter: 3);
            checkpoint = trainer.LastCheckpoint;
        }
        using LoadedDetector trained = LoadedDetector.Load(checkpoint);
        Assert.Equal(S5StateMode.Carry, trained.Model.Options.Backbone.StateMode);
        AssertParity(trained.Model, trained.Config, seed: 3);
    }

    /// <summary>
    /// Exports <paramref name="model"/> as a stream graph and runs both backends over the same windows (event-count-like
    /// values at the unpadded input size), carrying the states: torch in carry mode, ONNX Runtime through its graph.
    /// </summary>
    internal static void AssertParity(YoloXDetector model, ConfigNode cfg, int seed, int windows = Windows)
    {
        using TempDir tmp = Fixtures.TempDir();
        string path = tmp.File("model.onnx");
        OnnxExporter.Export(model, cfg, path, new OnnxExportOptions());
        using OnnxDetector onnx = OnnxDetector.Open(path, new OnnxSessionSettings(Threads: 2));
        int c = onnx.Info.Channels, h = onnx.Info.InputHeight, w = onnx.Info.InputWidth;
        Assert.Equal(DatasetDescription.FromConfig(cfg).ClassNames, onnx.Info.ClassNames);
        var generator = new Generator((ulong)seed);
        Tensor?[] states = new Tensor?[4];
        int detections = 0;
        try
        {
            for (int t = 0; t < windows; t++)
            {
                using DisposeScope scope = NewDisposeScope();
                using IDisposable noGrad = no_grad();
                // Sparse small counts, as stacked histograms.
                Tensor window = rand([1, 1, c, h, w], generator: generator).mul(Scalars.Of(6)).sub(Scalars.Of(3)).clamp_min(Scalars.Of(0)).floor();
                Tensor padded = InputPadder.Pad(window, model.Options.InputHeight, model.Options.InputWidth);
                (Tensor decoded, Tensor[] next) = model.Forward(padded, states, stateMode: S5StateMode.Carry);
                for (int i = 0; i < 4; i++)
                {
                    states[i]?.Dispose();
                    states[i] = next[i].DetachFromDisposeScope();
                }
                float[] expected = OnnxExportGoldenTests.ToFloats(decoded);
                float[] actual = onnx.Step(OnnxExportGoldenTests.ToFloats(window));
                FloatAssert.Close(expected, actual, 1e-4, 1e-4, $"window {t} head");
                int anchors = (int)decoded.shape[1], width = (int)decoded.shape[2];
                IReadOnlyList<Detection> torchBoxes = Postprocess.Run(expected, 1, anchors, width, model.Options.ConfidenceThreshold, model.Options.NmsThreshold)[0];
                IReadOnlyList<Detection> onnxBoxes = Postprocess.Run(actual, 1, anchors, width, model.Options.ConfidenceThreshold, model.Options.NmsThreshold)[0];
                AssertSameDetections(torchBoxes, onnxBoxes, $"window {t}");
                detections += torchBoxes.Count;
            }
        }
        finally
        {
            foreach (Tensor? s in states)
            {
                s?.Dispose();
            }
        }
        Assert.True(detections > 0, "no detections in any window: the comparison would be empty");
    }

    /// <summary>
    /// The same detections: equal count, and each expected one matched by an actual one of the same class with box and
    /// confidences within 1e-4 relative. Order is compared through the scores only: anchors with exactly tied scores
    /// (e.g. in the zero padding, where neighbouring anchors see the same input) may come in either order when one
    /// backend rounds one of them an ulp lower.
    /// </summary>
    internal static void AssertSameDetections(IReadOnlyList<Detection> expected, IReadOnlyList<Detection> actual, string what)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: {actual.Count} detections, expected {expected.Count}");
        var unmatched = actual.ToList();
        for (int i = 0; i < expected.Count; i++)
        {
            Detection e = expected[i];
            float[] ev = [e.X1, e.Y1, e.X2, e.Y2, e.ObjConf, e.ClassConf];
            int match = unmatched.FindIndex(a => a.ClassId == e.ClassId
                && ev.Zip((float[])[a.X1, a.Y1, a.X2, a.Y2, a.ObjConf, a.ClassConf]).All(p => Math.Abs(p.First - p.Second) <= 1e-4 * (1 + Math.Abs(p.First))));
            Assert.True(match >= 0, $"{what}: no match for detection #{i} (class {e.ClassId}, box {e.X1} {e.Y1} {e.X2} {e.Y2}, score {e.Score})");
            unmatched.RemoveAt(match);
            Assert.True(Math.Abs(actual[i].Score - e.Score) <= 1e-4 * (1 + e.Score), $"{what} #{i}: score {actual[i].Score}, expected {e.Score}");
        }
    }

    /// <summary>Spreads the weights that a fresh model keeps near identity (LayerScale 1e-5, unit BN statistics) or
    /// near the prior (the predictors), so that every branch of the graph shows in the outputs and scores are spread.</summary>
    private static void Randomize(YoloXDetector model)
    {
        using IDisposable noGrad = no_grad();
        var g = new Generator(5);
        foreach ((string name, Tensor t) in model.state_dict())
        {
            if (name.EndsWith(".gamma", StringComparison.Ordinal))
            {
                t.copy_(rand(t.shape, generator: g).mul(Scalars.Of(0.2)).add(Scalars.Of(0.05), Scalars.One));
            }
            else if (name.EndsWith(".running_var", StringComparison.Ordinal))
            {
                t.copy_(rand(t.shape, generator: g).add(Scalars.Of(0.5), Scalars.One));
            }
            else if (name.EndsWith(".running_mean", StringComparison.Ordinal))
            {
                t.copy_(randn(t.shape, generator: g).mul(Scalars.Of(0.1)));
            }
            else if (name.Contains("_preds.", StringComparison.Ordinal))
            {
                t.copy_(randn(t.shape, generator: g).mul(Scalars.Of(name.EndsWith(".bias", StringComparison.Ordinal) ? 1.0 : 0.05)));
            }
        }
        model.InvalidateCaches();
    }
}
