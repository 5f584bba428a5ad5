using TorchSharp;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Ssm;

/// <summary>S5Block against the golden vectors of the original (tests/fixtures/golden/s5, README "S5Block").</summary>
public sealed class S5BlockTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Folders => new() { "s5", "s5/wide_step" };

    private static S5Block LoadBlock(string folder)
    {
        var block = new S5Block(16, 16, bandlimit: 0.5);
        GoldenTensors.LoadInto(block, GoldenTensors.LoadStateDict("", Path(folder, "weights.npz")));
        block.eval();
        return block;
    }

    private static string[] Path(string folder, string file) => [.. folder.Split('/'), file];

    [Theory]
    [MemberData(nameof(Folders))]
    public void Discretize_MatchesLambdaBarAndBBar(string folder)
    {
        using DisposeScope scope = NewDisposeScope();
        S5Block block = LoadBlock(folder);
        foreach ((double scale, string suffix) in new[] { (1.0, ""), (0.5, "_ss05") })
        {
            (Tensor lambdaBar, Tensor bBar) = block.S5.Ssm.Discretize(scale);
            GoldenTensors.AssertClose(
                view_as_real(lambdaBar), GoldenTensors.Load(Path(folder, $"lambda_bar{suffix}.npy")), Tolerance, "Λ̄" + suffix);
            GoldenTensors.AssertClose(
                view_as_real(bBar), GoldenTensors.Load(Path(folder, $"b_bar{suffix}.npy")), Tolerance, "B̄" + suffix);
        }
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void S5Layer_MatchesReferenceAndCarryOutputs(string folder)
    {
        using DisposeScope scope = NewDisposeScope();
        S5Block block = LoadBlock(folder);
        Tensor f = GoldenTensors.Load(Path(folder, "attn_norm_out.npy"));
        Tensor prev = GoldenTensors.LoadComplex(Path(folder, "prev_state.npy"));
        using IDisposable noGrad = no_grad();

        (Tensor yRef, _) = block.S5.Forward(f, prev, 1.0, S5StateMode.Reference);
        GoldenTensors.AssertClose(yRef, GoldenTensors.Load(Path(folder, "s5_layer_y_reference.npy")), Tolerance, "z reference");

        (Tensor yCarry, _) = block.S5.Forward(f, prev, 1.0, S5StateMode.Carry);
        GoldenTensors.AssertClose(yCarry, GoldenTensors.Load(Path(folder, "s5_layer_y_carry.npy")), Tolerance, "z carry");
    }

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

    [Fact]
    public void ZohDiscretization_ComposesTwoStepsIntoOneOfTwiceTheLength()
    {
        using DisposeScope scope = NewDisposeScope();
        var ssm = new S5Ssm(16, 16, discretization: S5Discretization.Zoh);
        GoldenTensors.LoadInto(ssm, GoldenTensors.LoadStateDict("s5.seq.", "s5", "wide_step", "weights.npz"));
        (Tensor lambdaBar, Tensor bBar) = ssm.Discretize(0.5);
        (Tensor lambdaBar2, Tensor bBar2) = ssm.Discretize(1.0);
        // exp(2λΔ) = exp(λΔ)²; (exp(2λΔ) − 1)/λ = (exp(λΔ) + 1)(exp(λΔ) − 1)/λ.
        GoldenTensors.AssertClose(view_as_real(lambdaBar2), view_as_real(lambdaBar * lambdaBar), 1e-6, "Λ̄(2Δ)");
        GoldenTensors.AssertClose(
            view_as_real(bBar2), view_as_real((lambdaBar + 1).unsqueeze(-1) * bBar), 1e-5, "B̄(2Δ)");
        (Tensor bilinear, _) = LoadBlock("s5/wide_step").S5.Ssm.Discretize(0.5);
        Assert.True(GoldenTensors.MaxAbsDiff(view_as_real(lambdaBar), view_as_real(bilinear)) > 1e-3);
    }
}
