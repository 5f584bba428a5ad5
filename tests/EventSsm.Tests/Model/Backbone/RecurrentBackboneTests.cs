using TorchSharp;
using TorchSharp.Modules;
using EventSsm.Model.Backbone;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Backbone;

/// <summary>
/// The micro detector's backbone against the original (tests/fixtures/golden/detector_micro; config.json: embed 16,
/// dims 16/32/64/128, dim_head 8, partition (4, 4), 128×128 input, L = 3, B = 2).
/// </summary>
public sealed class RecurrentBackboneTests
{
    private const double Tolerance = 5e-5;
    private const string Folder = "detector_micro";

    internal static BackboneOptions MicroOptions() =>
        new(inputChannels: 20, embedDim: 16, dimHead: 8, partitionSize: (4, 4));

    private static RecurrentBackbone LoadMicro()
    {
        var backbone = new RecurrentBackbone(MicroOptions());
        GoldenTensors.LoadInto(backbone, GoldenTensors.LoadStateDict("mdl.backbone.", Folder, "weights.npz"));
        backbone.eval();
        return backbone;
    }

    private static Tensor LoadInput(string name)
    {
        using Tensor raw = GoldenTensors.Load(Folder, name);
        return raw.to(ScalarType.Float32);
    }

    private static Tensor[] LoadStates(string prefix) =>
        Enumerable.Range(1, 4).Select(i => GoldenTensors.LoadComplex(Folder, $"{prefix}state_stage{i}.npy")).ToArray();

    private static void AssertStages(Tensor[] features, Tensor[] states, string prefix)
    {
        for (int i = 0; i < 4; i++)
        {
            GoldenTensors.AssertClose(
                features[i], GoldenTensors.Load(Folder, $"{prefix}backbone_stage{i + 1}.npy"), Tolerance, $"{prefix}stage{i + 1}");
            Assert.Equal(ScalarType.ComplexFloat32, states[i].dtype);
            GoldenTensors.AssertClose(
                view_as_real(states[i]), GoldenTensors.Load(Folder, $"{prefix}state_stage{i + 1}.npy"), Tolerance,
                $"{prefix}state{i + 1}");
        }
    }

    [Fact]
    public void StateDictKeys_EqualTheGoldenBackboneKeys()
    {
        using var backbone = new RecurrentBackbone(MicroOptions());
        Dictionary<string, Tensor> golden = GoldenTensors.LoadStateDict("mdl.backbone.", Folder, "weights.npz");
        Dictionary<string, Tensor> ours = backbone.state_dict();
        Assert.Equal(160, golden.Count);
        Assert.Equal(golden.Keys.Order(StringComparer.Ordinal), ours.Keys.Order(StringComparer.Ordinal));
        foreach ((string key, Tensor value) in golden)
        {
            Assert.True(value.shape.SequenceEqual(ours[key].shape), $"{key}: shape ({string.Join(",", ours[key].shape)})");
            value.Dispose();
        }
    }

    [Fact]
    public void Stage1_Intermediates_MatchTheOriginal()
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        RecurrentBackbone backbone = LoadMicro();
        Tensor x = LoadInput("x_chunk1.npy");
        RecurrentStage stage = backbone.Stages[0];

        Tensor down = stage.Downsample.call(x.reshape(6, 20, 128, 128));
        GoldenTensors.AssertClose(down, GoldenTensors.Load(Folder, "chunk1_stage1_downsample_out.npy"), Tolerance, "downsample");
        Tensor window = stage.AttentionBlocks[0].WindowAttention.call(down);
        GoldenTensors.AssertClose(window, GoldenTensors.Load(Folder, "chunk1_stage1_att_window_out.npy"), Tolerance, "att_window");
        Tensor grid = stage.AttentionBlocks[0].GridAttention.call(window);
        GoldenTensors.AssertClose(grid, GoldenTensors.Load(Folder, "chunk1_stage1_att_grid_out.npy"), Tolerance, "att_grid");
    }

    [Fact]
    public void Chunk1_FromZeroState_MatchesFeaturesAndStates()
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        RecurrentBackbone backbone = LoadMicro();
        (Tensor[] features, Tensor[] states) = backbone.Forward(LoadInput("x_chunk1.npy"));
        AssertStages(features, states, "chunk1_");
    }

    [Theory]
    [InlineData(S5StateMode.Reference, "chunk2_reference_")]
    [InlineData(S5StateMode.Carry, "chunk2_carry_")]
    public void Chunk2_WithChunk1States_MatchesEachSemantics(S5StateMode mode, string prefix)
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        RecurrentBackbone backbone = LoadMicro();
        (Tensor[] features, Tensor[] states) = backbone.Forward(
            LoadInput("x_chunk2.npy"), LoadStates("chunk1_"), stateMode: mode);
        AssertStages(features, states, prefix);
    }

    [Fact]
    public void Backward_InCarryMode_GivesFiniteGradientsToEveryParameter()
    {
        using DisposeScope scope = NewDisposeScope();
        var backbone = new RecurrentBackbone(MicroOptions());
        Tensor x = randn([2, 1, 20, 128, 128], generator: new Generator(3));
        (_, Tensor[] states) = backbone.Forward(x);
        (Tensor[] features, _) = backbone.Forward(x, states.Select(s => (Tensor?)s.detach()).ToArray(), stateMode: S5StateMode.Carry);
        features.Select(f => f.pow(Scalars.Of(2)).mean()).Aggregate((a, b) => a.add(b, Scalars.One)).backward();
        foreach ((string name, Parameter p) in backbone.named_parameters())
        {
            Assert.True(p.grad is not null, $"{name} has no gradient");
            Assert.True(p.grad.isfinite().all().item<bool>(), $"{name} has a non-finite gradient");
        }
    }

    [Fact]
    public void Forward_LeavesNoLiveTensorsBehind()
    {
        using var backbone = new RecurrentBackbone(MicroOptions());
        using Tensor x = randn([2, 1, 20, 128, 128], generator: new Generator(4));
        using IDisposable noGrad = no_grad();
        RunOnce();
        DisposeScopeManager.Statistics.Reset();
        RunOnce();
        Assert.Equal(0, DisposeScopeManager.Statistics.ThreadTotalLiveCount);

        void RunOnce()
        {
            using DisposeScope scope = NewDisposeScope();
            backbone.Forward(x);
        }
    }
}
