using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Tensors;

/// <summary>
/// The S5 recurrence x_k = Λ̄ ⊙ x_{k−1} + B̄u_k on split-complex rows [Re | Im] (2P floats) in one pass per sequence
/// (docs/MODEL.md §11.1, "The S5 scan in one pass"): <see cref="Forward"/> outside autograd, and the forward and
/// backward of <see cref="SplitComplexScanFunction"/> in training. libtorch runs each step as four operators (a swap
/// of the halves, two multiply-adds and, for a carried state, a conversion from complex), each a pass over all
/// sequences, and its autograd keeps the swapped copy and reduces Λ̄'s gradient once per step. Here each sequence's
/// steps follow one another while its row is in the first-level cache, a carried complex state is read as it is
/// stored and the last state written as complex, and the backward runs the adjoint recurrence with Λ̄'s gradient
/// summed on the way. The sequences are shared among libtorch's OpenMP threads (<see cref="OpenMpTeam"/>).
/// </summary>
/// <remarks>
/// The forward computes each step as libtorch's path does, two fused multiply-adds per part (libtorch's
/// <c>addcmul</c> compiles to them): fma(−λi, xi, fma(λr, xr, b)) and fma(λi, xr, fma(λr, xi, b)), so its states are
/// the same bits. The backward sums Λ̄'s gradient in another order than libtorch's reductions (within rounding).
/// </remarks>
public static unsafe class SplitComplexScan
{
    /// <summary>The widest state (P) the kernels take: the backward sums a block's Λ̄ gradient in 2P floats on the
    /// stack.</summary>
    public const int MaxStates = 4096;

    /// <summary>
    /// Null where this process can run the kernels (AVX-512 and libtorch's libgomp found); otherwise why not, for
    /// reports such as <c>benchmark</c>'s.
    /// </summary>
    public static string? Unavailable => OpenMpTeam.VectorKernelsUnavailable;

    [StructLayout(LayoutKind.Sequential)]
    private struct Job
    {
        public float* Input;            // B̄u (forward) or dL/d(states) (backward), in the rows' layout
        public float* States;           // the states; read by the backward
        public float* Output;           // forward: the states; backward: dL/d(B̄u)
        public float* Previous;         // the carried state, complex (N, P) as (re, im) pairs; null: x₋₁ = 0
        public float* Last;             // forward: x_{L−1} as complex (N, P); may be null
        public float* LambdaReal;
        public float* LambdaImag;
        public double* Sums;            // backward: per thread, Σ over its sequences of dL/dλr (P) then dL/dλi (P)
        public long Sequences;
        public long Length;
        public int States2;             // 2P
        public int TimeAxis;
    }

    /// <summary>
    /// Whether the kernels take these operands: B̄u (L, N, 2P) for <paramref name="timeAxis"/> 0 or (N, L, 2P) for 1,
    /// L ≥ 1 and 1 ≤ P ≤ <see cref="MaxStates"/>, contiguous float32 on the CPU; λr and λi (P) float32; the carried
    /// state null or complex64 (N, P), contiguous; and a CPU with AVX-512 and libtorch's OpenMP team. Anything else
    /// takes libtorch's operators.
    /// </summary>
    public static bool Fits(Tensor bu, Tensor lambdaReal, Tensor lambdaImag, Tensor? previous, int timeAxis)
    {
        if (!Vector512.IsHardwareAccelerated || (timeAxis != 0 && timeAxis != 1) || bu.device_type != DeviceType.CPU
            || bu.dtype != ScalarType.Float32 || bu.dim() != 3 || !bu.is_contiguous())
        {
            return false;
        }
        // The shape once: each read of it is a call into libtorch and a new array, and this runs at every S5 layer.
        long[] shape = bu.shape;
        // At least one step and one state: the kernel reads step 0 and writes the last step's state.
        if (shape[timeAxis] < 1 || shape[2] < 2 || shape[2] % 2 != 0 || shape[2] > 2L * MaxStates)
        {
            return false;
        }
        long p = shape[2] / 2;
        long sequences = shape[1 - timeAxis];
        return Vector(lambdaReal, p) && Vector(lambdaImag, p)
            && (previous is null || (previous.device_type == DeviceType.CPU && previous.dtype == ScalarType.ComplexFloat32
                && previous.dim() == 2 && previous.shape[0] == sequences && previous.shape[1] == p && previous.is_contiguous()))
            && OpenMpTeam.Available;

        static bool Vector(Tensor t, long p) =>
            t.device_type == DeviceType.CPU && t.dtype == ScalarType.Float32 && t.dim() == 1 && t.shape[0] == p && t.is_contiguous();
    }

    /// <summary>
    /// All states x_0 … x_{L−1} in <paramref name="bu"/>'s layout, and x_{L−1} as complex (N, P); x₋₁ =
    /// <paramref name="previous"/> (complex) or zero. Outside autograd; throws where <see cref="Fits"/> is false.
    /// </summary>
    public static (Tensor States, Tensor Last) Forward(Tensor bu, Tensor lambdaReal, Tensor lambdaImag, Tensor? previous, int timeAxis)
    {
        if (is_grad_enabled() && (bu.requires_grad || lambdaReal.requires_grad || lambdaImag.requires_grad))
        {
            throw new ArgumentException("SplitComplexScan.Forward runs outside autograd; SplitComplexScanFunction is its autograd form", nameof(bu));
        }
        Tensor states = Run(bu, lambdaReal, lambdaImag, previous, timeAxis, out Tensor last, keepLast: true);
        return (states, last);
    }

    /// <summary>The states only, for <see cref="SplitComplexScanFunction"/>'s forward.</summary>
    internal static Tensor States(Tensor bu, Tensor lambdaReal, Tensor lambdaImag, Tensor? previous, int timeAxis) =>
        Run(bu, lambdaReal, lambdaImag, previous, timeAxis, out _, keepLast: false);

    /// <summary>
    /// The adjoint of the scan: from dL/d(states) and the forward's states, dL/d(B̄u) (the states' layout) with
    /// g_k = dL/dx_k + conj(Λ̄) ⊙ g_{k+1}, and dL/dλr = Σ g_r·x_{k−1,r} + g_i·x_{k−1,i}, dL/dλi = Σ g_i·x_{k−1,r} −
    /// g_r·x_{k−1,i} over every step and sequence (x₋₁ the carried state, or nothing).
    /// </summary>
    internal static (Tensor Bu, Tensor LambdaReal, Tensor LambdaImag) Backward(
        Tensor statesGradient, Tensor states, Tensor lambdaReal, Tensor lambdaImag, Tensor? previous, int timeAxis)
    {
        if (!Fits(states, lambdaReal, lambdaImag, previous, timeAxis) || statesGradient.dtype != ScalarType.Float32
            || !statesGradient.is_contiguous() || !statesGradient.shape.SequenceEqual(states.shape))
        {
            throw new ArgumentException(
                $"the scan's backward takes contiguous float32 gradients shaped as its states ({string.Join(", ", states.shape)}); "
                + $"got {statesGradient.dtype} ({string.Join(", ", statesGradient.shape)})", nameof(statesGradient));
        }
        (Job job, int threads) = NewJob(states, lambdaReal, lambdaImag, previous, timeAxis);
        Tensor buGradient = empty(states.shape, ScalarType.Float32, CPU);
        double[] sums = new double[threads * job.States2];
        fixed (double* s = sums)
        {
            job.Input = OpenMpTeam.FloatPointer(statesGradient);
            job.States = OpenMpTeam.FloatPointer(states);
            job.Output = OpenMpTeam.FloatPointer(buGradient);
            job.Sums = s;
            OpenMpTeam.Run(&WorkBackward, &job, threads);
        }
        int p = job.States2 / 2;
        var lr = new float[p];
        var li = new float[p];
        for (int t = 0; t < threads; t++)
        {
            for (int j = 0; j < p; j++)
            {
                lr[j] = (float)(lr[j] + sums[t * 2 * p + j]);
                li[j] = (float)(li[j] + sums[t * 2 * p + p + j]);
            }
        }
        return (buGradient, tensor(lr, device: CPU), tensor(li, device: CPU));
    }

    private static Tensor Run(Tensor bu, Tensor lambdaReal, Tensor lambdaImag, Tensor? previous, int timeAxis, out Tensor last, bool keepLast)
    {
        if (!Fits(bu, lambdaReal, lambdaImag, previous, timeAxis))
        {
            throw new ArgumentException(
                $"the split-complex scan takes B̄u (L, N, 2P) or (N, L, 2P) contiguous float32 on the CPU with λ (P) float32 and "
                + $"a complex64 (N, P) state or none, on an AVX-512 CPU; got {bu.dtype} ({string.Join(", ", bu.shape)}) "
                + $"on {bu.device_type}", nameof(bu));
        }
        (Job job, int threads) = NewJob(bu, lambdaReal, lambdaImag, previous, timeAxis);
        Tensor states = empty(bu.shape, ScalarType.Float32, CPU);
        last = keepLast ? empty([job.Sequences, job.States2 / 2], ScalarType.ComplexFloat32, CPU) : null!;
        job.Input = OpenMpTeam.FloatPointer(bu);
        job.Output = OpenMpTeam.FloatPointer(states);
        job.Last = keepLast ? OpenMpTeam.FloatPointer(last) : null;
        OpenMpTeam.Run(&WorkForward, &job, threads);
        return states;
    }

    private static (Job Job, int Threads) NewJob(Tensor rows, Tensor lambdaReal, Tensor lambdaImag, Tensor? previous, int timeAxis)
    {
        long[] shape = rows.shape;
        var job = new Job
        {
            Previous = previous is null ? null : OpenMpTeam.FloatPointer(previous),
            LambdaReal = OpenMpTeam.FloatPointer(lambdaReal),
            LambdaImag = OpenMpTeam.FloatPointer(lambdaImag),
            Sequences = shape[1 - timeAxis],
            Length = shape[timeAxis],
            States2 = (int)shape[2],
            TimeAxis = timeAxis,
        };
        // A thread per 16 sequences at least: below that, waking the team costs more than the work.
        int threads = (int)Math.Clamp(Math.Min(torch.get_num_threads(), job.Sequences / 16), 1, int.MaxValue);
        return (job, threads);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void WorkForward(void* data)
    {
        var job = (Job*)data;
        (long first, long end) = OpenMpTeam.Share(job->Sequences);
        for (long n = first; n < end; n++)
        {
            ForwardSequence(job, n);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void WorkBackward(void* data)
    {
        var job = (Job*)data;
        (long first, long end) = OpenMpTeam.Share(job->Sequences);
        int p = job->States2 / 2;
        // This thread's sums: in float over a block of sequences (vectorised), then added to its double totals, so that
        // the float partial sums stay short.
        float* block = stackalloc float[job->States2];
        double* totals = job->Sums + (long)OpenMpTeam.ThreadNumber * job->States2;
        const int BlockSequences = 64;
        for (long start = first; start < end; start += BlockSequences)
        {
            new Span<float>(block, job->States2).Clear();
            long stop = Math.Min(end, start + BlockSequences);
            for (long n = start; n < stop; n++)
            {
                BackwardSequence(job, n, block, block + p);
            }
            for (int j = 0; j < job->States2; j++)
            {
                totals[j] += block[j];
            }
        }
    }

    private static long Row(Job* job, long step, long sequence) =>
        (job->TimeAxis == 0 ? step * job->Sequences + sequence : sequence * job->Length + step) * job->States2;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardSequence(Job* job, long n)
    {
        int p = job->States2 / 2;
        float* lr = job->LambdaReal;
        float* li = job->LambdaImag;
        float* previous = null;
        for (long k = 0; k < job->Length; k++)
        {
            float* input = job->Input + Row(job, k, n);
            float* output = job->Output + Row(job, k, n);
            if (k > 0)
            {
                Step(input, previous, output, lr, li, p);
            }
            else if (job->Previous is not null)
            {
                StepFromComplex(input, job->Previous + 2 * n * p, output, lr, li, p);
            }
            else
            {
                new Span<float>(input, 2 * p).CopyTo(new Span<float>(output, 2 * p));
            }
            previous = output;
        }
        if (job->Last is not null)
        {
            ToComplex(previous, job->Last + 2 * n * p, p);
        }
    }

    // x = fma(λi ⊙ [−1 | 1], [x′i | x′r], fma(λr, x′, b)): libtorch's two addcmul (docs/MODEL.md §3.4), each
    // rounding once.
    private static void Step(float* input, float* previous, float* output, float* lr, float* li, int p)
    {
        int j = 0;
        for (; j <= p - 16; j += 16)
        {
            Vector512<float> a = Vector512.Load(lr + j);
            Vector512<float> b = Vector512.Load(li + j);
            Vector512<float> xr = Vector512.Load(previous + j);
            Vector512<float> xi = Vector512.Load(previous + p + j);
            Vector512.FusedMultiplyAdd(-b, xi, Vector512.FusedMultiplyAdd(a, xr, Vector512.Load(input + j))).Store(output + j);
            Vector512.FusedMultiplyAdd(b, xr, Vector512.FusedMultiplyAdd(a, xi, Vector512.Load(input + p + j))).Store(output + p + j);
        }
        for (; j < p; j++)
        {
            float xr = previous[j];
            float xi = previous[p + j];
            output[j] = MathF.FusedMultiplyAdd(-li[j], xi, MathF.FusedMultiplyAdd(lr[j], xr, input[j]));
            output[p + j] = MathF.FusedMultiplyAdd(li[j], xr, MathF.FusedMultiplyAdd(lr[j], xi, input[p + j]));
        }
    }

    // The same step from a complex state stored as (re, im) pairs.
    private static void StepFromComplex(float* input, float* pairs, float* output, float* lr, float* li, int p)
    {
        int j = 0;
        Vector512<int> evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        Vector512<int> odds = evens + Vector512<int>.One;
        for (; j <= p - 16; j += 16)
        {
            Vector512<float> low = Vector512.Load(pairs + 2 * j);
            Vector512<float> high = Vector512.Load(pairs + 2 * j + 16);
            Vector512<float> xr = Avx512F.PermuteVar16x32x2(low, evens, high);
            Vector512<float> xi = Avx512F.PermuteVar16x32x2(low, odds, high);
            Vector512<float> a = Vector512.Load(lr + j);
            Vector512<float> b = Vector512.Load(li + j);
            Vector512.FusedMultiplyAdd(-b, xi, Vector512.FusedMultiplyAdd(a, xr, Vector512.Load(input + j))).Store(output + j);
            Vector512.FusedMultiplyAdd(b, xr, Vector512.FusedMultiplyAdd(a, xi, Vector512.Load(input + p + j))).Store(output + p + j);
        }
        for (; j < p; j++)
        {
            float xr = pairs[2 * j];
            float xi = pairs[2 * j + 1];
            output[j] = MathF.FusedMultiplyAdd(-li[j], xi, MathF.FusedMultiplyAdd(lr[j], xr, input[j]));
            output[p + j] = MathF.FusedMultiplyAdd(li[j], xr, MathF.FusedMultiplyAdd(lr[j], xi, input[p + j]));
        }
    }

    private static void ToComplex(float* row, float* pairs, int p)
    {
        int j = 0;
        Vector512<int> low = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        Vector512<int> high = low + Vector512.Create(8);
        for (; j <= p - 16; j += 16)
        {
            Vector512<float> re = Vector512.Load(row + j);
            Vector512<float> im = Vector512.Load(row + p + j);
            Avx512F.PermuteVar16x32x2(re, low, im).Store(pairs + 2 * j);
            Avx512F.PermuteVar16x32x2(re, high, im).Store(pairs + 2 * j + 16);
        }
        for (; j < p; j++)
        {
            pairs[2 * j] = row[j];
            pairs[2 * j + 1] = row[p + j];
        }
    }

    // One sequence backwards: g_k = dL/dx_k + conj(Λ̄) ⊙ g_{k+1} into dL/d(B̄u)'s row k, and Λ̄'s gradient terms with
    // x_{k−1} added to sumR (P) and sumI (P).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardSequence(Job* job, long n, float* sumR, float* sumI)
    {
        int p = job->States2 / 2;
        float* lr = job->LambdaReal;
        float* li = job->LambdaImag;
        float* next = null;
        for (long k = job->Length - 1; k >= 0; k--)
        {
            float* gradient = job->Input + Row(job, k, n);
            float* g = job->Output + Row(job, k, n);
            if (next is null)
            {
                new Span<float>(gradient, 2 * p).CopyTo(new Span<float>(g, 2 * p));
            }
            else
            {
                Adjoint(gradient, next, g, lr, li, p);
            }
            if (k > 0)
            {
                AddLambdaTerms(g, job->States + Row(job, k - 1, n), sumR, sumI, p);
            }
            else if (job->Previous is not null)
            {
                AddLambdaTermsFromComplex(g, job->Previous + 2 * n * p, sumR, sumI, p);
            }
            next = g;
        }
    }

    // g = d + conj(Λ̄) ⊙ g′: gr = dr + (λr·g′r + λi·g′i), gi = di + (λr·g′i − λi·g′r).
    private static void Adjoint(float* gradient, float* next, float* g, float* lr, float* li, int p)
    {
        int j = 0;
        for (; j <= p - 16; j += 16)
        {
            Vector512<float> a = Vector512.Load(lr + j);
            Vector512<float> b = Vector512.Load(li + j);
            Vector512<float> nr = Vector512.Load(next + j);
            Vector512<float> ni = Vector512.Load(next + p + j);
            (Vector512.Load(gradient + j) + (a * nr + b * ni)).Store(g + j);
            (Vector512.Load(gradient + p + j) + (a * ni - b * nr)).Store(g + p + j);
        }
        for (; j < p; j++)
        {
            float nr = next[j];
            float ni = next[p + j];
            g[j] = gradient[j] + (lr[j] * nr + li[j] * ni);
            g[p + j] = gradient[p + j] + (lr[j] * ni - li[j] * nr);
        }
    }

    private static void AddLambdaTerms(float* g, float* previous, float* sumR, float* sumI, int p)
    {
        int j = 0;
        for (; j <= p - 16; j += 16)
        {
            Vector512<float> gr = Vector512.Load(g + j);
            Vector512<float> gi = Vector512.Load(g + p + j);
            Vector512<float> xr = Vector512.Load(previous + j);
            Vector512<float> xi = Vector512.Load(previous + p + j);
            (Vector512.Load(sumR + j) + (gr * xr + gi * xi)).Store(sumR + j);
            (Vector512.Load(sumI + j) + (gi * xr - gr * xi)).Store(sumI + j);
        }
        for (; j < p; j++)
        {
            sumR[j] += g[j] * previous[j] + g[p + j] * previous[p + j];
            sumI[j] += g[p + j] * previous[j] - g[j] * previous[p + j];
        }
    }

    private static void AddLambdaTermsFromComplex(float* g, float* pairs, float* sumR, float* sumI, int p)
    {
        for (int j = 0; j < p; j++)
        {
            float xr = pairs[2 * j];
            float xi = pairs[2 * j + 1];
            sumR[j] += g[j] * xr + g[p + j] * xi;
            sumI[j] += g[p + j] * xr - g[j] * xi;
        }
    }
}
