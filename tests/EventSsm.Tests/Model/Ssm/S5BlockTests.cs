using TorchSharp;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Ssm;

/// <summary>
/// S5Block against the golden vectors of the original (tests/fixtures/golden/s5, README "S5Block") through the
/// detector's call and the general call, its streaming step, variants and keys.
/// </summary>
public sealed class S5BlockTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Folders => new() { "s5", "s5/wide_step" };

    private static S5Block LoadBlock(string folder)
    {
        var block = new S5Block(16, new S5LayerOptions { Bandlimit = 0.5 });
        GoldenTensors.LoadInto(block, GoldenTensors.LoadStateDict("", Path(folder, "weights.npz")));
        block.eval();
        return block;
    }

    private static string[] Path(string folder, string file) => [.. folder.Split('/'), file];

    [Theory]
    [MemberData(nameof(Folders))]
    public void Block_MatchesOutputsAndStates_InBothSemanticsAndStepScales(string folder)
    {
        using DisposeScope scope = NewDisposeScope();
        S5Block block = LoadBlock(folder);
        Tensor x = GoldenTensors.Load(Path(folder, "x.npy"));
        Tensor prev = GoldenTensors.LoadComplex(Path(folder, "prev_state.npy"));
        using IDisposable noGrad = no_grad();

        foreach ((S5StateMode mode, string name) in new[] { (S5StateMode.Reference, "reference"), (S5StateMode.Carry, "carry") })
        {
            foreach ((double scale, string suffix) in new[] { (1.0, ""), (0.5, "_ss05") })
            {
                (Tensor y, Tensor state) = block.Forward(x, prev, scale, mode);
                Assert.Equal(ScalarType.ComplexFloat32, state.dtype);
                GoldenTensors.AssertClose(y, GoldenTensors.Load(Path(folder, $"y_{name}{suffix}.npy")), Tolerance, $"y {name}{suffix}");
                GoldenTensors.AssertClose(
                    view_as_real(state), GoldenTensors.Load(Path(folder, $"state_{name}{suffix}.npy")), Tolerance, $"state {name}{suffix}");
            }
        }
    }

    /// <summary>The general call (step-scale tensor, state always carried) reproduces the same golden block.</summary>
    [Theory]
    [MemberData(nameof(Folders))]
    public void GeneralCall_ReproducesGoldenBlock_WithTensorStepScales(string folder)
    {
        using DisposeScope scope = NewDisposeScope();
        S5Block block = LoadBlock(folder);
        Tensor x = GoldenTensors.Load(Path(folder, "x.npy"));
        Tensor prev = GoldenTensors.LoadComplex(Path(folder, "prev_state.npy"));
        using IDisposable noGrad = no_grad();

        (Tensor yRef, Tensor sRef) = block.Forward(x);
        GoldenTensors.AssertClose(yRef, GoldenTensors.Load(Path(folder, "y_reference.npy")), Tolerance, "y reference");
        GoldenTensors.AssertClose(view_as_real(sRef), GoldenTensors.Load(Path(folder, "state_reference.npy")), Tolerance, "state reference");
        foreach ((double scale, string suffix) in new[] { (1.0, ""), (0.5, "_ss05") })
        {
            (Tensor y, Tensor s) = block.Forward(x, tensor(scale), prev);
            GoldenTensors.AssertClose(y, GoldenTensors.Load(Path(folder, $"y_carry{suffix}.npy")), Tolerance, "y carry" + suffix);
            GoldenTensors.AssertClose(view_as_real(s), GoldenTensors.Load(Path(folder, $"state_carry{suffix}.npy")), Tolerance, "state carry" + suffix);
        }
    }

    [Fact]
    public void ReferenceMode_IgnoresIncomingState()
    {
        using DisposeScope scope = NewDisposeScope();
        S5Block block = LoadBlock("s5/wide_step");
        Tensor x = GoldenTensors.Load("s5", "wide_step", "x.npy");
        Tensor prev = GoldenTensors.LoadComplex("s5", "wide_step", "prev_state.npy");
        using IDisposable noGrad = no_grad();

        (Tensor withState, Tensor stateWith) = block.Forward(x, prev, 1.0, S5StateMode.Reference);
        (Tensor without, Tensor stateWithout) = block.Forward(x, null, 1.0, S5StateMode.Reference);
        Assert.Equal(0.0, GoldenTensors.MaxAbsDiff(withState, without));
        Assert.Equal(0.0, GoldenTensors.MaxAbsDiff(view_as_real(stateWith), view_as_real(stateWithout)));
    }

    [Theory]
    [InlineData(S5BlockVariant.Geglu)]
    [InlineData(S5BlockVariant.Residual)]
    public void StreamingSteps_EqualWholeSequenceForward(S5BlockVariant variant)
    {
        using DisposeScope scope = NewDisposeScope();
        var block = new S5Block(6, new S5LayerOptions { StateWidth = 8, ConjugateSymmetry = true }, variant, new Generator(4, CPU));
        block.to(float64);
        var g = new Generator(2, CPU);
        Tensor x = randn([3, 80, 6], dtype: float64, generator: g);
        Tensor gaps = rand([3, 80], dtype: float64, generator: g).mul(Scalars.Of(3));
        using IDisposable noGrad = no_grad();
        (Tensor y, Tensor last) = block.Forward(x, gaps);
        Tensor? state = null;
        for (int t = 0; t < 80; t++)
        {
            (Tensor yt, Tensor next) = block.Step(x[.., t], state, gaps[.., t]);
            state = next;
            Assert.True((yt - y[.., t]).abs().max().item<double>() <= 1e-10, $"t={t}");
        }
        Assert.True((state! - last).abs().max().item<double>() <= 1e-10);
    }

    [Fact]
    public void Keys_AreTheOriginals_ForBothVariants()
    {
        using var geglu = new S5Block(4);
        Assert.Equal(
            ["s5.seq.Lambda", "s5.seq.B", "s5.seq.C", "s5.seq.D", "s5.seq.log_step", "attn_norm.weight", "attn_norm.bias",
             "ff_enc.weight", "ff_dec.weight", "ff_norm.weight", "ff_norm.bias"],
            geglu.state_dict().Keys);
        using var residual = new S5Block(4, new S5LayerOptions { BcInit = S5BcInit.Factorized, FactorRank = 2 }, S5BlockVariant.Residual);
        Assert.Equal(
            ["s5.seq.Lambda", "s5.seq.BH", "s5.seq.BP", "s5.seq.CH", "s5.seq.CP", "s5.seq.D", "s5.seq.log_step",
             "attn_norm.weight", "attn_norm.bias"],
            residual.state_dict().Keys);
    }

    /// <summary>State dicts of the earlier general block kept the layer at <c>s5.X</c>; they still load.</summary>
    [Fact]
    public void LegacyGeneralBlockKeys_LoadIntoTheBlock_AndUpgradeAtAnyPrefix()
    {
        using DisposeScope scope = NewDisposeScope();
        Dictionary<string, Tensor> golden = GoldenTensors.LoadStateDict("", "s5", "weights.npz");
        Dictionary<string, Tensor> legacy = golden.ToDictionary(kv => kv.Key.Replace("s5.seq.", "s5.", StringComparison.Ordinal), kv => kv.Value);
        Assert.Contains("s5.Lambda", legacy.Keys);
        var block = new S5Block(16);
        GoldenTensors.LoadInto(block, legacy);
        GoldenTensors.AssertClose(block.Layer.state_dict()["Lambda"].detach(), golden["s5.seq.Lambda"], 0, "Lambda");

        var nested = new Dictionary<string, Tensor>
        {
            ["blocks.0.s5.log_step"] = zeros(1),
            ["blocks.0.s5.seq.B"] = zeros(1),
            ["blocks.10.attn_norm.weight"] = zeros(1),
            ["encoder.weight"] = zeros(1),
        };
        Assert.Equal(
            ["blocks.0.s5.seq.log_step", "blocks.0.s5.seq.B", "blocks.10.attn_norm.weight", "encoder.weight"],
            S5Block.UpgradeLegacyKeys(nested).Keys);
    }
}
