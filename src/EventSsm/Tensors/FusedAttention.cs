using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Tensors;

/// <summary>
/// softmax(q kᵀ·s) v for every (partition, head) of a qkv projection in one pass, without gradients
/// (docs/MODEL.md §11.1, "Fused attention at inference"). libtorch computes the same as four batched operators over
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

    [StructLayout(LayoutKind.Sequential)]
    private struct Job
    {
        public float* Qkv;
        public float* Output;
        public long Tasks;
        public int Heads;
        public int Tokens;
        public int DimHead;
        public float Scale;
    }

    /// <summary>
    /// Whether <see cref="Forward"/> takes <paramref name="qkv"/> (B', …tokens…, 3·heads·dh): a contiguous float32 CPU
    /// tensor outside autograd, a multiple of 16 tokens per partition up to <see cref="MaxTokens"/>, dh a multiple of 8
    /// up to <see cref="MaxDimHead"/>, a CPU with AVX-512 and libtorch's OpenMP team found. Anything else takes the
    /// caller's libtorch path.
    /// </summary>
    public static bool Applies(Tensor qkv, int heads, int dimHead)
    {
        if (!Vector512.IsHardwareAccelerated || qkv.device_type != DeviceType.CPU || qkv.dtype != ScalarType.Float32
            || (qkv.requires_grad && is_grad_enabled()) || qkv.dim() < 3 || heads < 1
            || dimHead % 8 != 0 || dimHead < 8 || dimHead > MaxDimHead || qkv.shape[^1] != 3L * heads * dimHead
            || qkv.numel() * sizeof(float) > int.MaxValue || !qkv.is_contiguous())
        {
            return false;
        }
        long tokens = Tokens(qkv);
        return tokens > 0 && tokens % 16 == 0 && tokens <= MaxTokens && OpenMpTeam.Available;
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
            throw new ArgumentException(
                $"the fused attention takes a contiguous float32 CPU tensor (B', …, 3·{heads}·{dimHead}) outside autograd "
                + $"with a multiple of 16 tokens up to {MaxTokens} and dh a multiple of 8 up to {MaxDimHead}, on an AVX-512 CPU; "
                + $"got {qkv.dtype} ({string.Join(", ", qkv.shape)}) on {qkv.device_type}", nameof(qkv));
        }
        long partitions = qkv.shape[0];
        int tokens = (int)Tokens(qkv);
        Tensor output = empty([partitions, tokens, (long)heads * dimHead], ScalarType.Float32, CPU);
        var job = new Job
        {
            Qkv = Pointer(qkv),
            Output = Pointer(output),
            Tasks = partitions * heads,
            Heads = heads,
            Tokens = tokens,
            DimHead = dimHead,
            Scale = (float)scale,
        };
        int threads = (int)Math.Clamp(torch.get_num_threads(), 1, Math.Max(job.Tasks, 1));
        OpenMpTeam.Run(&Work, &job, threads);
        return output;
    }

    private static long Tokens(Tensor qkv)
    {
        long tokens = 1;
        for (int d = 1; d < qkv.dim() - 1; d++)
        {
            tokens *= qkv.shape[d];
        }
        return tokens;
    }

    private static float* Pointer(Tensor t) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

    // Runs on each thread of the team: an even share of the tasks, in order. Nothing in it throws.
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Work(void* data)
    {
        Job* job = (Job*)data;
        int thread = OpenMpTeam.ThreadNumber;
        int team = OpenMpTeam.TeamSize;
        long first = job->Tasks * thread / team;
        long end = job->Tasks * (thread + 1) / team;
        switch (job->DimHead)
        {
            case 8: Tasks<Width8>(job, first, end); break;
            case 16: Tasks<Width16>(job, first, end); break;
            case 24: Tasks<Width24>(job, first, end); break;
            case 32: Tasks<Width32>(job, first, end); break;
            case 40: Tasks<Width40>(job, first, end); break;
            case 48: Tasks<Width48>(job, first, end); break;
            case 56: Tasks<Width56>(job, first, end); break;
            default: Tasks<Width64>(job, first, end); break;
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tasks<TWidth>(Job* job, long first, long end) where TWidth : struct, IHeadWidth
    {
        int n = job->Tokens;
        int dh = job->DimHead;
        int heads = job->Heads;
        long rowIn = 3L * heads * dh;
        long rowOut = (long)heads * dh;
        float* keys = stackalloc float[dh * n];
        float* weights = stackalloc float[2 * n];
        for (long task = first; task < end; task++)
        {
            long partition = task / heads;
            int head = (int)(task % heads);
            float* q = job->Qkv + partition * n * rowIn + (long)head * 3 * dh;
            float* output = job->Output + partition * n * rowOut + (long)head * dh;
            TransposeKeys(q + dh, keys, n, dh, rowIn);
            for (int i = 0; i < n; i += 2)
            {
                Scores(q + i * rowIn, q + (i + 1) * rowIn, keys, weights, n, dh, job->Scale);
                Softmax(weights, n);
                Softmax(weights + n, n);
                Mix<TWidth>(weights, q + 2 * dh, n, rowIn, output + i * rowOut, output + (i + 1) * rowOut);
            }
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

    // Two output rows, p·v: each weight times the value row, accumulated over the partition's tokens, even and odd
    // tokens in separate accumulators (n is even) so that consecutive multiply-adds do not wait for each other.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Mix<TWidth>(float* weights, float* v, int n, long rowIn, float* y0, float* y1) where TWidth : struct, IHeadWidth
    {
        var even = default(Accumulators<TWidth>);
        var odd = default(Accumulators<TWidth>);
        for (int j = 0; j < n; j += 2)
        {
            even.Add(weights[j], weights[n + j], v + j * rowIn);
            odd.Add(weights[j + 1], weights[n + j + 1], v + (j + 1) * rowIn);
        }
        even.StoreSum(ref odd, y0, y1);
    }

    // Two rows' output accumulators for one head width; unused ones are compiled away.
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
