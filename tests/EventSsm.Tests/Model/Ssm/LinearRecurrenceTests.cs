using TorchSharp;
using EventSsm.Model.Ssm;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Ssm;

public sealed class LinearRecurrenceTests
{
    private static Tensor RandomComplex(Generator g, params long[] shape) =>
        complex(randn(shape, dtype: float64, generator: g), randn(shape, dtype: float64, generator: g));

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1000)]
    [InlineData(4096)]
    public void ParallelScan_EqualsSequentialRecurrence_Float64(int length)
    {
        using DisposeScope scope = NewDisposeScope();
        Generator g = new Generator((ulong)(length), CPU);
        // |a| < 1 as for a stable S5 (|Λ̄| < 1), time-varying as with irregular steps.
        Tensor mag = rand([length, 3, 8], dtype: float64, generator: g).mul(Scalars.Of(0.999));
        Tensor phase = rand([length, 3, 8], dtype: float64, generator: g).mul(Scalars.Of(6.28));
        Tensor a = polar(mag, phase);
        Tensor b = RandomComplex(g, length, 3, 8);
        Tensor x0 = RandomComplex(g, 3, 8);
        Tensor seq = LinearRecurrence.Sequential(a, b, x0);
        Tensor par = LinearRecurrence.Parallel(a, b, x0);
        double err = (seq - par).abs().max().item<double>();
        Assert.True(err <= 1e-10, $"max |sequential − parallel| = {err}");
    }

    [Fact]
    public void ConstantMultiplierBroadcasts_AndMatchesHandComputation()
    {
        Tensor a = tensor(new double[] { 0.5 }).reshape(1, 1);
        Tensor b = tensor(new double[] { 1, 2, 3 }).reshape(3, 1);
        double[] expected = [1, 2.5, 4.25];
        Assert.Equal(expected, LinearRecurrence.Sequential(a, b).data<double>().ToArray());
        Assert.Equal(expected, LinearRecurrence.Parallel(a, b).data<double>().ToArray());
        double[] withInit = [1 + 0.5 * 4, 2 + 0.5 * 3, 3 + 0.5 * 3.5];
        Tensor x0 = tensor(new double[] { 4 }).reshape(1);
        Assert.Equal(withInit, LinearRecurrence.Solve(a, b, x0, LinearRecurrence.Method.Parallel).data<double>().ToArray());
    }

    [Fact]
    public void GradientsAgreeBetweenMethods()
    {
        Generator g = new Generator((ulong)(3), CPU);
        Tensor a = rand([50, 4], dtype: float64, generator: g).mul(Scalars.Of(0.9)).requires_grad_();
        Tensor b = randn([50, 4], dtype: float64, generator: g).requires_grad_();
        LinearRecurrence.Sequential(a, b).pow(Scalars.Of(2)).sum().backward();
        Tensor ga = a.grad!.clone();
        Tensor gb = b.grad!.clone();
        a.grad!.zero_();
        b.grad!.zero_();
        LinearRecurrence.Parallel(a, b).pow(Scalars.Of(2)).sum().backward();
        Assert.True((ga - a.grad!).abs().max().item<double>() < 1e-10);
        Assert.True((gb - b.grad!).abs().max().item<double>() < 1e-10);
    }
}
