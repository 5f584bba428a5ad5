using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using EventSsm.Model.Backbone;
using EventSsm.Tensors;
using FsCheck.Xunit;
using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Tests.Tensors;

/// <summary>The fused partition attention, its backward and their OpenMP team (docs/MODEL.md §11.1).</summary>
public sealed class FusedAttentionTests
{
    // Gen1's 80-token partitions with the small (dh 24) and base (dh 32) heads at several stages' head counts, and every
    // head width and token count the kernels' blocks distinguish (64-column blocks and their 16-column remainder).
    public static TheoryData<int, int, int, int, int> Shapes => new()
    {
        { 64, 8, 10, 2, 24 },
        { 1, 8, 10, 16, 24 },
        { 16, 8, 10, 4, 32 },
        { 3, 4, 4, 1, 8 },
        { 2, 8, 8, 3, 16 },
        { 2, 12, 20, 2, 40 },
        { 1, 16, 16, 2, 48 },
        { 2, 1, 144, 1, 56 },
        { 2, 4, 20, 2, 64 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_IsAsAccurateAsTheUnfusedAttention(int partitions, int height, int width, int heads, int dimHead)
    {
        Assert.True(MatchesUnfused(partitions, height, width, heads, dimHead, seed: 1), "the fused attention is less accurate than the unfused one");
    }

    [Property(MaxTest = 25)]
    public bool Forward_IsAsAccurateAsTheUnfusedAttention_ForAnyShape(byte partitions, byte tokens, byte heads, byte width, int seed) =>
        MatchesUnfused(partitions % 5 + 1, 1, (tokens % 16 + 1) * 16, heads % 4 + 1, (width % 8 + 1) * 8, seed);

    [Fact]
    public void Forward_GivesTheSameBits_OnOneThreadAndOnTwo()
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor qkv = randn([33, 8, 10, 3 * 2 * 24], generator: new Generator(3));
        if (!KernelRuns)
        {
            Assert.Throws<ArgumentException>(() => FusedAttention.Forward(qkv, 2, 24, 0.2));
            return;
        }
        int threads = get_num_threads();
        try
        {
            set_num_threads(1);
            Tensor one = FusedAttention.Forward(qkv, 2, 24, 0.2);
            set_num_threads(2);
            Tensor two = FusedAttention.Forward(qkv, 2, 24, 0.2);
            Assert.True(MemoryMarshal.Cast<byte, int>(one.bytes).SequenceEqual(MemoryMarshal.Cast<byte, int>(two.bytes)));
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    [Fact]
    public void Applies_OnlyToFloat32CpuTensorsOutsideAutograd_OfTheKernelsShapes()
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor qkv = randn([2, 8, 10, 144]);
        Assert.Equal(KernelRuns, FusedAttention.Applies(qkv, 2, 24));
        if (!KernelRuns)
        {
            return;
        }
        Assert.False(FusedAttention.Applies(qkv.to(float64), 2, 24));
        Assert.False(FusedAttention.Applies(qkv.requires_grad_(true), 2, 24));
        using (no_grad())
        {
            Assert.True(FusedAttention.Applies(qkv, 2, 24));
        }
        Assert.False(FusedAttention.Applies(randn([2, 10, 8, 144]).transpose(1, 2), 2, 24));   // not contiguous
        Assert.False(FusedAttention.Applies(randn([2, 5, 3, 144]), 2, 24));                    // 15 tokens
        Assert.False(FusedAttention.Applies(randn([2, 16, 17, 144]), 2, 24));                  // 272 tokens
        Assert.False(FusedAttention.Applies(randn([2, 8, 10, 3 * 4 * 12]), 4, 12));            // dh 12
        Assert.False(FusedAttention.Applies(randn([2, 8, 10, 3 * 80]), 1, 80));                // dh 80
        Assert.False(FusedAttention.Applies(randn([2, 8, 10, 144]), 3, 24));                   // channels ≠ 3·heads·dh
        ArgumentException e = Assert.Throws<ArgumentException>(() => FusedAttention.Forward(randn([2, 5, 3, 144]), 2, 24, 0.2));
        Assert.Contains("got Float32 (2, 5, 3, 144)", e.Message);
    }

    [Fact]
    public void Exp_IsWithinTwoUlp_OverTheShiftedScoresRange()
    {
        double worst = 0;
        for (float x = -87f; x <= 0f; x += 0.00137f)
        {
            double expected = Math.Exp(x);
            worst = Math.Max(worst, Math.Abs(FusedAttention.Exp(Vector512.Create(x))[0] - expected) / expected);
        }
        Assert.Equal(1.0, FusedAttention.Exp(Vector512<float>.Zero)[0]);
        Assert.InRange(worst, 0, 2.4e-7);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SelfAttention_TakesTheKernel_WithAndWithoutGradients(bool gradients)
    {
        using DisposeScope scope = NewDisposeScope();
        manual_seed(5);
        using var attention = new SelfAttentionCl(48, 24);
        Tensor x = randn([64, 8, 10, 48], generator: new Generator(6));
        Tensor actual;
        using (gradients ? enable_grad() : inference_mode())
        {
            actual = attention.forward(x).detach().clone();
        }
        // The module's unfused path, written out: the same bits exactly when the kernel cannot run.
        Tensor expected;
        using (no_grad())
        {
            Dictionary<string, Tensor> p = attention.named_parameters().ToDictionary(n => n.name, n => (Tensor)n.parameter);
            Tensor qkv = TokenLinear.Forward(x, p["qkv.weight"], p["qkv.bias"]);
            Tensor merged = Unfused(qkv, 64, 2, 24, 1.0 / Math.Sqrt(24)).view(64, 8, 10, 48);
            expected = TokenLinear.Forward(merged, p["proj.weight"], p["proj.bias"]);
        }
        bool sameBits = MemoryMarshal.Cast<byte, int>(expected.bytes).SequenceEqual(MemoryMarshal.Cast<byte, int>(actual.bytes));
        Assert.Equal(!KernelRuns, sameBits);
        AssertClose(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Backward_IsAsAccurateAsTheUnfusedAttentionsGradient(int partitions, int height, int width, int heads, int dimHead)
    {
        Assert.True(GradientMatchesUnfused(partitions, height, width, heads, dimHead, seed: 2),
            "the fused attention's gradient is less accurate than the unfused one's");
    }

    [Property(MaxTest = 15)]
    public bool Backward_IsAsAccurateAsTheUnfusedAttentionsGradient_ForAnyShape(byte partitions, byte tokens, byte heads, byte width, int seed) =>
        GradientMatchesUnfused(partitions % 4 + 1, 1, (tokens % 16 + 1) * 16, heads % 3 + 1, (width % 8 + 1) * 8, seed);

    [Fact]
    public void Backward_GivesTheSameBits_OnOneThreadAndOnTwo()
    {
        if (!KernelRuns)
        {
            return;   // nothing of ours runs; the unfused path's determinism is libtorch's
        }
        using DisposeScope scope = NewDisposeScope();
        Tensor qkv = randn([33, 8, 10, 3 * 2 * 24], generator: new Generator(3));
        Tensor upstream = randn([33, 80, 48], generator: new Generator(4));
        int threads = get_num_threads();
        try
        {
            set_num_threads(1);
            Tensor one = QkvGradient(qkv, upstream, 2, 24);
            set_num_threads(2);
            Tensor two = QkvGradient(qkv, upstream, 2, 24);
            Assert.True(MemoryMarshal.Cast<byte, int>(one.bytes).SequenceEqual(MemoryMarshal.Cast<byte, int>(two.bytes)));
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    [Fact]
    public void Backward_RejectsWeightsOfTheWrongShape_NamingBothShapes()
    {
        if (!KernelRuns)
        {
            return;
        }
        using DisposeScope scope = NewDisposeScope();
        Tensor qkv = randn([2, 8, 10, 144]);
        ArgumentException e = Assert.Throws<ArgumentException>(() =>
            FusedAttention.Backward(randn([2, 80, 48]), qkv, randn([4, 80, 79]), 2, 24, 0.2));
        Assert.Contains("weights (4, 80, 80); got (2, 80, 48) and (4, 80, 79)", e.Message);
    }

    [Fact]
    public void OpenMpTeam_IsFound_OnLinux()
    {
        Assert.Equal(OperatingSystem.IsLinux(), OpenMpTeam.Available);
    }

    // Without AVX-512 (or outside Linux) every caller takes libtorch's path; the tests then check that.
    private static bool KernelRuns => Vector512.IsHardwareAccelerated && OpenMpTeam.Available;

    private static bool MatchesUnfused(int partitions, int height, int width, int heads, int dimHead, int seed)
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable inference = inference_mode();
        Tensor qkv = randn([partitions, height, width, 3L * heads * dimHead], generator: new Generator((ulong)(uint)seed)).mul(Scalars.Of(2.0));
        if (!KernelRuns)
        {
            return !FusedAttention.Applies(qkv, heads, dimHead);   // where the kernel cannot run, it does not claim to
        }
        double scale = 1.0 / Math.Sqrt(dimHead);
        Tensor actual = FusedAttention.Forward(qkv, heads, dimHead, scale);
        // Both against the same attention in float64: the kernel must be as accurate as libtorch's float32 path
        // (large scores make the softmax amplify rounding, to about 1e-5 of outputs up to 8 in either).
        Tensor expected = Unfused(qkv, partitions, heads, dimHead, scale);
        Tensor exact = Unfused(qkv.to(float64), partitions, heads, dimHead, scale);
        double fusedError = actual.to(float64).sub(exact).abs().max().item<double>();
        double libtorchError = expected.to(float64).sub(exact).abs().max().item<double>();
        return actual.shape.SequenceEqual(expected.shape) && fusedError <= 2 * libtorchError + 1e-6;
    }

    private static Tensor Unfused(Tensor qkv, int partitions, int heads, int dimHead, double scale)
    {
        Tensor[] parts = qkv.view(partitions, -1, heads, 3 * dimHead).transpose(1, 2).chunk(3, 3);
        return parts[0].matmul(parts[1].transpose(-2, -1)).mul_(Scalars.Of(scale)).softmax(-1).matmul(parts[2])
            .transpose(1, 2).reshape(partitions, -1, heads * dimHead);
    }

    private static bool GradientMatchesUnfused(int partitions, int height, int width, int heads, int dimHead, int seed)
    {
        using DisposeScope scope = NewDisposeScope();
        var generator = new Generator((ulong)(uint)seed);
        Tensor qkv = randn([partitions, height, width, 3L * heads * dimHead], generator: generator).mul(Scalars.Of(2.0));
        Tensor upstream = randn([partitions, (long)height * width, (long)heads * dimHead], generator: generator);
        double scale = 1.0 / Math.Sqrt(dimHead);
        Tensor actual = QkvGradient(qkv, upstream, heads, dimHead);
        Tensor expected = UnfusedGradient(qkv, upstream, partitions, heads, dimHead, scale);
        Tensor exact = UnfusedGradient(qkv.to(float64), upstream.to(float64), partitions, heads, dimHead, scale);
        double fusedError = actual.to(float64).sub(exact).abs().max().item<double>();
        double libtorchError = expected.to(float64).sub(exact).abs().max().item<double>();
        return actual.shape.SequenceEqual(expected.shape) && fusedError <= 2 * libtorchError + 1e-6;
    }

    // dL/d(qkv) for L = Σ output ⊙ upstream, through SelfAttentionCl's choice of path (ours where it fits).
    private static Tensor QkvGradient(Tensor qkv, Tensor upstream, int heads, int dimHead)
    {
        Tensor leaf = qkv.detach().requires_grad_(true);
        Tensor output = FusedAttention.Fits(leaf, heads, dimHead)
            ? FusedAttentionFunction.Apply(leaf, heads, dimHead, 1.0 / Math.Sqrt(dimHead))
            : Unfused(leaf, (int)leaf.shape[0], heads, dimHead, 1.0 / Math.Sqrt(dimHead));
        output.backward([upstream]);
        return leaf.grad!.clone();
    }

    private static Tensor UnfusedGradient(Tensor qkv, Tensor upstream, int partitions, int heads, int dimHead, double scale)
    {
        Tensor leaf = qkv.detach().requires_grad_(true);
        Unfused(leaf, partitions, heads, dimHead, scale).backward([upstream]);
        return leaf.grad!.clone();
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        float difference = actual.sub(expected).abs().max().item<float>();
        Assert.InRange(difference, 0f, 1e-5f);
    }
}
