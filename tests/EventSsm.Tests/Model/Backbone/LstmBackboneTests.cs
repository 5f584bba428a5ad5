using TorchSharp;
using EventSsm.Checkpoints;
using EventSsm.Config;
using EventSsm.Inference;
using EventSsm.Model.Backbone;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using EventSsm.Tensors;
using EventSsm.Workflows.Parity;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Backbone;

/// <summary>The backbone with RVT's conv LSTM as its recurrent layer (<c>model.backbone.recurrent: lstm</c>).</summary>
public sealed class LstmBackboneTests
{
    private static BackboneOptions TinyLstm() => new(embedDim: 8, dimHead: 8, partitionSize: (2, 2), recurrent: RecurrentLayer.Lstm);

    private static ConfigNode Experiment(string size, params string[] extra)
    {
        ConfigNode cfg = TestConfigs.Compose("train",
            ["dataset=gen1", $"+experiment/gen1={size}.yaml", .. extra]);
        ConfigModifier.Apply(cfg);
        return cfg;
    }

    [Fact]
    public void OneChunkOfFour_EqualsTwoChunksOfTwo_CarryingTheState()
    {
        using var backbone = new RecurrentBackbone(TinyLstm());
        backbone.eval();
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        Tensor x = rand([4, 2, 20, 64, 64], generator: new Generator(1)).mul(Scalars.Of(3));
        (Tensor[] whole, Tensor[] wholeStates) = backbone.Forward(x);
        (Tensor[] first, Tensor[] mid) = backbone.Forward(x[..2]);
        (Tensor[] second, Tensor[] end) = backbone.Forward(x[2..], mid);
        for (int i = 0; i < whole.Length; i++)
        {
            TensorAssert.Close(whole[i], cat([first[i], second[i]], 0), 1e-6, what: $"stage {i + 1} features");
            TensorAssert.Close(wholeStates[i], end[i], 1e-6, what: $"stage {i + 1} state");
        }
    }

    [Fact]
    public void State_IsHThenCOfTheLastFrame_AndAZeroStateEqualsNone()
    {
        using var backbone = new RecurrentBackbone(TinyLstm());
        backbone.eval();
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        Tensor x = rand([3, 1, 20, 64, 64], generator: new Generator(2)).mul(Scalars.Of(3));
        (Tensor[] features, Tensor[] states) = backbone.Forward(x);
        Tensor?[] zero = states.Select(s => (Tensor?)zeros_like(s)).ToArray();
        (Tensor[] fromZero, _) = backbone.Forward(x, zero);
        for (int i = 0; i < 4; i++)
        {
            long d = backbone.Options.StageDim(i);
            Assert.Equal(ScalarType.Float32, states[i].dtype);
            Assert.Equal(new[] { 1, 2 * d, features[i].shape[3], features[i].shape[4] }, states[i].shape);
            // The stage output is h (RVT: x = h_c_tuple[0]); the stored state starts with the last frame's h.
            TensorAssert.Close(features[i][2], states[i].narrow(1, 0, d), 0, what: $"stage {i + 1} h");
            TensorAssert.Close(features[i], fromZero[i], 0, what: $"stage {i + 1} zero state");
        }
        Assert.Throws<ArgumentException>(() => backbone.Forward(x, [.. zero.Take(3), zeros(1, 64, 2, 2)]));
    }

    [Theory]
    [InlineData("small", 9.87)]
    [InlineData("base", 18.54)]
    public void ParameterCounts_MatchTheSpecsRvtLstmTotals(string size, double millions)
    {
        using var model = new YoloXDetector(DetectorOptions.FromConfig(Experiment(size, "model.backbone.recurrent=lstm")));
        for (int i = 0; i < 4; i++)
        {
            RecurrentStage stage = model.Backbone.Stages[i];
            long d = model.Backbone.Options.StageDim(i);
            // conv1x1: (4d, 2d, 1, 1) weight + 4d bias; no depthwise conv with RVT's dws_conv: False.
            Assert.Equal(8 * d * d + 4 * d, stage.Lstm.parameters().Sum(p => p.numel()));
            Assert.Same(stage.Lstm, stage.TemporalLayer);
            Assert.Throws<InvalidOperationException>(() => stage.S5Block);
        }
        Assert.Equal(millions, model.ParameterCount() / 1e6, 2);
        Assert.Contains("backbone.stages.3.lstm.conv1x1.weight", model.state_dict().Keys);
        Assert.DoesNotContain(model.state_dict().Keys, k => k.Contains("s5_block", StringComparison.Ordinal));
    }

    [Fact]
    public void Config_ReadsRvtsLstmSection_AndDefaultsToS5()
    {
        Assert.Equal(RecurrentLayer.S5, DetectorOptions.FromConfig(Experiment("small")).Backbone.Recurrent);
        BackboneOptions o = DetectorOptions.FromConfig(Experiment("small", "model.backbone.recurrent=lstm",
            "model.backbone.stage.lstm.dws_conv=true", "model.backbone.stage.lstm.dws_conv_only_hidden=false",
            "model.backbone.stage.lstm.dws_conv_kernel_size=5", "model.backbone.stage.lstm.drop_cell_update=0.1")).Backbone;
        Assert.Equal(RecurrentLayer.Lstm, o.Recurrent);
        Assert.Equal(new LstmOptions(true, false, 5, 0.1), o.Lstm);
        Assert.Equal(new LstmOptions(), DetectorOptions.FromConfig(Experiment("small", "model.backbone.recurrent=lstm")).Backbone.Lstm);
    }

    [Theory]
    [InlineData("model.backbone.recurrent=gru", "model.backbone.recurrent")]
    [InlineData("model.backbone.stage.lstm.dws_conv_kernel_size=4", "model.backbone.stage.lstm")]
    [InlineData("model.backbone.stage.lstm.drop_cell_update=1.5", "model.backbone.stage.lstm")]
    [InlineData("model.backbone.stage.lstm.dws_conv=3", "model.backbone.stage.lstm.dws_conv")]
    public void BadConfig_IsAConfigErrorNamingTheKey(string overrideValue, string key)
    {
        var e = Assert.Throws<ConfigException>(() => DetectorOptions.FromConfig(Experiment("small", "model.backbone.recurrent=lstm", overrideValue)));
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void Detector_RunsOnAChunk_AndRoundTripsThroughItsCheckpoint()
    {
        using TempDir tmp = Fixtures.TempDir();
        ConfigNode cfg = YoloXDetectorTests.MicroConfig("model.backbone.recurrent=lstm");
        using var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        model.eval();
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        Tensor x = rand([2, 1, 20, 128, 128], generator: new Generator(3)).mul(Scalars.Of(3));
        (Tensor decoded, Tensor[] states) = model.Forward(x);
        // 128×128 input: 16² + 8² + 4² anchors at strides 8/16/32; 5 + 2 classes.
        Assert.Equal(new long[] { 2, 256 + 64 + 16, 7 }, decoded.shape);
        Assert.Equal(new long[] { 1, 32, 32, 32 }, states[0].shape);
        Assert.Equal(new long[] { 1, 256, 4, 4 }, states[3].shape);

        string path = Path.Combine(tmp.Path, "lstm.safetensors");
        DetectorCheckpoint.Save(path, model, cfg);
        using LoadedDetector loaded = LoadedDetector.Load(path);
        Assert.Equal(RecurrentLayer.Lstm, loaded.Model.Options.Backbone.Recurrent);
        (Tensor again, Tensor[] againStates) = loaded.Model.Forward(x);
        TensorAssert.Close(decoded, again, 0, what: "decoded");
        TensorAssert.Close(states[3], againStates[3], 0, what: "stage 4 state");
    }

    [Fact]
    public void ForwardRunner_SavesAndReadsLstmStates()
    {
        using TempDir tmp = Fixtures.TempDir();
        using var model = new YoloXDetector(DetectorOptions.FromConfig(YoloXDetectorTests.MicroConfig("model.backbone.recurrent=lstm")));
        model.eval();
        using DisposeScope scope = NewDisposeScope();
        Tensor x = rand([1, 1, 20, 128, 128], generator: new Generator(4)).mul(Scalars.Of(3));
        ForwardResult result = ForwardRunner.Run(model, x);
        string path = Path.Combine(tmp.Path, "out.npz");
        ForwardRunner.Save(path, result);
        Tensor[] read = ForwardRunner.ReadStates(path);
        Assert.Equal(4, read.Length);
        for (int i = 0; i < 4; i++)
        {
            TensorAssert.Close(result.States[i], read[i], 0, what: $"state {i + 1}");
        }
        ForwardResult next = ForwardRunner.Run(model, x, read);
        Assert.Equal(result.Head.shape, next.Head.shape);
    }
}
