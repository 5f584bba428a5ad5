using TorchSharp;
using static TorchSharp.torch;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Model.Ssm;

/// <summary>
/// Random initialisation of an S5 layer as in the original's <c>s5_init.py</c>/<c>jax_func.py</c> (docs/MODEL.md §4.2).
/// Only needed to train from scratch; a checkpoint overrides all of it.
/// </summary>
public static class HippoInitializer
{
    // jax's lecun_normal: truncated normal on [-2, 2] rescaled to unit variance before truncation.
    private const double TruncatedNormalStdCorrection = 0.87962566103423978;

    /// <summary>
    /// Diagonalisation of the normal part S of HiPPO-LegS (N×N): returns λ (N, complex128) with Re λ = mean(diag S) = −0.5
    /// and Im λ, V (N×N, complex128) from the Hermitian eigen-decomposition of −i·S, eigenvalues ascending.
    /// </summary>
    public static (Tensor Lambda, Tensor V) MakeDplrHippo(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        using DisposeScope scope = NewDisposeScope();
        Tensor s = MakeNormalHippo(n);
        // S = −½I + K with K skew-symmetric, so −i·S is Hermitian up to its imaginary diagonal, which LAPACK (and numpy's
        // eigh in the original) ignores; −i·K is the exact matrix it diagonalises.
        Tensor diag = s.diagonal();
        Tensor skew = s - diag.diag();
        Tensor hermitian = complex(zeros_like(skew), -skew);
        (Tensor imag, Tensor v) = linalg.eigh(hermitian);
        using Scalar mean = Owned(diag.mean().item<double>());
        Tensor lambda = complex(full_like(imag, mean), imag);
        return (lambda.MoveToOuterDisposeScope(), v.MoveToOuterDisposeScope());
    }

    /// <summary>S = A + p pᵀ with A the (negated) HiPPO-LegS matrix and p_n = √(n + ½), float64 (N×N).</summary>
    public static Tensor MakeNormalHippo(int n)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor k = arange(Of(0), Of(n), One, dtype: ScalarType.Float64);
        Tensor q = k.mul(Of(2)).add(One, One).sqrt();
        Tensor a = -(outer(q, q).tril() - k.diag());
        Tensor p = k.add(Of(0.5), One).sqrt();
        return a.add(outer(p, p), One).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// jax-style lecun_normal in float32: √2·erfinv(U[erf(−√2), erf(√2)]) clipped inside (−2, 2), times
    /// 0.8796·√(1/fan_in). fan_in follows jax's <c>_compute_fans</c>: shape[0] for 2-D, shape[-2]·∏shape[..-2] above.
    /// </summary>
    public static Tensor LecunNormal(long[] shape, Generator? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shape.Length, 2);
        long fanIn = shape.Length == 2 ? shape[0] : shape[^2] * shape[..^2].Aggregate(1L, (x, y) => x * y);
        double std = Math.Sqrt(1.0 / Math.Max(1, fanIn)) * TruncatedNormalStdCorrection;
        double lo = Erf(-Math.Sqrt(2.0));
        double hi = Erf(Math.Sqrt(2.0));
        using DisposeScope scope = NewDisposeScope();
        Tensor u = rand(shape, generator: generator).mul(Of(hi - lo)).add(Of(lo), One);
        Tensor t = u.erfinv().mul(Of(Math.Sqrt(2.0)));
        float lower = MathF.BitIncrement(-2f);
        float upper = MathF.BitDecrement(2f);
        return t.clamp(Of(lower), Of(upper)).mul(Of(std)).MoveToOuterDisposeScope();
    }

    /// <summary>erf in float64 via libtorch (the BCL has none).</summary>
    private static double Erf(double x)
    {
        using Tensor t = tensor(x, ScalarType.Float64);
        using Tensor e = t.erf();
        return e.item<double>();
    }
}
