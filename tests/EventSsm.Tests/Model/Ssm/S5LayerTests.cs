using TorchSharp;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Ssm;

/// <summary>
/// The S5 layer: golden parity (tests/fixtures/golden/s5), discretisation, scan ≡ recurrence, the real-arithmetic and
/// per-step paths, bidirectional, irregular steps, conjugate symmetry, mask, gradients.
/// </summary>
public sealed class S5LayerTests
{
    private static S5Layer Layer64(int h, S5LayerOptions options, ulong seed)
    {
        var layer = new S5Layer(h, options, new Generator(seed, CPU));
        layer.to(float64);
        return layer;
    }

    private static double MaxDiff(Tensor a, Tensor b) => (a - b).abs().max().to(float64).item<double>();

    private static Dictionary<string, Tensor> Weights(S5Layer layer) =>
        layer.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

    public static TheoryData<string> Folders => new() { "s5", "s5/wide_step" };

    private static string[] Path(string folder, string file) => [.. folder.Split('/'), file];

    /// <summary>The layer of the golden S5Block (tests/fixtures/golden/s5): the original's S5SSM, default options.</summary>
    private static S5Layer GoldenLayer(string folder, S5LayerOptions? options = null)
    {
        var layer = new S5Layer(16, options);
        GoldenTensors.LoadInto(layer, GoldenTensors.LoadStateDict("s5.seq.", Path(folder, "weights.npz")));
        return layer;
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void Discretize_MatchesGoldenLambdaBarAndBBar(string folder)
    {
        using DisposeScope scope = NewDisposeScope();
        S5Layer layer = GoldenLayer(folder);
        foreach ((double scale, string suffix) in new[] { (1.0, ""), (0.5, "_ss05") })
        {
            (Tensor lambdaBar, Tensor bBar) = layer.Discretize(scale);
            GoldenTensors.AssertClose(
                view_as_real(lambdaBar), GoldenTensors.Load(Path(folder, $"lambda_bar{suffix}.npy")), 1e-5, "Λ̄" + suffix);
            GoldenTensors.AssertClose(
                view_as_real(bBar), GoldenTensors.Load(Path(folder, $"b_bar{suffix}.npy")), 1e-5, "B̄" + suffix);
        }
    }

    /// <summary>
    /// The golden layer outputs through the detector's call (reference and carry semantics, docs/MODEL.md §3.4) and
    /// through the general call (state carried; sequential and parallel scans).
    /// </summary>
    [Theory]
    [MemberData(nameof(Folders))]
    public void GoldenWeights_ReproduceReferenceAndCarryOutputs_ThroughBothCalls(string folder)
    {
        using DisposeScope scope = NewDisposeScope();
        S5Layer layer = GoldenLayer(folder);
        Tensor f = GoldenTensors.Load(Path(folder, "attn_norm_out.npy"));
        Tensor prev = GoldenTensors.LoadComplex(Path(folder, "prev_state.npy"));
        Tensor yReference = GoldenTensors.Load(Path(folder, "s5_layer_y_reference.npy"));
        Tensor yCarry = GoldenTensors.Load(Path(folder, "s5_layer_y_carry.npy"));
        using IDisposable noGrad = no_grad();

        GoldenTensors.AssertClose(layer.Forward(f, prev, 1.0, S5StateMode.Reference).Y, yReference, 1e-5, "reference");
        GoldenTensors.AssertClose(layer.Forward(f, prev, 1.0, S5StateMode.Carry).Y, yCarry, 1e-5, "carry");
        foreach (LinearRecurrence.Method method in new[] { LinearRecurrence.Method.Sequential, LinearRecurrence.Method.Parallel })
        {
            GoldenTensors.AssertClose(layer.Forward(f, 1.0, null, method).Y, yReference, 1e-5, $"zero state {method}");
            GoldenTensors.AssertClose(layer.Forward(f, 1.0, prev, method).Y, yCarry, 1e-5, $"carried state {method}");
        }
    }

    [Fact]
    public void ZohDiscretization_ComposesTwoStepsIntoOneOfTwiceTheLength()
    {
        using DisposeScope scope = NewDisposeScope();
        S5Layer zoh = GoldenLayer("s5/wide_step", new S5LayerOptions { Discretization = S5Discretization.Zoh });
        (Tensor lambdaBar, Tensor bBar) = zoh.Discretize(0.5);
        (Tensor lambdaBar2, Tensor bBar2) = zoh.Discretize(1.0);
        // exp(2λΔ) = exp(λΔ)²; (exp(2λΔ) − 1)/λ = (exp(λΔ) + 1)(exp(λΔ) − 1)/λ.
        GoldenTensors.AssertClose(view_as_real(lambdaBar2), view_as_real(lambdaBar * lambdaBar), 1e-6, "Λ̄(2Δ)");
        GoldenTensors.AssertClose(
            view_as_real(bBar2), view_as_real(lambdaBar.add(Scalars.Of(1), Scalars.One).unsqueeze(-1) * bBar), 1e-5,
            "B̄(2Δ)");
        (Tensor bilinear, _) = GoldenLayer("s5/wide_step").Discretize(0.5);
        Assert.True(GoldenTensors.MaxAbsDiff(view_as_real(lambdaBar), view_as_real(bilinear)) > 1e-3);
    }

    /// <summary>
    /// One step scale for everything runs the real-arithmetic loop on constant operands; a step-scale tensor runs the
    /// complex per-step path. Both must agree for every feature of the layer.
    /// </summary>
    [Theory]
    [MemberData(nameof(FeatureNames))]
    public void ConstantStep_RealArithmeticPath_EqualsPerStepComplexPath(string name)
    {
        using DisposeScope scope = NewDisposeScope();
        S5LayerOptions options = FeatureOptions[name];
        S5Layer layer = Layer64(5, options, 12);
        var g = new Generator(6, CPU);
        Tensor u = randn([3, 17, 5], dtype: float64, generator: g);
        Tensor scales = full([3, 17], Scalars.Of(1.3), dtype: float64);
        using IDisposable noGrad = no_grad();
        (Tensor yReal, Tensor sReal) = layer.Forward(u, 1.3, method: LinearRecurrence.Method.Sequential);
        (Tensor yComplex, Tensor sComplex) = layer.Forward(u, scales, method: LinearRecurrence.Method.Sequential);
        Assert.True(MaxDiff(yReal, yComplex) <= 1e-10, $"{name}: y {MaxDiff(yReal, yComplex)}");
        Assert.True(MaxDiff(sReal, sComplex) <= 1e-10, $"{name}: state {MaxDiff(sReal, sComplex)}");
        if (!options.Bidirectional)
        {
            Tensor x0 = complex(randn([3, layer.StateWidth], dtype: float64, generator: g), randn([3, layer.StateWidth], dtype: float64, generator: g));
            (Tensor yCarry, _) = layer.Forward(u, 1.3, x0, LinearRecurrence.Method.Sequential);
            (Tensor yCarryComplex, _) = layer.Forward(u, scales, x0, LinearRecurrence.Method.Sequential);
            Assert.True(MaxDiff(yCarry, yCarryComplex) <= 1e-10, $"{name}: carried y {MaxDiff(yCarry, yCarryComplex)}");
        }
    }

    private static readonly Dictionary<string, S5LayerOptions> FeatureOptions = new()
    {
        ["conjugate symmetry, 2 blocks"] = new S5LayerOptions { StateWidth = 8, ConjugateSymmetry = true, BlockCount = 2 },
        ["bidirectional"] = new S5LayerOptions { StateWidth = 6, Bidirectional = true },
        ["factorised, conjugate symmetry"] = new S5LayerOptions { StateWidth = 6, BcInit = S5BcInit.Factorized, FactorRank = 3, ConjugateSymmetry = true },
        ["zoh, dense columns, bandlimit"] = new S5LayerOptions { StateWidth = 6, Discretization = S5Discretization.Zoh, BcInit = S5BcInit.DenseColumns, Bandlimit = 0.5, DtMax = 1.0 },
        ["complex-normal C, bidirectional"] = new S5LayerOptions { StateWidth = 4, BcInit = S5BcInit.ComplexNormal, Bidirectional = true },
    };

    public static TheoryData<string> FeatureNames => new(FeatureOptions.Keys);

    /// <summary>The pass-band mask with per-sequence step scales equals running each sequence masked at its scalar.</summary>
    [Fact]
    public void Mask_AtPerSequenceScales_EqualsEachSequenceMaskedAtItsScalar()
    {
        using DisposeScope scope = NewDisposeScope();
        S5Layer layer = GoldenLayer("s5/wide_step");
        layer.to(float64);
        layer.MaskMode = S5MaskMode.Always;
        layer.MaskBandlimit = 0.3;
        Tensor u = GoldenTensors.Load("s5", "wide_step", "attn_norm_out.npy").to(float64)[..3];
        double[] scales = [0.25, 1.0, 2.0];
        using IDisposable noGrad = no_grad();
        Assert.Contains(false, layer.ActiveMask(2.0)!.data<bool>().ToArray());
        (Tensor y, _) = layer.Forward(u, tensor(scales, float64));
        for (int i = 0; i < 3; i++)
        {
            (Tensor yi, _) = layer.Forward(u[i..(i + 1)], scales[i]);
            Assert.True(MaxDiff(y[i..(i + 1)], yi) <= 1e-12, $"scale {scales[i]}: {MaxDiff(y[i..(i + 1)], yi)}");
        }
        layer.MaskMode = S5MaskMode.Off;
        (Tensor unmasked, _) = layer.Forward(u, tensor(scales, float64));
        Assert.True(MaxDiff(y, unmasked) > 1e-4);
    }

    [Theory]
    [InlineData(21)]
    [InlineData(4096)]
    public void ParallelScan_EqualsStepByStepRecurrence_Float64(int length)
    {
        using DisposeScope scope = NewDisposeScope();
        S5Layer layer = Layer64(4, new S5LayerOptions { StateWidth = 8, BlockCount = 2 }, 11);
        var g = new Generator(5, CPU);
        Tensor u = randn([2, length, 4], dtype: float64, generator: g);
        Tensor scale = rand([2, length], dtype: float64, generator: g).mul(Scalars.Of(2)).add(Scalars.Of(0.1), Scalars.One);
        Tensor x0 = complex(randn([2, 8], dtype: float64, generator: g), randn([2, 8], dtype: float64, generator: g));
        using IDisposable noGrad = no_grad();
        (Tensor yPar, Tensor sPar) = layer.Forward(u, scale, x0, LinearRecurrence.Method.Parallel);
        (Tensor ySeq, Tensor sSeq) = layer.Forward(u, scale, x0, LinearRecurrence.Method.Sequential);
        Tensor x = x0;
        var ys = new Tensor[length];
        for (int t = 0; t < length; t++)
        {
            (ys[t], x) = layer.Step(u[.., t], x, scale[.., t]);
        }
        Tensor yStep = stack(ys, 1);
        Assert.True(MaxDiff(yPar, yStep) <= 1e-10, $"parallel vs step {MaxDiff(yPar, yStep)}");
        Assert.True(MaxDiff(ySeq, yStep) <= 1e-10, $"sequential vs step {MaxDiff(ySeq, yStep)}");
        Assert.True(MaxDiff(sPar, x) <= 1e-10);
        Assert.True(MaxDiff(sSeq, x) <= 1e-10);
    }

    [Theory]
    [InlineData(S5Discretization.Bilinear)]
    [InlineData(S5Discretization.Zoh)]
    public void IrregularSteps_EqualExplicitPerStepDiscretisation(S5Discretization discretization)
    {
        using DisposeScope scope = NewDisposeScope();
        S5Layer layer = Layer64(3, new S5LayerOptions { StateWidth = 6, Discretization = discretization }, 2);
        var g = new Generator(9, CPU);
        Tensor u = randn([1, 30, 3], dtype: float64, generator: g);
        Tensor scale = rand([1, 30], dtype: float64, generator: g).mul(Scalars.Of(5));
        using IDisposable noGrad = no_grad();
        (Tensor y, _) = layer.Forward(u, scale, method: LinearRecurrence.Method.Parallel);

        // Independent recomputation from the formulas of docs/MODEL.md §4.3 with each Δ_t = s_t·exp(log_step).
        Tensor lambda = layer.ContinuousLambda();
        Tensor b = layer.InputMatrix();
        Tensor c = layer.OutputMatrix();
        Tensor d = layer.state_dict()["D"];
        Tensor step = layer.state_dict()["log_step"].exp();
        Tensor x = zeros([6], dtype: complex128);
        for (int t = 0; t < 30; t++)
        {
            Tensor delta = scale[0, t] * step;
            Tensor halfStep = (delta * lambda).div(Scalars.Of(2));
            Tensor onePlus = halfStep.add(Scalars.Of(1), Scalars.One);             // 1 + Δλ/2
            Tensor oneMinus = halfStep.negative().add(Scalars.Of(1), Scalars.One); // 1 − Δλ/2
            Tensor lambdaBar = discretization == S5Discretization.Bilinear ? onePlus / oneMinus : (delta * lambda).exp();
            Tensor gain = discretization == S5Discretization.Bilinear
                ? delta / oneMinus
                : lambdaBar.sub(Scalars.Of(1)) / lambda;
            x = (lambdaBar * x).add(gain * b.matmul(u[0, t].to(complex128)), Scalars.One);
            Tensor yt = c.matmul(x).real.add(d * u[0, t], Scalars.One);
            Assert.True(MaxDiff(y[0, t], yt) <= 1e-10, $"t={t}: {MaxDiff(y[0, t], yt)}");
        }
    }

    [Fact]
    public void PerSequenceScale_EqualsRunningEachSequenceWithItsScalar()
    {
        using DisposeScope scope = NewDisposeScope();
        S5Layer layer = Layer64(4, new S5LayerOptions { StateWidth = 4 }, 3);
        Tensor u = randn([3, 50, 4], dtype: float64, generator: new Generator(1, CPU));
        double[] scales = [0.5, 1.0, 3.0];
        using IDisposable noGrad = no_grad();
        (Tensor y, _) = layer.Forward(u, tensor(scales, float64));
        for (int i = 0; i < 3; i++)
        {
            (Tensor yi, _) = layer.Forward(u[i..(i + 1)], scales[i]);
            Assert.True(MaxDiff(y[i..(i + 1)], yi) <= 1e-12);
        }
    }

    [Fact]
    public void Bidirectional_EqualsForwardPlusReversedInputForward()
    {
        using DisposeScope scope = NewDisposeScope();
        S5Layer bidir = Layer64(4, new S5LayerOptions { StateWidth = 6, Bidirectional = true }, 4);
        Dictionary<string, Tensor> w = Weights(bidir);
        Assert.Equal(new long[] { 4, 12, 2 }, w["C"].shape);
        S5Layer forward = Layer64(4, new S5LayerOptions { StateWidth = 6 }, 0);
        S5Layer backward = Layer64(4, new S5LayerOptions { StateWidth = 6 }, 0);
        var wf = new Dictionary<string, Tensor>(w) { ["C"] = w["C"][.., ..6].contiguous() };
        var wb = new Dictionary<string, Tensor>(w) { ["C"] = w["C"][.., 6..].contiguous(), ["D"] = zeros_like(w["D"]) };
        GoldenTensors.LoadInto(forward, wf);
        GoldenTensors.LoadInto(backward, wb);

        var g = new Generator(8, CPU);
        Tensor u = randn([2, 100, 4], dtype: float64, generator: g);
        Tensor scale = rand([2, 100], dtype: float64, generator: g).add(Scalars.Of(0.5), Scalars.One);
        using IDisposable noGrad = no_grad();
        (Tensor y, _) = bidir.Forward(u, scale);
        (Tensor yf, _) = forward.Forward(u, scale);
        (Tensor yb, _) = backward.Forward(u.flip(1), scale.flip(1));
        Assert.True(MaxDiff(y, yf.add(yb.flip(1), Scalars.One)) <= 1e-10);
        Assert.Throws<InvalidOperationException>(() => bidir.Step(u[.., 0], null));
    }

    [Fact]
    public void ConjugateSymmetry_EqualsFullComplexLayerWithMirroredHalf()
    {
        using DisposeScope scope = NewDisposeScope();
        S5Layer half = Layer64(5, new S5LayerOptions { StateWidth = 8, ConjugateSymmetry = true, BlockCount = 2 }, 6);
        Assert.Equal(4, half.StateWidth);
        Dictionary<string, Tensor> w = Weights(half);
        // Conjugating a [re, im] pair negates im.
        static Tensor Mirror(Tensor pairs, int dim) => cat([pairs, pairs * tensor(new double[] { 1, -1 })], dim);
        var full = Layer64(5, new S5LayerOptions { StateWidth = 8 }, 0);
        GoldenTensors.LoadInto(full, new Dictionary<string, Tensor>
        {
            ["Lambda"] = Mirror(w["Lambda"], 0),
            ["B"] = Mirror(w["B"], 0),
            ["C"] = Mirror(w["C"], 1),
            ["D"] = w["D"],
            ["log_step"] = cat([w["log_step"], w["log_step"]]),
        });
        Tensor u = randn([2, 40, 5], dtype: float64, generator: new Generator(2, CPU));
        using IDisposable noGrad = no_grad();
        (Tensor yHalf, _) = half.Forward(u, 1.3);
        (Tensor yFull, _) = full.Forward(u, 1.3);
        Assert.True(MaxDiff(yHalf, yFull) <= 1e-10, $"{MaxDiff(yHalf, yFull)}");
        // The HiPPO spectrum is ± symmetric, so the kept half really is one of each pair.
        Tensor im = w["Lambda"][.., 1];
        Assert.True(im.lt(Scalars.Of(0)).all().item<bool>());
    }

    [Theory]
    [InlineData(S5BcInit.Dense, false)]
    [InlineData(S5BcInit.Factorized, true)]
    public void Gradients_MatchFiniteDifferences_Float64(S5BcInit init, bool conjugate)
    {
        using DisposeScope scope = NewDisposeScope();
        S5Layer layer = Layer64(3, new S5LayerOptions { StateWidth = 4, BcInit = init, FactorRank = 2, ConjugateSymmetry = conjugate }, 7);
        var g = new Generator(3, CPU);
        Tensor u = randn([2, 12, 3], dtype: float64, generator: g);
        Tensor scale = rand([2, 12], dtype: float64, generator: g).add(Scalars.Of(0.5), Scalars.One);
        Tensor weight = randn([2, 12, 3], dtype: float64, generator: g);
        Tensor Loss() => (layer.Forward(u, scale, method: LinearRecurrence.Method.Parallel).Y * weight).sum();

        Loss().backward();
        const double eps = 1e-6;
        foreach ((string name, Tensor p) in layer.named_parameters())
        {
            Tensor grad = p.grad!.clone();
            using IDisposable noGrad = no_grad();
            Tensor flat = p.view(-1);
            for (long i = 0; i < flat.shape[0]; i++)
            {
                double orig = flat[i].item<double>();
                flat[i] = orig + eps;
                double plus = Loss().item<double>();
                flat[i] = orig - eps;
                double minus = Loss().item<double>();
                flat[i] = orig;
                double numeric = (plus - minus) / (2 * eps);
                double analytic = grad.view(-1)[i].item<double>();
                Assert.True(Math.Abs(numeric - analytic) <= 1e-6 * Math.Max(1, Math.Abs(numeric)),
                    $"{name}[{i}]: numeric {numeric} vs autograd {analytic}");
            }
        }
    }

    [Fact]
    public void BadShapes_AreRejectedWithReasons()
    {
        var layer = new S5Layer(4);
        Assert.Throws<ArgumentException>(() => layer.Forward(zeros(2, 3, 5)));
        Assert.Throws<ArgumentException>(() => layer.Forward(zeros(2, 3, 4), zeros(3)));
        Assert.Throws<ArgumentException>(() => layer.Forward(zeros(2, 3, 4), state: zeros(2, 5, dtype: complex64)));
        Assert.Throws<ArgumentException>(() => new S5Layer(4, new S5LayerOptions { StateWidth = 6, BlockCount = 4 }));
        Assert.Throws<ArgumentException>(() => new S5Layer(4, new S5LayerOptions { StateWidth = 6, BlockCount = 2, ConjugateSymmetry = true }));
    }
}
