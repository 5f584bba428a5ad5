using TorchSharp;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Ssm;

/// <summary>HiPPO-LegS initialisation of the S5 layer (docs/MODEL.md §4.2).</summary>
public sealed class S5InitializationTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(64)]
    public void MakeDplrHippo_HasRealPartMinusHalf_AndReconstructsS(int n)
    {
        using DisposeScope scope = NewDisposeScope();
        (Tensor lambda, Tensor v) = HippoInitializer.MakeDplrHippo(n);
        Assert.Equal(ScalarType.ComplexFloat64, lambda.dtype);
        Assert.True(lambda.real.add(Scalars.Of(0.5), Scalars.One).abs().max().item<double>() < 1e-12);

        // S = V diag(λ) Vᴴ with V unitary.
        Tensor s = HippoInitializer.MakeNormalHippo(n).to(ScalarType.ComplexFloat64);
        Tensor vh = v.conj().t();
        Tensor reconstructed = (v * lambda.unsqueeze(0)).matmul(vh);
        Assert.True((reconstructed - s).abs().max().item<double>() < 1e-9 * n);
        Tensor identity = eye(n, dtype: ScalarType.ComplexFloat64);
        Assert.True((vh.matmul(v) - identity).abs().max().item<double>() < 1e-12 * n);

        // eigh order: ascending imaginary parts, in ± pairs.
        double[] imag = lambda.imag.data<double>().ToArray();
        Assert.Equal(imag.Order(), imag);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(-imag[i], imag[n - 1 - i], 8);
        }
    }

    [Fact]
    public void Bandlimit_ZeroesExactlyTheColumnsAboveHalfNyquist()
    {
        using DisposeScope scope = NewDisposeScope();
        var ssm = new S5Layer(32, new S5LayerOptions { StateWidth = 64, Bandlimit = 0.5 }, new Generator(11));
        Dictionary<string, Tensor> sd = ssm.state_dict();
        Tensor delta = sd["log_step"].to(ScalarType.Float64).exp();
        Tensor product = delta * sd["Lambda"][.., 1].to(ScalarType.Float64).abs();
        bool[] expectZero = product.ge(Scalars.Of(Math.PI / 2)).data<bool>().ToArray();
        bool[] isZero = sd["C"].abs().amax([0, 2]).eq(Scalars.Of(0)).data<bool>().ToArray();
        Assert.Equal(expectZero, isZero);
        Assert.Contains(true, isZero);
        Assert.Contains(false, isZero);
    }

    [Fact]
    public void Construction_DrawsBAndCAsLecunNormal_AndDAndLogStepInRange()
    {
        using DisposeScope scope = NewDisposeScope();
        const int h = 24;
        const int p = 40;
        var ssm = new S5Layer(h, new S5LayerOptions { StateWidth = p, DtMin = 1e-3, DtMax = 1e-1 }, new Generator(5));
        Dictionary<string, Tensor> sd = ssm.state_dict();
        (_, Tensor v) = HippoInitializer.MakeDplrHippo(p);
        Tensor v64 = v.to(ScalarType.ComplexFloat32);

        // V·B̃ recovers the real truncated-normal B (fan_in = P); C̃·Vᴴ the complex C (fan_in = P·H), no bandlimit here.
        Tensor b = v64.matmul(complex(sd["B"][.., .., 0], sd["B"][.., .., 1]));
        Assert.True(b.imag.abs().max().item<float>() < 1e-5f);
        Assert.True(b.real.abs().max().item<float>() <= 2 * 0.8796257 / Math.Sqrt(p) + 1e-5);
        Tensor c = complex(sd["C"][.., .., 0], sd["C"][.., .., 1]).matmul(v64.conj().t());
        double cBound = 2 * 0.8796257 / Math.Sqrt(p * h) + 1e-5;
        Assert.True(c.real.abs().max().item<float>() <= cBound);
        Assert.True(c.imag.abs().max().item<float>() <= cBound);

        Assert.True(sd["D"].min().item<float>() >= 0f && sd["D"].max().item<float>() < 1f);
        Assert.True(sd["log_step"].min().item<float>() >= Math.Log(1e-3) - 1e-6);
        Assert.True(sd["log_step"].max().item<float>() <= Math.Log(1e-1) + 1e-6);
    }

    /// <summary>
    /// The golden s5 weights are the original's untouched construction under torch.manual_seed(1234). TorchSharp shares
    /// libtorch's CPU generator, so the same draws come out; only the eigenvector signs chosen by the LAPACK build differ,
    /// which flips row p of B̃ and column p of C̃ together.
    /// </summary>
    [Fact]
    public void SeededConstruction_ReproducesTheOriginalUpToEigenvectorSigns()
    {
        using DisposeScope scope = NewDisposeScope();
        var ssm = new S5Layer(16, new S5LayerOptions { Bandlimit = 0.5 }, new Generator(1234));
        Dictionary<string, Tensor> ours = ssm.state_dict();
        Dictionary<string, Tensor> golden = GoldenTensors.LoadStateDict("s5.seq.", "s5", "weights.npz");
        foreach (string key in new[] { "Lambda", "D", "log_step" })
        {
            GoldenTensors.AssertClose(ours[key].detach(), golden[key], 1e-6, key);
        }
        Tensor bOurs = ours["B"].detach();
        Tensor sign = (bOurs * golden["B"]).sum([1, 2]).sign();                 // (P)
        Assert.True(sign.abs().min().item<float>() == 1f);
        GoldenTensors.AssertClose(bOurs * sign.view(-1, 1, 1), golden["B"], 1e-6, "B up to row signs");
        GoldenTensors.AssertClose(ours["C"].detach() * sign.view(1, -1, 1), golden["C"], 1e-6, "C up to column signs");
    }
}
