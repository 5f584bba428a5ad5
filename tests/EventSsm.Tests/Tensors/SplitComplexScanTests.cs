using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using EventSsm.Model.Ssm;
using EventSsm.Tensors;
using FsCheck.Xunit;
using TorchSharp;
using static TorchSharp.torch;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Tests.Tensors;

/// <summary>The S5 scan in one pass and its backward (docs/MODEL.md §11.1, "The S5 scan in one pass").</summary>
public sealed class SplitComplexScanTests
{
    // (time axis, sequences, steps, P, carried state): the detector's time-major stages (P 48 and 384, five steps, with
    // and without a state), the streaming step (one step from a state), the general layer's batch-major layout, and P
    // that leave a remainder after the 16-wide vectors.
    public static TheoryData<int, int, int, int, bool> Shapes => new()
    {
        { 0, 40, 5, 48, false },
        { 0, 40, 5, 48, true },
        { 0, 37, 1, 48, true },
        { 0, 9, 3, 384, true },
        { 1, 17, 4, 24, true },
        { 1, 5, 6, 16, false },
        { 0, 33, 3, 7, true },
        { 1, 2, 2, 1, false },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_GivesLibtorchsStepsBits(int timeAxis, int sequences, int length, int p, bool carried)
    {
        Assert.True(ForwardMatches(timeAxis, sequences, length, p, carried, seed: 1));
    }

    [Property(MaxTest = 25)]
    public bool Forward_GivesLibtorchsStepsBits_ForAnyShape(bool timeMajor, byte sequences, byte length, byte p, bool carried, int seed) =>
        ForwardMatches(timeMajor ? 0 : 1, sequences % 40 + 1, length % 6 + 1, p % 70 + 1, carried, seed);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Gradients_AreAsAccurateAsLibtorchs(int timeAxis, int sequences, int length, int p, bool carried)
    {
        Assert.True(GradientsMatch(timeAxis, sequences, length, p, carried, seed: 2));
    }

    [Property(MaxTest = 15)]
    public bool Gradients_AreAsAccurateAsLibtorchs_ForAnyShape(bool timeMajor, byte sequences, byte length, byte p, bool carried, int seed) =>
        GradientsMatch(timeMajor ? 0 : 1, sequences % 40 + 1, length % 6 + 1, p % 70 + 1, carried, seed);

    [Fact]
    public void StatesAndInputGradient_AreTheSameBits_OnOneThreadAndOnTwo()
    {
        using DisposeScope scope = NewDisposeScope();
        (Tensor bu, Tensor lr, Tensor li, Tensor? previous) = Operands(0, 64, 5, 48, carried: true, seed: 3, float32);
        if (!KernelRuns)
        {
            Assert.False(SplitComplexScan.Fits(bu, lr, li, previous, 0));
            return;
        }
        Tensor upstream = randn(bu.shape, generator: new Generator(4));
        int threads = get_num_threads();
        try
        {
            set_num_threads(1);
            (Tensor states1, Tensor bu1, Tensor lr1) = Run();
            set_num_threads(2);
            (Tensor states2, Tensor bu2, Tensor lr2) = Run();
            Assert.True(SameBits(states1, states2));
            Assert.True(SameBits(bu1, bu2));
            // Λ̄'s gradient sums per thread: another split of the sequences, another rounding.
            Assert.True(lr1.allclose(lr2, rtol: 1e-5, atol: 1e-5));
        }
        finally
        {
            set_num_threads(threads);
        }

        (Tensor, Tensor, Tensor) Run()
        {
            Tensor leaf = bu.detach().requires_grad_(true);
            Tensor lrLeaf = lr.detach().requires_grad_(true);
            Tensor states = SplitComplexScanFunction.Apply(leaf, lrLeaf, li, previous, 0);
            states.backward([upstream]);
            return (states.detach().clone(), leaf.grad!.clone(), lrLeaf.grad!.clone());
        }
    }

    [Fact]
    public void Fits_OnlyContiguousFloat32CpuOperands_WithAComplex64State()
    {
        using DisposeScope scope = NewDisposeScope();
        (Tensor bu, Tensor lr, Tensor li, Tensor? previous) = Operands(0, 8, 3, 16, carried: true, seed: 5, float32);
        Assert.Equal(KernelRuns, SplitComplexScan.Fits(bu, lr, li, previous, 0));
        Assert.Equal(KernelRuns, SplitComplexScan.Fits(bu, lr, li, null, 0));
        Assert.False(SplitComplexScan.Fits(bu.to(float64), lr.to(float64), li.to(float64), null, 0));
        Assert.False(SplitComplexScan.Fits(bu.transpose(0, 1), lr, li, null, 1));             // not contiguous
        Assert.False(SplitComplexScan.Fits(bu, lr, li, previous!.to(complex128), 0));
        Assert.False(SplitComplexScan.Fits(bu, lr, li, previous, 1));                          // 3 sequences, not 8
        Assert.False(SplitComplexScan.Fits(bu, lr[..8], li[..8], null, 0));                    // P 16, not 8
        Assert.False(SplitComplexScan.Fits(bu, lr, li, null, 2));
        Assert.False(SplitComplexScan.Fits(bu[..0], lr, li, previous, 0));                    // no step
        Assert.False(SplitComplexScan.Fits(bu[.., .., ..0], lr[..0], li[..0], null, 0));      // no state
        Tensor wide = zeros([1, 2, 2L * (SplitComplexScan.MaxStates + 1)]);
        Tensor lambda = zeros(SplitComplexScan.MaxStates + 1);
        Assert.False(SplitComplexScan.Fits(wide, lambda, lambda, null, 0));                   // P beyond the limit
    }

    [Fact]
    public void Forward_RefusesTensorsThatNeedGradients()
    {
        using DisposeScope scope = NewDisposeScope();
        (Tensor bu, Tensor lr, Tensor li, _) = Operands(0, 8, 3, 16, carried: false, seed: 6, float32);
        Assert.Throws<ArgumentException>(() => SplitComplexScan.Forward(bu.requires_grad_(true), lr, li, null, 0));
    }

    [Fact]
    public void S5Layer_TrainsThroughTheKernel_WithTheGradientsOfItsFloat64Copy()
    {
        // The layer's own path: float32 takes the kernel (where it runs), float64 libtorch's operators.
        using DisposeScope scope = NewDisposeScope();
        manual_seed(7);
        using var layer = new S5Layer(24, new S5LayerOptions { StateWidth = 32 });
        using var exact = new S5Layer(24, new S5LayerOptions { StateWidth = 32 });
        exact.load_state_dict(layer.state_dict());
        exact.to(float64);
        Tensor u = randn([6, 30, 24], generator: new Generator(8));
        Tensor state = randn([30, 32], ScalarType.ComplexFloat32, generator: new Generator(9));
        Tensor upstream = randn([6, 30, 24], generator: new Generator(10));
        (Tensor y, _) = layer.ForwardTimeMajor(u, state, 1.0, S5StateMode.Carry);
        (Tensor y64, _) = exact.ForwardTimeMajor(u.to(float64), state.to(complex128), 1.0, S5StateMode.Carry);
        y.mul(upstream).sum().backward();
        y64.mul(upstream.to(float64)).sum().backward();
        Assert.True(y.to(float64).allclose(y64, rtol: 1e-4, atol: 1e-5));
        foreach ((string name, Tensor p) in layer.named_parameters())
        {
            Tensor expected = exact.get_parameter(name)!.grad!;
            double scale = expected.abs().max().item<double>();
            double error = p.grad!.to(float64).sub(expected).abs().max().item<double>();
            Assert.True(error <= 1e-4 * scale + 1e-6, $"{name}: gradient error {error} of {scale}");
        }
    }

    // Without AVX-512 (or outside Linux) the S5 layer takes libtorch's steps; the tests then check that.
    private static bool KernelRuns => Vector512.IsHardwareAccelerated && OpenMpTeam.Available;

    private static bool ForwardMatches(int timeAxis, int sequences, int length, int p, bool carried, int seed)
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable inference = inference_mode();
        (Tensor bu, Tensor lr, Tensor li, Tensor? previous) = Operands(timeAxis, sequences, length, p, carried, seed, float32);
        if (!KernelRuns)
        {
            return !SplitComplexScan.Fits(bu, lr, li, previous, timeAxis);
        }
        (Tensor states, Tensor last) = SplitComplexScan.Forward(bu, lr, li, previous, timeAxis);
        (Tensor expectedStates, Tensor expectedLast) = LibtorchSteps(bu, lr, li, previous, timeAxis);
        return SameBits(states, expectedStates) && SameBits(view_as_real(last), view_as_real(expectedLast.contiguous()));
    }

    // dL/d(B̄u), dL/dλr and dL/dλi through the kernel's function and through libtorch's steps, for a loss on the states
    // and the last state; each against the same in float64, the kernel's no less accurate than libtorch's.
    private static bool GradientsMatch(int timeAxis, int sequences, int length, int p, bool carried, int seed)
    {
        using DisposeScope scope = NewDisposeScope();
        (Tensor bu, Tensor lr, Tensor li, Tensor? previous) = Operands(timeAxis, sequences, length, p, carried, seed, float32);
        if (!KernelRuns)
        {
            return !SplitComplexScan.Fits(bu, lr, li, previous, timeAxis);
        }
        var generator = new Generator((ulong)(uint)seed + 1);
        Tensor upstream = randn(bu.shape, generator: generator);
        Tensor upstreamLast = randn([sequences, p, 2], generator: generator);
        Tensor[] ours = Gradients(bu, lr, li, previous, timeAxis, upstream, upstreamLast, kernel: true);
        Tensor[] libtorch = Gradients(bu, lr, li, previous, timeAxis, upstream, upstreamLast, kernel: false);
        Tensor[] exact = Gradients(bu.to(float64), lr.to(float64), li.to(float64), previous?.to(complex128), timeAxis,
            upstream.to(float64), upstreamLast.to(float64), kernel: false);
        for (int i = 0; i < 3; i++)
        {
            double ourError = ours[i].to(float64).sub(exact[i]).abs().max().item<double>();
            double libtorchError = libtorch[i].to(float64).sub(exact[i]).abs().max().item<double>();
            double size = exact[i].abs().max().item<double>();
            if (!ours[i].shape.SequenceEqual(exact[i].shape) || ourError > 2 * libtorchError + 1e-6 * Math.Max(size, 1))
            {
                return false;
            }
        }
        return true;
    }

    private static Tensor[] Gradients(
        Tensor bu, Tensor lr, Tensor li, Tensor? previous, int timeAxis, Tensor upstream, Tensor upstreamLast, bool kernel)
    {
        Tensor[] leaves = [bu.detach().requires_grad_(true), lr.detach().requires_grad_(true), li.detach().requires_grad_(true)];
        Tensor states;
        Tensor last;
        if (kernel)
        {
            states = SplitComplexScanFunction.Apply(leaves[0], leaves[1], leaves[2], previous, timeAxis);
            Tensor x = states.select(timeAxis, states.shape[timeAxis] - 1);
            int p = (int)(x.shape[1] / 2);
            last = complex(x[.., ..p], x[.., p..]);
        }
        else
        {
            (states, last) = LibtorchSteps(leaves[0], leaves[1], leaves[2], previous, timeAxis);
        }
        states.mul(upstream).sum().add(view_as_real(last).mul(upstreamLast).sum(), One).backward();
        // One step without a state leaves Λ̄ unused: libtorch gives it no gradient, the kernel zeros.
        return [.. leaves.Select(l => l.grad?.clone() ?? zeros_like(l))];
    }

    // The S5 layer's steps as libtorch operators (S5Layer's path where the kernel does not fit, docs/MODEL.md §3.4).
    private static (Tensor States, Tensor Last) LibtorchSteps(Tensor bu, Tensor lr, Tensor li, Tensor? previous, int timeAxis)
    {
        long length = bu.shape[timeAxis];
        int p = (int)(bu.shape[2] / 2);
        Tensor lr2 = cat([lr, lr]);
        Tensor li2 = cat([-li, li]);
        var xs = new Tensor[length];
        Tensor x = bu.select(timeAxis, 0);
        if (previous is not null)
        {
            x = Step(x, cat([previous.real, previous.imag], -1));
        }
        xs[0] = x;
        for (long k = 1; k < length; k++)
        {
            x = Step(bu.select(timeAxis, k), x);
            xs[k] = x;
        }
        return (stack(xs, timeAxis), complex(x[.., ..p], x[.., p..]));

        Tensor Step(Tensor input, Tensor prev) =>
            addcmul(addcmul(input, lr2, prev, One), li2, cat([prev[.., p..], prev[.., ..p]], -1), One);
    }

    // B̄u of unit scale, |Λ̄| < 1 as a stable discretisation gives, and a state of unit scale.
    private static (Tensor Bu, Tensor Lr, Tensor Li, Tensor? Previous) Operands(
        int timeAxis, int sequences, int length, int p, bool carried, int seed, ScalarType type)
    {
        var generator = new Generator((ulong)(uint)seed);
        long[] shape = timeAxis == 0 ? [length, sequences, 2L * p] : [sequences, length, 2L * p];
        Tensor bu = randn(shape, type, generator: generator);
        Tensor radius = rand(p, type, generator: generator).mul(Of(0.5)).add(Of(0.45), One);
        Tensor angle = rand(p, type, generator: generator).mul(Of(Math.PI));
        Tensor? previous = carried ? randn([sequences, p], ScalarType.ComplexFloat32, generator: generator) : null;
        return (bu, radius.mul(angle.cos()), radius.mul(angle.sin()), previous);
    }

    private static bool SameBits(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape)
        && MemoryMarshal.Cast<byte, int>(a.contiguous().bytes).SequenceEqual(MemoryMarshal.Cast<byte, int>(b.contiguous().bytes));
}
