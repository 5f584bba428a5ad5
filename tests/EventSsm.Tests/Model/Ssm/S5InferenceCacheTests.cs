using TorchSharp;
using TorchSharp.Modules;
using EventSsm.Checkpoints;
using EventSsm.IO.Numpy;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Ssm;

/// <summary>
/// <see cref="S5Layer"/>'s inference cache of the discretised operands: identical outputs, rebuilt whenever the weights,
/// the step scale, the mask or the mode change, never used while training.
/// </summary>
public sealed class S5InferenceCacheTests
{
    private static S5Layer LoadGoldenSsm()
    {
        var ssm = new S5Layer(16);
        GoldenTensors.LoadInto(ssm, GoldenTensors.LoadStateDict("s5.seq.", "s5", "wide_step", "weights.npz"));
        return ssm;
    }

    private static Tensor Input() => GoldenTensors.Load("s5", "wide_step", "attn_norm_out.npy");

    private static Tensor PrevState(Tensor u) =>
        complex(rand([u.shape[0], 16], generator: new Generator(7)), rand([u.shape[0], 16], generator: new Generator(8)));

    private static void AssertIdentical((Tensor Y, Tensor State) expected, (Tensor Y, Tensor State) actual, string what)
    {
        Assert.True(GoldenTensors.MaxAbsDiff(actual.Y, expected.Y) == 0.0, $"{what}: y differs");
        Assert.True(GoldenTensors.MaxAbsDiff(view_as_real(actual.State), view_as_real(expected.State)) == 0.0, $"{what}: state differs");
    }

    [Theory]
    [InlineData(S5StateMode.Carry, S5MaskMode.Off)]
    [InlineData(S5StateMode.Carry, S5MaskMode.Eval)]
    [InlineData(S5StateMode.Reference, S5MaskMode.Always)]
    public void CachedForward_IsBitIdenticalToTheUncachedOne(S5StateMode mode, S5MaskMode mask)
    {
        using DisposeScope scope = NewDisposeScope();
        S5Layer ssm = LoadGoldenSsm();
        ssm.MaskMode = mask;
        ssm.MaskBandlimit = 0.3;
        ssm.eval();
        Tensor u = Input();
        Tensor prev = PrevState(u);

        // Eval mode with autograd on builds the operands per call.
        (Tensor Y, Tensor State) uncached = ssm.Forward(u, prev, 0.8, mode);
        Assert.False(ssm.HasInferenceCache);
        using IDisposable noGrad = no_grad();
        (Tensor Y, Tensor State) first = ssm.Forward(u, prev, 0.8, mode);
        Assert.True(ssm.HasInferenceCache);
        (Tensor Y, Tensor State) cached = ssm.Forward(u, prev, 0.8, mode);
        AssertIdentical(uncached, first, "building call");
        AssertIdentical(uncached, cached, "cached call");

        // L = 1 (the streaming path) too.
        Tensor u1 = u[.., ..1];
        AssertIdentical(ssm.Forward(u1, prev, 0.8, mode), ssm.Forward(u1, prev, 0.8, mode), "L = 1");
    }

    /// <summary>The cache also serves the general features (conjugate symmetry, factorised B/C, bidirectional).</summary>
    [Fact]
    public void CachedForward_OfAGeneralLayer_IsBitIdenticalToTheUncachedOne()
    {
        using DisposeScope scope = NewDisposeScope();
        var layer = new S5Layer(6, new S5LayerOptions
        {
            StateWidth = 8, ConjugateSymmetry = true, Bidirectional = true, BcInit = S5BcInit.Factorized, FactorRank = 3,
        }, new Generator(2, CPU));
        layer.MaskMode = S5MaskMode.Eval;
        layer.MaskBandlimit = 0.01;
        layer.eval();
        Tensor u = randn([4, 5, 6], generator: new Generator(3, CPU));
        (Tensor Y, Tensor State) uncached = layer.Forward(u, 0.7);
        using IDisposable noGrad = no_grad();
        (Tensor Y, Tensor State) first = layer.Forward(u, 0.7);
        Assert.True(layer.HasInferenceCache);
        AssertIdentical(uncached, first, "building call");
        AssertIdentical(uncached, layer.Forward(u, 0.7), "cached call");
    }

    [Fact]
    public void StepScaleOrMaskChange_RebuildsTheOperands()
    {
        using DisposeScope scope = NewDisposeScope();
        S5Layer ssm = LoadGoldenSsm();
        S5Layer reference = LoadGoldenSsm();
        ssm.eval();
        reference.eval();
        Tensor u = Input();

        // The reference runs with autograd on, so it never caches: fresh operands for every setting.
        (Tensor Y, Tensor State) Fresh(double stepScale, S5MaskMode mask, double bandlimit)
        {
            reference.MaskMode = mask;
            reference.MaskBandlimit = bandlimit;
            (Tensor y, Tensor state) = reference.Forward(u, null, stepScale, S5StateMode.Reference);
            return (y.detach(), state);
        }

        (Tensor Y, Tensor State) unscaled = Fresh(1.0, S5MaskMode.Off, 0.5);
        (Tensor Y, Tensor State) rescaled = Fresh(0.5, S5MaskMode.Off, 0.5);
        (Tensor Y, Tensor State) masked = Fresh(0.5, S5MaskMode.Eval, 0.3);
        Assert.True(GoldenTensors.MaxAbsDiff(rescaled.Y, unscaled.Y) > 1e-4);
        Assert.True(GoldenTensors.MaxAbsDiff(masked.Y, rescaled.Y) > 1e-4);

        using IDisposable noGrad = no_grad();
        AssertIdentical(unscaled, ssm.Forward(u, null, 1.0, S5StateMode.Reference), "step scale 1");
        Assert.True(ssm.HasInferenceCache);
        AssertIdentical(rescaled, ssm.Forward(u, null, 0.5, S5StateMode.Reference), "step scale 0.5");
        ssm.MaskMode = S5MaskMode.Eval;
        ssm.MaskBandlimit = 0.3;
        AssertIdentical(masked, ssm.Forward(u, null, 0.5, S5StateMode.Reference), "mask on");
        ssm.MaskBandlimit = 1e6;
        AssertIdentical(rescaled, ssm.Forward(u, null, 0.5, S5StateMode.Reference), "mask passing every mode");
        ssm.MaskMode = S5MaskMode.Off;
        AssertIdentical(unscaled, ssm.Forward(u, null, 1.0, S5StateMode.Reference), "back to step scale 1");
    }

    [Fact]
    public void LoadingNewWeightsAfterAnEvalForward_GivesTheNewWeightsOutputs()
    {
        using DisposeScope scope = NewDisposeScope();
        S5Layer ssm = LoadGoldenSsm();
        ssm.eval();
        var other = new S5Layer(16, generator: new Generator(3));
        other.eval();
        Dictionary<string, Tensor> otherWeights = other.state_dict();
        Tensor u = Input();
        using IDisposable noGrad = no_grad();
        (Tensor Y, Tensor State) expected = other.Forward(u, null, 1.0, S5StateMode.Reference);
        (Tensor Y, Tensor State) original = ssm.Forward(u, null, 1.0, S5StateMode.Reference);

        StateDictLoader.Load(ssm, otherWeights);
        AssertIdentical(expected, ssm.Forward(u, null, 1.0, S5StateMode.Reference), "StateDictLoader");

        GoldenTensors.LoadInto(ssm, GoldenTensors.LoadStateDict("s5.seq.", "s5", "wide_step", "weights.npz"));
        AssertIdentical(original, ssm.Forward(u, null, 1.0, S5StateMode.Reference), "load_state_dict");
    }

    [Fact]
    public void InPlaceEdits_AreSeenAfterInvalidateCaches()
    {
        using DisposeScope scope = NewDisposeScope();
        S5Layer ssm = LoadGoldenSsm();
        ssm.eval();
        Tensor u = Input();
        using IDisposable noGrad = no_grad();
        (Tensor Y, Tensor State) before = ssm.Forward(u, null, 1.0, S5StateMode.Reference);
        Parameter c = ssm.named_parameters().Single(p => p.name == "C").parameter;
        c.mul_(Scalars.Of(0.5));
        // The documented rule: an in-place edit in eval mode is invisible until the cache is dropped.
        AssertIdentical(before, ssm.Forward(u, null, 1.0, S5StateMode.Reference), "stale by design");
        ssm.InvalidateCaches();
        (Tensor Y, Tensor State) after = ssm.Forward(u, null, 1.0, S5StateMode.Reference);
        Assert.True(GoldenTensors.MaxAbsDiff(after.Y, before.Y) > 1e-4);
        ssm.train();
        using IDisposable grad = enable_grad();
        AssertIdentical(after, (ssm.Forward(u, null, 1.0, S5StateMode.Reference).Y.detach(), after.State), "training mode");
    }

    [Fact]
    public void TrainMode_NeverCaches_AndGradientsReachEveryParameter()
    {
        using DisposeScope scope = NewDisposeScope();
        S5Layer ssm = LoadGoldenSsm();
        Tensor u = Input();
        ssm.eval();
        using (no_grad())
        {
            ssm.Forward(u, null, 1.0, S5StateMode.Reference);
        }
        Assert.True(ssm.HasInferenceCache);
        ssm.train();
        Assert.False(ssm.HasInferenceCache);
        using (no_grad())
        {
            ssm.Forward(u, null, 1.0, S5StateMode.Reference);
        }
        Assert.False(ssm.HasInferenceCache);
        (Tensor y, _) = ssm.Forward(u, PrevState(u), 1.0, S5StateMode.Carry);
        y.pow(Scalars.Of(2)).sum().backward();
        Assert.All(ssm.named_parameters(), p => Assert.True(p.parameter.grad is Tensor g && g.abs().sum().item<float>() > 0, p.name));
    }

    [Fact]
    public void DetectorCheckpointLoad_AfterAnEvalForward_GivesTheNewWeightsOutputs()
    {
        using DisposeScope scope = NewDisposeScope();
        using TempDir tmp = Fixtures.TempDir();
        using YoloXDetector model = YoloXDetectorTests.LoadMicro();
        Tensor x = NpyTensor.ReadTensor(DetectorMicro.File("x_chunk1.npy")).to(float32);
        string path = tmp.File("edited.safetensors");
        using (no_grad())
        {
            Tensor original = model.Forward(x).Decoded;
            // New weights that differ in every S5 layer: a longer step and a scaled readout.
            using YoloXDetector edited = YoloXDetectorTests.LoadMicro();
            foreach ((string name, Parameter p) in edited.named_parameters())
            {
                if (name.EndsWith("seq.log_step", StringComparison.Ordinal))
                {
                    p.add_(Scalars.Of(0.7), Scalars.One);
                }
                else if (name.EndsWith("seq.C", StringComparison.Ordinal))
                {
                    p.mul_(Scalars.Of(1.5));
                }
            }
            edited.InvalidateCaches();
            Tensor expected = edited.Forward(x).Decoded;
            Assert.True((expected - original).abs().max().item<float>() > 1e-4f);
            DetectorCheckpoint.Save(path, edited, null);

            DetectorCheckpoint.Load(model, path);
            Assert.Equal(0f, (model.Forward(x).Decoded - expected).abs().max().item<float>());
        }
    }
}
