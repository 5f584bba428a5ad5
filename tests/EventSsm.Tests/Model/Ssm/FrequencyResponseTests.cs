using TorchSharp;
using EventSsm.Model.Ssm;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Ssm;

public sealed class FrequencyResponseTests
{
    private static (Tensor Lambda, Tensor B, Tensor C, Tensor LogStep) RandomSystem(int p, int h, int seed)
    {
        Generator g = new Generator((ulong)(seed), CPU);
        Tensor lam = complex((-rand([p], dtype: float64, generator: g)).sub(Scalars.Of(0.1)), randn([p], dtype: float64, generator: g).mul(Scalars.Of(3)));
        Tensor b = complex(randn([p, h], dtype: float64, generator: g), randn([p, h], dtype: float64, generator: g));
        Tensor c = complex(randn([h, p], dtype: float64, generator: g), randn([h, p], dtype: float64, generator: g));
        Tensor logStep = rand([p], dtype: float64, generator: g).mul(Scalars.Of(2)).sub(Scalars.Of(1.5));
        return (lam, b, c, logStep);
    }

    [Theory]
    [InlineData(0.3, 1)]
    [InlineData(Math.PI * 0.5, 2)]
    [InlineData(3.0, 3)]
    public void EnergyAboveCutoff_EqualsNumericalIntegration(double cutoff, int seed)
    {
        (Tensor lam, Tensor b, Tensor c, Tensor logStep) = RandomSystem(5, 3, seed);
        double closed = FrequencyResponse.EnergyAboveCutoff(lam, b, c, logStep, cutoff).item<double>();
        // Both half-lines (|H(iω)| is even for a real system): ω = ω_c/u, u ∈ (0, 1], composite Simpson.
        const int n = 20_000;
        var omegas = new double[n + 1];
        var factors = new double[n + 1];
        for (int k = 0; k <= n; k++)
        {
            double u = Math.Max(k / (double)n, 1e-12);
            omegas[k] = cutoff / u;
            factors[k] = (k == 0 || k == n ? 1 : (k % 2 == 1 ? 4 : 2)) * cutoff / (u * u);
        }
        double[] gains = FrequencyResponse.SquaredGains(lam, b, c, logStep, omegas);
        double sum = gains.Zip(factors).Sum(p => p.First * p.Second);
        double numeric = 2 * sum / (3.0 * n) / (2 * Math.PI);
        Assert.True(Math.Abs(closed - numeric) <= 1e-6 * Math.Max(1, Math.Abs(numeric)), $"closed {closed} vs quadrature {numeric}");
    }

    [Fact]
    public void EnergyAboveZeroCutoff_IsHalfTheFullH2NormSquared_AndGrowsAsCutoffFalls()
    {
        (Tensor lam, Tensor b, Tensor c, Tensor logStep) = RandomSystem(4, 2, 7);
        double e0 = FrequencyResponse.EnergyAboveCutoff(lam, b, c, logStep, 0).item<double>();
        double e1 = FrequencyResponse.EnergyAboveCutoff(lam, b, c, logStep, 1).item<double>();
        double e2 = FrequencyResponse.EnergyAboveCutoff(lam, b, c, logStep, 2).item<double>();
        Assert.True(e0 > e1 && e1 > e2 && e2 > 0);
    }

    [Fact]
    public void EnergyIsDifferentiable()
    {
        (Tensor lam, Tensor b, Tensor c, Tensor logStep) = RandomSystem(3, 2, 11);
        Tensor ls = logStep.clone().requires_grad_();
        Tensor re = lam.real.clone().requires_grad_();
        Tensor e = FrequencyResponse.EnergyAboveCutoff(complex(re, lam.imag), b, c, ls, 1.0);
        e.backward();
        Assert.True(ls.grad!.abs().sum().item<double>() > 0);
        Assert.True(re.grad!.abs().sum().item<double>() > 0);
    }

    [Fact]
    public void PassBandMask_RemovesExactlyTheModesAboveTheLimit()
    {
        Tensor imag = tensor(new float[] { 1f, 10f, 100f, 1000f });
        Tensor logStep = tensor(new float[] { MathF.Log(0.01f), MathF.Log(0.01f), MathF.Log(0.01f), MathF.Log(0.01f) });
        // Δ|Im λ| = 0.01, 0.1, 1, 10 vs π·0.5 ≈ 1.571: the last mode is cut at s = 1; at s = 0.1 none are.
        Assert.Equal(new[] { true, true, true, false }, FrequencyResponse.PassBandMask(imag, logStep, 1.0, 0.5).data<bool>().ToArray());
        Assert.Equal(new[] { true, true, true, true }, FrequencyResponse.PassBandMask(imag, logStep, 0.1, 0.5).data<bool>().ToArray());
        Assert.Equal(new[] { true, true, false, false }, FrequencyResponse.PassBandMask(imag, logStep, 2.0, 0.5).data<bool>().ToArray());
    }
}
