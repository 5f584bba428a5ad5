using EventSsm.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model;

/// <summary>Element-wise comparisons against golden tensors, reporting the worst element.</summary>
internal static class TensorAssert
{
    /// <summary>Whether two tensors are equal element for element (the same shape after broadcasting).</summary>
    public static bool Same(Tensor a, Tensor b) => a.eq(b).all().item<bool>();

    /// <summary>|actual − expected| ≤ abs + rel·|expected| everywhere.</summary>
    public static void Close(Tensor expected, Tensor actual, double abs, double rel = 0, string what = "")
    {
        Assert.Equal(expected.shape, actual.shape);
        using Tensor e = expected.detach().to(float64);
        using Tensor a = actual.detach().to(float64);
        using Scalar relScalar = Scalars.Owned(rel);
        using Scalar absScalar = Scalars.Owned(abs);
        using Tensor excess = (a - e).abs() - e.abs().mul(relScalar).add(absScalar, Scalars.One);
        double worst = excess.max().item<double>();
        using Tensor diff = (a - e).abs();
        Assert.True(worst <= 0, $"{what}: max |Δ| {diff.max().item<double>():G4} exceeds {abs:G3} + {rel:G3}·|ref| (by {worst:G4})");
    }

    /// <summary>max|actual − expected| ≤ fraction·max|expected| (gradient comparison of the golden README).</summary>
    public static void CloseRelativeToMax(Tensor expected, Tensor actual, double fraction, string what = "")
    {
        Assert.Equal(expected.shape, actual.shape);
        using Tensor e = expected.detach().to(float64);
        using Tensor a = actual.detach().to(float64);
        double scale = e.abs().max().item<double>();
        double diff = (a - e).abs().max().item<double>();
        Assert.True(diff <= fraction * scale, $"{what}: max |Δ| {diff:G4} > {fraction:G3}·{scale:G4}");
    }
}
