using TorchSharp;
using static TorchSharp.torch;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Model.Ssm;

/// <summary>
/// Solves the diagonal linear recurrence x_t = a_t ⊙ x_{t−1} + b_t along the first axis (time), the core of an S5
/// layer. Two evaluations that agree to rounding: a sequential loop (work-optimal; best for short L such as the
/// detector's L ≤ 21 and for streaming) and a log-depth Hillis–Steele scan (⌈log₂ L⌉ tensor steps; best for long L).
/// Both differentiate through autograd and work for real or complex dtypes.
/// </summary>
public static class LinearRecurrence
{
    /// <summary>The length from which <see cref="Solve"/> prefers the parallel scan.</summary>
    public const int ParallelThreshold = 64;

    public enum Method
    {
        /// <summary>Sequential for L &lt; <see cref="ParallelThreshold"/>, parallel otherwise.</summary>
        Auto,
        Sequential,
        Parallel,
    }

    /// <param name="a">(L, …) multipliers, broadcastable to <paramref name="b"/> (e.g. a constant Λ̄ of shape (1, P)).</param>
    /// <param name="b">(L, …) inputs.</param>
    /// <param name="initial">x_{−1} of shape b[0], or null for zero.</param>
    /// <returns>All states x_0 … x_{L−1}, shaped like <paramref name="b"/>.</returns>
    public static Tensor Solve(Tensor a, Tensor b, Tensor? initial = null, Method method = Method.Auto)
    {
        return IsParallel(method, b.shape[0]) ? Parallel(a, b, initial) : Sequential(a, b, initial);
    }

    /// <summary>Whether <paramref name="method"/> evaluates a recurrence of this length with the parallel scan.</summary>
    public static bool IsParallel(Method method, long length) =>
        method == Method.Parallel || (method == Method.Auto && length >= ParallelThreshold);

    public static Tensor Sequential(Tensor a, Tensor b, Tensor? initial = null)
    {
        using DisposeScope scope = NewDisposeScope();
        long length = b.shape[0];
        Tensor aFull = a.shape[0] == length ? a : a.expand(b.shape);
        var states = new Tensor[length];
        Tensor x = initial is null ? b[0] : (aFull[0] * initial).add(b[0], One);
        states[0] = x;
        for (long t = 1; t < length; t++)
        {
            x = (aFull[t] * x).add(b[t], One);
            states[t] = x;
        }
        return stack(states).MoveToOuterDisposeScope();
    }

    public static Tensor Parallel(Tensor a, Tensor b, Tensor? initial = null)
    {
        using DisposeScope scope = NewDisposeScope();
        long length = b.shape[0];
        Tensor aa = (a.shape[0] == length ? a : a.expand(b.shape)).contiguous();
        Tensor bb = b;
        if (initial is not null)
        {
            // Fold x_{−1} into the first input: x_0 = a_0 x_{−1} + b_0.
            bb = cat([(aa[0] * initial).add(b[0], One).unsqueeze(0), b[1..]], 0);
        }
        for (long d = 1; d < length; d *= 2)
        {
            // After this step element t holds the composition of elements (t−2d, t]: (a_t…a_{t−2d+1}, Σ …).
            Tensor bNext = cat([bb[..(int)d], (aa[(int)d..] * bb[..(int)(length - d)]).add(bb[(int)d..], One)], 0);
            Tensor aNext = cat([aa[..(int)d], aa[(int)d..] * aa[..(int)(length - d)]], 0);
            bb = bNext;
            aa = aNext;
        }
        return bb.MoveToOuterDisposeScope();
    }
}
