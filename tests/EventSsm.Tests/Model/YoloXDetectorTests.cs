using System.Text.Json;
using TorchSharp;
using EventSsm.Checkpoints;
using EventSsm.Config;
using EventSsm.Detections;
using EventSsm.IO.Numpy;
using EventSsm.Model.Head;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using EventSsm.Tensors;
using EventSsm.Tests.Model.Head;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model;

/// <summary>
/// The whole detector built from the YAML configs with the micro overrides, loaded from the official-style
/// checkpoint formats, against the original's outputs (tests/fixtures/golden/detector_micro).
/// </summary>
public sealed class YoloXDetectorTests
{
    internal static readonly string[] MicroOverrides =
    [
        .. TestConfigs.MicroGen1, "dataset.resolution_hw=[128,128]", "model.postprocess.confidence_threshold=0.001",
    ];

    internal static ConfigNode MicroConfig(params string[] extra)
    {
        ConfigNode cfg = TestConfigs.Compose("train", [.. MicroOverrides, .. extra]);
        ConfigModifier.Apply(cfg);
        return cfg;
    }

    internal static YoloXDetector LoadMicro(string weightsFile = "model.ckpt", params string[] extra)
    {
        var model = new YoloXDetector(DetectorOptions.FromConfig(MicroConfig(extra)));
        StateDictLoadReport report = DetectorCheckpoint.Load(model, DetectorMicro.File(weightsFile));
        Assert.True(report.IsExact, $"{weightsFile}: missing {string.Join(",", report.MissingKeys)} unexpected {string.Join(",", report.UnexpectedKeys)}");
        model.eval();
        return model;
    }

    private static Tensor Input(string name) => NpyTensor.ReadTensor(DetectorMicro.File(name)).to(float32);

    private static Tensor?[] GoldenStates(string prefix) =>
        Enumerable.Range(1, 4).Select(i => (Tensor?)view_as_complex(NpyTensor.ReadTensor(DetectorMicro.File($"{prefix}_state_stage{i}.npy")).contiguous())).ToArray();

    [Fact]
    public void OptionsFromConfig_MatchTheGoldenMicroDims()
    {
        DetectorOptions o = DetectorOptions.FromConfig(MicroConfig());
        Assert.Equal((128, 128), (o.InputHeight, o.InputWidth));
        Assert.Equal((4, 4), o.Backbone.PartitionSize);
        Assert.Equal(new[] { 16, 32, 64, 128 }, Enumerable.Range(0, 4).Select(o.Backbone.StageDim));
        Assert.Equal(new long[] { 32, 64, 128 }, o.Fpn.InChannels);
        Assert.Equal(2, o.Head.NumClasses);
        Assert.Equal(0.001, o.ConfidenceThreshold);
        Assert.Equal(S5StateMode.Reference, o.Backbone.StateMode);
    }

    [Theory]
    [InlineData("model.ckpt")]
    [InlineData("weights.npz")]
    [InlineData("weights.pt")]
    public void Chunk1_HeadOutputsAndDetections_MatchTheOriginal(string weights)
    {
        using DisposeScope scope = NewDisposeScope();
        using YoloXDetector model = LoadMicro(weights);
        using IDisposable noGrad = no_grad();
        (Tensor decoded, Tensor[] states) = model.Forward(Input("x_chunk1.npy"));
        TensorAssert.Close(NpyTensor.ReadTensor(DetectorMicro.File("chunk1_head_outputs.npy")), decoded, 2e-4, 2e-4, "head outputs");
        for (int i = 0; i < 4; i++)
        {
            Tensor golden = view_as_complex(NpyTensor.ReadTensor(DetectorMicro.File($"chunk1_state_stage{i + 1}.npy")).contiguous());
            Assert.True((golden - states[i]).abs().max().item<float>() <= 5e-5, $"state {i + 1}");
        }
        PostprocessTests.AssertMatchesGolden(DetectorMicro.File("chunk1_detections.npy"),
            TensorPostprocess.Run(decoded, model.Options.ConfidenceThreshold, model.Options.NmsThreshold));
    }

    /// <summary>
    /// bfloat16 inference (docs/MODEL.md §11.3): the S5 weights keep float32, every other weight is bfloat16, and the
    /// golden chunk's outputs stay within bfloat16's rounding of the original's.
    /// </summary>
    [Fact]
    public void BFloat16Inference_KeepsS5InFloat32_AndStaysNearTheOriginal()
    {
        using DisposeScope scope = NewDisposeScope();
        using YoloXDetector model = LoadMicro();
        Dictionary<string, Tensor> before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        model.SetInferencePrecision(InferencePrecision.BFloat16);
        foreach ((string key, Tensor value) in model.state_dict())
        {
            if (key.Contains(".s5.", StringComparison.Ordinal))
            {
                Assert.True(value.dtype == before[key].dtype && value.eq(before[key]).all().item<bool>(), $"{key} changed");
            }
            else if (before[key].is_floating_point())
            {
                Assert.True(value.dtype == ScalarType.BFloat16, $"{key} is {value.dtype}");
            }
        }
        using IDisposable noGrad = no_grad();
        (Tensor decoded, Tensor[] states) = model.Forward(Input("x_chunk1.npy"));
        Assert.Equal(ScalarType.Float32, decoded.dtype);
        Assert.All(states, s => Assert.Equal(ScalarType.ComplexFloat32, s.dtype));
        Tensor golden = NpyTensor.ReadTensor(DetectorMicro.File("chunk1_head_outputs.npy"));
        // Measured: boxes within 4.2 % of the largest coordinate, scores within 0.028 (bfloat16 keeps 8 bits of mantissa
        // through four stages of this untrained micro model; docs/MODEL.md §11.3 has the demo model's AP).
        TensorAssert.CloseRelativeToMax(golden[.., .., 0..4], decoded[.., .., 0..4], 0.06, "boxes");
        TensorAssert.CloseRelativeToMax(golden[.., .., 4..], decoded[.., .., 4..], 0.05, "scores");
        Assert.Throws<InvalidOperationException>(() => model.train());
    }

    [Theory]
    [InlineData("reference")]
    [InlineData("carry")]
    public void Chunk2_WithChunk1States_MatchesEachStateSemantics(string mode)
    {
        using DisposeScope scope = NewDisposeScope();
        using YoloXDetector model = LoadMicro("model.ckpt", $"model.backbone.s5.state_mode={mode}");
        using IDisposable noGrad = no_grad();
        (Tensor decoded, Tensor[] states) = model.Forward(Input("x_chunk2.npy"), GoldenStates("chunk1"));
        TensorAssert.Close(NpyTensor.ReadTensor(DetectorMicro.File($"chunk2_{mode}_head_outputs.npy")), decoded, 2e-4, 2e-4, "head outputs");
        PostprocessTests.AssertMatchesGolden(DetectorMicro.File($"chunk2_{mode}_detections.npy"),
            TensorPostprocess.Run(decoded, model.Options.ConfidenceThreshold, model.Options.NmsThreshold));
    }

    /// <summary>
    /// With <c>training.recompute_attention</c> the attention blocks keep only their inputs and run again in the
    /// backward (docs/MODEL.md §11.2): the same losses and gradients.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrainingStep_LossesAndEveryGoldenGradient_MatchTheOriginal(bool recomputeAttention)
    {
        using DisposeScope scope = NewDisposeScope();
        using YoloXDetector model = LoadMicro();
        model.train();
        model.Backbone.RecomputeAttentionIn(recomputeAttention ? [1, 2, 3, 4] : []);
        int windowBlockRuns = 0;
        var hook = model.Backbone.Stages[0].AttentionBlocks[0].WindowAttention.register_forward_hook((_, _, output) =>
        {
            windowBlockRuns++;
            return output;
        });
        (Tensor[] features, _) = model.ForwardBackbone(Input("x_chunk1.npy"));
        HeadOutputs outputs = model.ForwardDetect(features);
        YoloXLosses losses = YoloXLoss.Compute(outputs, NpyTensor.ReadTensor(DetectorMicro.File("train_targets.npy")), model.NumClasses);
        losses.Total.backward();
        hook.remove();
        // Recomputed: once in the forward, once more inside the backward.
        Assert.Equal(recomputeAttention ? 2 : 1, windowBlockRuns);

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(DetectorMicro.File("losses.json")));
        double total = doc.RootElement.GetProperty("total").GetDouble();
        Assert.True(Math.Abs(losses.Total.item<float>() - total) <= 1e-5 * total, $"total {losses.Total.item<float>()} vs {total}");

        Dictionary<string, Tensor> grads = NpyTensor.ReadNpzTensors(DetectorMicro.File("train_grads.npz"));
        var parameters = model.named_parameters().ToDictionary(p => "mdl." + p.name, p => p.parameter);
        Assert.Equal(19, grads.Count);
        foreach ((string name, Tensor expected) in grads)
        {
            Assert.True(parameters.ContainsKey(name), $"no parameter {name}");
            TensorAssert.CloseRelativeToMax(expected, parameters[name].grad!, 1e-4, name);
        }
    }

    [Fact]
    public void SafetensorsCheckpoint_IsSelfDescribing_AndGivesIdenticalOutputs()
    {
        using DisposeScope scope = NewDisposeScope();
        using TempDir tmp = Fixtures.TempDir();
        using YoloXDetector model = LoadMicro();
        string path = tmp.File("micro.safetensors");
        DetectorCheckpoint.Save(path, model, MicroConfig());
        ConfigNode embedded = DetectorCheckpoint.ReadEmbeddedConfig(path)!;
        using var reloaded = new YoloXDetector(DetectorOptions.FromConfig(embedded));
        Assert.True(DetectorCheckpoint.Load(reloaded, path).IsExact);
        reloaded.eval();
        using IDisposable noGrad = no_grad();
        Tensor x = Input("x_chunk1.npy");
        Assert.Equal(0f, (model.Forward(x).Decoded - reloaded.Forward(x).Decoded).abs().max().item<float>());
    }

    [Fact]
    public void WrongExperiment_FailsWithTheMismatchedKeysNamed()
    {
        var model = new YoloXDetector(DetectorOptions.FromConfig(MicroConfig("model.backbone.embed_dim=32")));
        var e = Assert.Throws<InvalidOperationException>(() => DetectorCheckpoint.Load(model, DetectorMicro.File("model.ckpt")));
        Assert.Contains("model.ckpt", e.Message);
        Assert.Contains("backbone.stages.0", e.Message);
    }

    [Theory]
    [InlineData("small", 9.68)]
    [InlineData("base", 18.19)]
    public void ParameterCounts_MatchTheSpec(string size, double millions)
    {
        ConfigNode cfg = TestConfigs.Compose("train", ["dataset=gen1", $"+experiment/gen1={size}.yaml"]);
        ConfigModifier.Apply(cfg);
        using var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        Assert.Equal(millions, model.ParameterCount() / 1e6, 2);
    }
}
