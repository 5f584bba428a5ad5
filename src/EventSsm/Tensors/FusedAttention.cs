using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Tensors;

/// <summary>
/// softmax(q kᵀ·s) v for every (partition, head) of a qkv projection in one pass: <see cref="Forward"/> at inference
/// (docs/MODEL.md §11.1, "Fused attention at inference"), and the forward and backward of
/// <see cref="FusedAttentionFunction"/> in training. libtorch computes the same as four batched operators over
/// (partitions·heads) small matrices: q kᵀ and p v are products of 80 × dh by dh × 80 on Gen1's partitions, which its
/// batched GEMM runs at a fraction of its rate, and every step writes an N×N tensor per task to memory and reads it
/// back. Here one task (a partition's head) stays in the first-level cache from q kᵀ to the output, the inputs are read
/// in place from the projection's head-major channels and the output is written with the heads merged, so the head
/// split and merge copy nothing either. The tasks run on libtorch's own OpenMP team (<see cref="OpenMpTeam"/>).
/// </summary>
/// <remarks>
/// Sums run in another order than libtorch's, and the exponential is a polynomial of our own (libtorch's vectorised
/// one is not reachable from .NET): the result equals libtorch's within rounding, about 1e-7 relative.
/// </remarks>
public static unsafe class FusedAttention
{
    /// <summary>The longest partition (tokens) the kernel takes; its keys are transposed onto the stack.</summary>
    public const int MaxTokens = 256;

    /// <summary>The widest head the kernel takes.</summary>
    public const int MaxDimHead = 64;

    /// <summary>
    /// Null where this process can run the kernels (AVX-512 and libtorch's libgomp found); otherwise why not, for
    /// reports such as <c>benchmark</c>'s.
    /// </summary>
    public static string? Unavailable => OpenMpTeam.VectorKernelsUnavailable;

    [StructLayout(LayoutKind.Sequential)]
    private struct Job
    {
        public float* Qkv;
        public float* Output;
        public float* Probabilities;     // (tasks, n, n): the attention weights, kept for the backward; null at inference
        public float* OutputGradient;    // backward: dL/d(output), (B', n, heads·dh)
        public float* QkvGradient;       // backward: dL/d(qkv), (B', n, 3·heads·dh)
        public long Tasks;
        public int Heads;
        public int Tokens;
        public int DimHead;
        public float Scale;
    }

    /// <summary>
    /// Whether <see cref="Forward"/> takes <paramref name="qkv"/> (B', …tokens…, 3·heads·dh): a tensor outside autograd
    /// that <see cref="Fits"/>. Anything else takes the caller's libtorch path.
    /// </summary>
    public static bool Applies(Tensor qkv, int heads, int dimHead) =>
        !(qkv.requires_grad && is_grad_enabled()) && Fits(qkv, heads, dimHead);

    /// <summary>
    /// Whether the kernels take <paramref name="qkv"/> (B', …tokens…, 3·heads·dh), with or without gradients: a
    /// contiguous float32 CPU tensor, a multiple of 16 tokens per partition up to <see cref="MaxTokens"/>, dh a
    /// multiple of 8 up to <see cref="MaxDimHead"/>, a CPU with AVX-512 and libtorch's OpenMP team found.
    /// </summary>
    public static bool Fits(Tensor qkv, int heads, int dimHead)
    {
        if (!Vector512.IsHardwareAccelerated || qkv.device_type != DeviceType.CPU || qkv.dtype != ScalarType.Float32
            || heads < 1 || dimHead % 8 != 0 || dimHead < 8 || dimHead > MaxDimHead)
        {
            return false;
        }
        // The shape once: each read of it is a call into libtorch and a new array, and this runs at every attention.
        long[] shape = qkv.shape;
        if (shape.Length < 3 || shape[^1] != 3L * heads * dimHead || !qkv.is_contiguous())
        {
            return false;
        }
        long tokens = Tokens(shape);
        return tokens > 0 && tokens % 16 == 0 && tokens <= MaxTokens
            && shape[0] * tokens * shape[^1] * sizeof(float) <= int.MaxValue
            && shape[0] * heads * tokens * tokens * sizeof(float) <= int.MaxValue && OpenMpTeam.Available;
    }

    /// <summary>
    /// The attention of each partition of <paramref name="qkv"/> (B', …tokens…, C'), whose channels are head-major
    /// [h0: q k v, h1: q k v, …] (docs/MODEL.md §3.2): (B', tokens, heads·dh) with the heads merged, as
    /// <c>softmax(q kᵀ·scale) v</c> transposed back and reshaped. Throws where <see cref="Applies"/> is false.
    /// </summary>
    public static Tensor Forward(Tensor qkv, int heads, int dimHead, double scale)
    {
        if (!Applies(qkv, heads, dimHead))
        {
            throw NotTaken(qkv, heads, dimHead, "outside autograd ");
        }
        return Run(qkv, heads, dimHead, scale, keepWeights: false).Output;
    }

    /// <summary>
    /// The forward of <see cref="FusedAttentionFunction"/>: the output as <see cref="Forward"/> computes it, and every
    /// task's attention weights P (B'·heads, n, n) for the backward, as libtorch's unfused attention keeps its softmax
    /// output. (Recomputing P in the backward from two numbers per row instead was slower: docs/PERFORMANCE.md "Tried
    /// and kept (tenth session)".)
    /// </summary>
    internal static (Tensor Output, Tensor Weights) ForwardKeepingWeights(Tensor qkv, int heads, int dimHead, double scale)
    {
        if (!Fits(qkv, heads, dimHead))
        {
            throw NotTaken(qkv, heads, dimHead, "");
        }
        return Run(qkv, heads, dimHead, scale, keepWeights: true);
    }

    /// <summary>
    /// dL/d(qkv) (B', …tokens…, 3·heads·dh) from dL/d(output) (B', n, heads·dh), the forward's input and its attention
    /// weights P, for every task: dV = Pᵀ·dO, dS = P ⊙ (dO·Vᵀ − Σⱼ P ⊙ dO·Vᵀ)·scale, dQ = dS·K, dK = dSᵀ·Q, written into
    /// the head-major channels (docs/MODEL.md §11.1, "Fused attention in training").
    /// </summary>
    internal static Tensor Backward(Tensor outputGradient, Tensor qkv, Tensor weights, int heads, int dimHead, double scale)
    {
        long[] shape = qkv.shape;
        long partitions = shape[0];
        int tokens = (int)Tokens(shape);
        if (!Fits(qkv, heads, dimHead) || outputGradient.dtype != ScalarType.Float32 || !outputGradient.is_contiguous()
            || outputGradient.numel() != partitions * tokens * heads * dimHead || weights.dtype != ScalarType.Float32
            || weights.numel() != partitions * heads * tokens * tokens || !weights.is_contiguous())
        {
            throw new ArgumentException(
                $"the fused attention's backward takes contiguous float32 gradients ({partitions}, {tokens}, {heads * dimHead}) "
                + $"and weights ({partitions * heads}, {tokens}, {tokens}); got ({string.Join(", ", outputGradient.shape)}) and "
                + $"({string.Join(", ", weights.shape)})", nameof(outputGradient));
        }
        Tensor qkvGradient = empty(shape, ScalarType.Float32, CPU);
        var job = NewJob(qkv, partitions, tokens, heads, dimHead, scale);
        job.Probabilities = OpenMpTeam.FloatPointer(weights);
        job.OutputGradient = OpenMpTeam.FloatPointer(outputGradient);
        job.QkvGradient = OpenMpTeam.FloatPointer(qkvGradient);
        OpenMpTeam.Run(&WorkBackward, &job, Threads(job.Tasks));
        return qkvGradient;
    }

    private static (Tensor Output, Tensor Weights) Run(Tensor qkv, int heads, int dimHead, double scale, bool keepWeights)
    {
        long[] shape = qkv.shape;
        long partitions = shape[0];
        int tokens = (int)Tokens(shape);
        Tensor output = empty([partitions, tokens, (long)heads * dimHead], ScalarType.Float32, CPU);
        Tensor weights = keepWeights ? empty([partitions * heads, tokens, tokens], ScalarType.Float32, CPU) : null!;
        var job = NewJob(qkv, partitions, tokens, heads, dimHead, scale);
        job.Output = OpenMpTeam.FloatPointer(output);
        job.Probabilities = keepWeights ? OpenMpTeam.FloatPointer(weights) : null;
        OpenMpTeam.Run(&Work, &job, Threads(job.Tasks));
        return (output, weights);
    }

    private static Job NewJob(Tensor qkv, long partitions, int tokens, int heads, int dimHead, double scale) => new()
    {
        Qkv = OpenMpTeam.FloatPointer(qkv),
        Tasks = partitions * heads,
        Heads = heads,
        Tokens = tokens,
        DimHead = dimHead,
        Scale = (float)scale,
    };

    private static int Threads(long tasks) => (int)Math.Clamp(torch.get_num_threads(), 1, Math.Max(tasks, 1));

    private static ArgumentException NotTaken(Tensor qkv, int heads, int dimHead, string autograd) => new(
        $"the fused attention takes a contiguous float32 CPU tensor (B', …, 3·{heads}·{dimHead}) {autograd}"
        + $"with a multiple of 16 tokens up to {MaxTokens} and dh a multiple of 8 up to {MaxDimHead}, on an AVX-512 CPU; "
        + $"got {qkv.dtype} ({string.Join(", ", qkv.shape)}) on {qkv.device_type}", nameof(qkv));

    // Tokens per partition: the dimensions between the first (partitions) and the last (channels).
    private static long Tokens(long[] shape)
    {
        long tokens = 1;
        for (int d = 1; d < shape.Length - 1; d++)
        {
            tokens *= shape[d];
        }
        return tokens;
    }

    // Run on each thread of the team: an even share of the tasks, in order. Nothing in them throws.
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Work(void* data) => Dispatch((Job*)data, backward: false);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void WorkBackward(void* data) => Dispatch((Job*)data, backward: true);

    private static void Dispatch(Job* job, bool backward)
    {
        (long first, long end) = OpenMpTeam.Share(job->Tasks);
        switch (job->DimHead)
        {
            case 8: Share<Width8>(job, first, end, backward); break;
            case 16: Share<Width16>(job, first, end, backward); break;
            case 24: Share<Width24>(job, first, end, backward); break;
            case 32: Share<Width32>(job, first, end, backward); break;
            case 40: Share<Width40>(job, first, end, backward); break;
            case 48: Share<Width48>(job, first, end, backward); break;
            case 56: Share<Width56>(job, first, end, backward); break;
            default: Share<Width64>(job, first, end, backward); break;
        }
    }

    private static void Share<TWidth>(Job* job, long first, long end, bool backward) where TWidth : struct, IHeadWidth
    {
        if (backward)
        {
            TasksBackward<TWidth>(job, first, end);
        }
        else
        {
            Tasks<TWidth>(job, first, end);
        }
    }

    // The head width as a type, so that the JIT compiles each width's output accumulators as registers:
    // dh = 16·Full + 8·(Half ? 1 : 0).
    private interface IHeadWidth
    {
        static abstract int Full { get; }
        static abstract bool Half { get; }
    }

    private struct Width8 : IHeadWidth { public static int Full => 0; public static bool Half => true; }
    private struct Width16 : IHeadWidth { public static int Full => 1; public static bool Half => false; }
    private struct Width24 : IHeadWidth { public static int Full => 1; public static bool Half => true; }
    private struct Width32 : IHeadWidth { public static int Full => 2; public static bool Half => false; }
    private struct Width40 : IHeadWidth { public static int Full => 2; public static bool Half => true; }
    private struct Width48 : IHeadWidth { public static int Full => 3; public static bool Half => false; }
    private struct Width56 : IHeadWidth { public static int Full => 3; public static bool Half => true; }
    private struct Width64 : IHeadWidth { public static int Full => 4; public static bool Half => false; }

    // Where a task's rows lie: task = partition·heads + head; the projection's rows are 3·heads·dh floats apart (the
    // head's q, k and v at 3·dh·head), the output's heads·dh (the head at dh·head).
    private readonly struct TaskRows(Job* job)
    {
        public readonly int Tokens = job->Tokens;
        public readonly int DimHead = job->DimHead;
        public readonly int Heads = job->Heads;
        public readonly long In = 3L * job->Heads * job->DimHead;
        public readonly long Out = (long)job->Heads * job->DimHead;

        public long QkvOffset(long task) => task / Heads * Tokens * In + task % Heads * 3L * DimHead;

        public long OutputOffset(long task) => task / Heads * Tokens * Out + task % Heads * DimHead;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tasks<TWidth>(Job* job, long first, long end) where TWidth : struct, IHeadWidth
    {
        var rows = new TaskRows(job);
        (int n, int dh, long rowIn, long rowOut) = (rows.Tokens, rows.DimHead, rows.In, rows.Out);
        float* keys = stackalloc float[dh * n];
        float* weights = stackalloc float[2 * n];
        for (long task = first; task < end; task++)
        {
            float* q = job->Qkv + rows.QkvOffset(task);
            float* output = job->Output + rows.OutputOffset(task);
            if (task + 1 < end)
            {
                Prefetch(job->Qkv + rows.QkvOffset(task + 1), n, 3 * dh, rowIn);
            }
            TransposeKeys(q + dh, keys, n, dh, rowIn);
            for (int i = 0; i < n; i += 2)
            {
                // Two rows of weights: on the stack, or where the backward will find them.
                float* w = job->Probabilities is null ? weights : job->Probabilities + (task * n + i) * n;
                Scores(q + i * rowIn, q + (i + 1) * rowIn, keys, w, n, dh, job->Scale);
                Softmax(w, n);
                Softmax(w + n, n);
                Mix<TWidth>(w, w + n, 1, q + 2 * dh, rowIn, n, output + i * rowOut, output + (i + 1) * rowOut);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TasksBackward<TWidth>(Job* job, long first, long end) where TWidth : struct, IHeadWidth
    {
        var rows = new TaskRows(job);
        (int n, int dh, long rowIn, long rowOut) = (rows.Tokens, rows.DimHead, rows.In, rows.Out);
        float* values = stackalloc float[dh * n];
        // dS (n, n) of one task: up to 256 KB, on the heap rather than the stack of a thread we did not start.
        float* scores = (float*)NativeMemory.AlignedAlloc((nuint)n * (nuint)n * sizeof(float), 64);
        for (long task = first; task < end; task++)
        {
            float* q = job->Qkv + rows.QkvOffset(task);
            float* dq = job->QkvGradient + rows.QkvOffset(task);
            float* dO = job->OutputGradient + rows.OutputOffset(task);
            float* p = job->Probabilities + task * n * n;
            if (task + 1 < end)
            {
                Prefetch(job->Qkv + rows.QkvOffset(task + 1), n, 3 * dh, rowIn);
                Prefetch(job->OutputGradient + rows.OutputOffset(task + 1), n, dh, rowOut);
            }
            TransposeKeys(q + 2 * dh, values, n, dh, rowIn);
            for (int i = 0; i < n; i += 2)
            {
                float* ds = scores + i * n;
                Scores(dO + i * rowOut, dO + (i + 1) * rowOut, values, ds, n, dh, 1f);   // dP = dO·Vᵀ
                SoftmaxBackward(p + i * n, ds, n, job->Scale);
                SoftmaxBackward(p + (i + 1) * n, ds + n, n, job->Scale);
                Mix<TWidth>(ds, ds + n, 1, q + dh, rowIn, n, dq + i * rowIn, dq + (i + 1) * rowIn);   // dQ = dS·K
            }
            for (int c = 0; c < n; c += 2)
            {
                // Columns of P and dS, read with a stride of n: dV = Pᵀ·dO and dK = dSᵀ·Q.
                Mix<TWidth>(p + c, p + c + 1, n, dO, rowOut, n, dq + 2 * dh + c * rowIn, dq + 2 * dh + (c + 1) * rowIn);
                Mix<TWidth>(scores + c, scores + c + 1, n, q, rowIn, n, dq + dh + c * rowIn, dq + dh + (c + 1) * rowIn);
            }
        }
        NativeMemory.AlignedFree(scores);
    }

    // One row in place: dS = (P ⊙ (dP − Σⱼ P·dP))·scale, libtorch's softmax backward followed by the scale's.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SoftmaxBackward(float* p, float* gradient, int n, float scale)
    {
        Vector512<float> dot = default;
        for (int c = 0; c < n; c += 16)
        {
            dot = Vector512.FusedMultiplyAdd(Vector512.Load(p + c), Vector512.Load(gradient + c), dot);
        }
        Vector512<float> total = Vector512.Create(Vector512.Sum(dot));
        Vector512<float> s = Vector512.Create(scale);
        for (int c = 0; c < n; c += 16)
        {
            (Vector512.Load(p + c) * (Vector512.Load(gradient + c) - total) * s).Store(gradient + c);
        }
    }

    // The next task's rows (width floats, stride apart) towards the second-level cache, while this task computes: in
    // training the projection is larger than the caches, and its rows lie a row stride apart.
    private static void Prefetch(float* first, int rows, int width, long stride)
    {
        for (int j = 0; j < rows; j++)
        {
            byte* row = (byte*)(first + j * stride);
            for (int b = 0; b < width * sizeof(float); b += 64)
            {
                Sse.Prefetch1(row + b);
            }
            Sse.Prefetch1(row + (width * sizeof(float) - 1));
        }
    }

    // kᵀ (dh, n) of the task's keys, read at the projection's row stride.
    private static void TransposeKeys(float* k, float* keys, int n, int dh, long rowIn)
    {
        for (int j = 0; j < n; j++)
        {
            float* row = k + j * rowIn;
            for (int d = 0; d < dh; d++)
            {
                keys[d * n + j] = row[d];
            }
        }
    }

    // Two rows of (q kᵀ)·scale: 64 columns at a time (8 accumulators), then 16. The products are summed over dh
    // before the scale, as libtorch's matmul and mul_ do.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scores(float* q0, float* q1, float* keys, float* weights, int n, int dh, float scale)
    {
        Vector512<float> s = Vector512.Create(scale);
        int c = 0;
        for (; c + 64 <= n; c += 64)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
            for (int d = 0; d < dh; d++)
            {
                float* k = keys + d * n + c;
                Vector512<float> k0 = Vector512.Load(k), k1 = Vector512.Load(k + 16), k2 = Vector512.Load(k + 32), k3 = Vector512.Load(k + 48);
                Vector512<float> x = Vector512.Create(q0[d]), y = Vector512.Create(q1[d]);
                a0 = Vector512.FusedMultiplyAdd(x, k0, a0);
                a1 = Vector512.FusedMultiplyAdd(x, k1, a1);
                a2 = Vector512.FusedMultiplyAdd(x, k2, a2);
                a3 = Vector512.FusedMultiplyAdd(x, k3, a3);
                b0 = Vector512.FusedMultiplyAdd(y, k0, b0);
                b1 = Vector512.FusedMultiplyAdd(y, k1, b1);
                b2 = Vector512.FusedMultiplyAdd(y, k2, b2);
                b3 = Vector512.FusedMultiplyAdd(y, k3, b3);
            }
            float* w0 = weights + c;
            float* w1 = weights + n + c;
            (a0 * s).Store(w0);
            (a1 * s).Store(w0 + 16);
            (a2 * s).Store(w0 + 32);
            (a3 * s).Store(w0 + 48);
            (b0 * s).Store(w1);
            (b1 * s).Store(w1 + 16);
            (b2 * s).Store(w1 + 32);
            (b3 * s).Store(w1 + 48);
        }
        // 16 columns: two accumulators per row (even and odd d, dh is even) so that consecutive multiply-adds do not
        // wait for each other.
        for (; c < n; c += 16)
        {
            Vector512<float> a = default, b = default, a2 = default, b2 = default;
            for (int d = 0; d < dh; d += 2)
            {
                Vector512<float> k = Vector512.Load(keys + d * n + c);
                Vector512<float> k2 = Vector512.Load(keys + (d + 1) * n + c);
                a = Vector512.FusedMultiplyAdd(Vector512.Create(q0[d]), k, a);
                b = Vector512.FusedMultiplyAdd(Vector512.Create(q1[d]), k, b);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Create(q0[d + 1]), k2, a2);
                b2 = Vector512.FusedMultiplyAdd(Vector512.Create(q1[d + 1]), k2, b2);
            }
            ((a + a2) * s).Store(weights + c);
            ((b + b2) * s).Store(weights + n + c);
        }
    }

    // One row in place: exp(x − max) / Σ, as libtorch's softmax computes it (the maximum taken out first).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Softmax(float* row, int n)
    {
        Vector512<float> max = Vector512.Load(row);
        for (int c = 16; c < n; c += 16)
        {
            max = Vector512.Max(max, Vector512.Load(row + c));
        }
        Vector256<float> m8 = Vector256.Max(max.GetLower(), max.GetUpper());
        Vector128<float> m4 = Vector128.Max(m8.GetLower(), m8.GetUpper());
        float m = MathF.Max(MathF.Max(m4[0], m4[1]), MathF.Max(m4[2], m4[3]));
        Vector512<float> shift = Vector512.Create(m);
        Vector512<float> sum = default;
        for (int c = 0; c < n; c += 16)
        {
            Vector512<float> e = Exp(Vector512.Load(row + c) - shift);
            sum += e;
            e.Store(row + c);
        }
        Vector512<float> inverse = Vector512.Create(1f / Vector512.Sum(sum));
        for (int c = 0; c < n; c += 16)
        {
            (Vector512.Load(row + c) * inverse).Store(row + c);
        }
    }

    /// <summary>
    /// eˣ for x ≤ 0 (a softmax's shifted scores), within about 1 ulp: 2ⁿ·e^r with n = round(x·log₂e) and
    /// r = x − n·ln 2 in two parts, e^r by Cephes' degree-6 polynomial. n is rounded by adding 1.5·2²³ + 127, which
    /// leaves n + 127 in the low mantissa bits, the exponent field of 2ⁿ after a shift. Below −87.3 the result is
    /// e^−87.3, where libtorch's would be a denormal or 0: negligible beside the row's maximum, e⁰ = 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Exp(Vector512<float> x)
    {
        const float Shift = 12582912f + 127f;
        x = Vector512.Max(x, Vector512.Create(-87.3f));
        Vector512<float> t = Vector512.FusedMultiplyAdd(x, Vector512.Create(1.44269504088896341f), Vector512.Create(Shift));
        Vector512<float> n = t - Vector512.Create(Shift);
        Vector512<float> r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-0.693359375f), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(2.12194440e-4f), r);
        Vector512<float> p = Vector512.Create(1.9875691500e-4f);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.3981999507e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894e-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459e-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201e-1f));
        p = Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
        return p * (t.AsInt32() << 23).AsSingle();
    }

    // Two output rows y = Σⱼ w[j]·value[j]: the weights of row 0 at w0[j·stride], of row 1 at w1[j·stride], the value
    // rows valueStride apart. Even and odd j in separate accumulators (n is even), so that consecutive multiply-adds
    // do not wait for each other.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Mix<TWidth>(float* w0, float* w1, long stride, float* values, long valueStride, int n, float* y0, float* y1)
        where TWidth : struct, IHeadWidth
    {
        var even = default(Accumulators<TWidth>);
        var odd = default(Accumulators<TWidth>);
        for (int j = 0; j < n; j += 2)
        {
            even.Add(w0[j * stride], w1[j * stride], values + j * valueStride);
            odd.Add(w0[(j + 1) * stride], w1[(j + 1) * stride], values + (j + 1) * valueStride);
        }
        even.StoreSum(ref odd, y0, y1);
    }

    // Two rows' output accumulators for one head width; unused ones are compiled away. Written out one by one: the JIT
    // keeps named vector fields in registers, an indexed array of them would live in memory.
    private struct Accumulators<TWidth> where TWidth : struct, IHeadWidth
    {
        private Vector512<float> a0, a1, a2, a3, b0, b1, b2, b3;
        private Vector256<float> ah, bh;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(float w0, float w1, float* row)
        {
            Vector512<float> x = Vector512.Create(w0);
            Vector512<float> y = Vector512.Create(w1);
            if (TWidth.Full > 0)
            {
                Vector512<float> value = Vector512.Load(row);
                a0 = Vector512.FusedMultiplyAdd(x, value, a0);
                b0 = Vector512.FusedMultiplyAdd(y, value, b0);
            }
            if (TWidth.Full > 1)
            {
                Vector512<float> value = Vector512.Load(row + 16);
                a1 = Vector512.FusedMultiplyAdd(x, value, a1);
                b1 = Vector512.FusedMultiplyAdd(y, value, b1);
            }
            if (TWidth.Full > 2)
            {
                Vector512<float> value = Vector512.Load(row + 32);
                a2 = Vector512.FusedMultiplyAdd(x, value, a2);
                b2 = Vector512.FusedMultiplyAdd(y, value, b2);
            }
            if (TWidth.Full > 3)
            {
                Vector512<float> value = Vector512.Load(row + 48);
                a3 = Vector512.FusedMultiplyAdd(x, value, a3);
                b3 = Vector512.FusedMultiplyAdd(y, value, b3);
            }
            if (TWidth.Half)
            {
                Vector256<float> value = Vector256.Load(row + 16 * TWidth.Full);
                ah = Vector256.FusedMultiplyAdd(x.GetLower(), value, ah);
                bh = Vector256.FusedMultiplyAdd(y.GetLower(), value, bh);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void StoreSum(ref Accumulators<TWidth> other, float* y0, float* y1)
        {
            if (TWidth.Full > 0) { (a0 + other.a0).Store(y0); (b0 + other.b0).Store(y1); }
            if (TWidth.Full > 1) { (a1 + other.a1).Store(y0 + 16); (b1 + other.b1).Store(y1 + 16); }
            if (TWidth.Full > 2) { (a2 + other.a2).Store(y0 + 32); (b2 + other.b2).Store(y1 + 32); }
            if (TWidth.Full > 3) { (a3 + other.a3).Store(y0 + 48); (b3 + other.b3).Store(y1 + 48); }
            if (TWidth.Half) { (ah + other.ah).Store(y0 + 16 * TWidth.Full); (bh + other.bh).Store(y1 + 16 * TWidth.Full); }
        }
    }
}
