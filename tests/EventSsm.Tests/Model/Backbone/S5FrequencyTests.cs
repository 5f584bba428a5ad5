using TorchSharp;
using TorchSharp.Modules;
using EventSsm.Config;
using EventSsm.Model.Backbone;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Backbone;

/// <summary>Step scale, pass-band mask and H2 regulariser of the detector's S5 layers (docs/FREQUENCY.md).</summary>
public sealed class S5FrequencyTests
{
    private static S5Layer LoadGoldenSsm()
    {
        var ssm = new S5Layer(16);
        GoldenTensors.LoadInto(ssm, GoldenTensors.LoadStateDict("s5.seq.", "s5", "wide_step", "weights.npz"));
        return ssm;
    }

    private static RecurrentBackbone LoadMicroBackbone(BackboneOptions options)
    {
        var backbone = new RecurrentBackbone(options);
        GoldenTensors.LoadInto(backbone, GoldenTensors.LoadStateDict("mdl.backbone.", "detector_micro", "weights.npz"));
        backbone.eval();
        return backbone;
    }

    private static Tensor MicroInput()
    {
        // Two steps of one sample keep the recurrence (L > 1) at a third of the golden chunk's cost.
        using Tensor raw = GoldenTensors.Load("detector_micro", "x_chunk1.npy");
        return raw[..2, ..1].to(ScalarType.Float32);
    }

    [Fact]
    public void StepScaleOne_IsBitIdenticalToTheDefaultPath_AndOtherScalesReachEveryStage()
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        Tensor x = MicroInput();
        RecurrentBackbone byDefault = LoadMicroBackbone(RecurrentBackboneTests.MicroOptions());
        RecurrentBackbone explicitOne = LoadMicroBackbone(RecurrentBackboneTests.MicroOptions() with { StepScale = 1.0 });
        RecurrentBackbone half = LoadMicroBackbone(RecurrentBackboneTests.MicroOptions() with { StepScale = 0.5 });

        (Tensor[] f0, _) = byDefault.Forward(x);
        (Tensor[] f1, _) = explicitOne.Forward(x);
        (Tensor[] f1Call, _) = byDefault.Forward(x, stepScale: 1.0);
        (Tensor[] fHalf, _) = half.Forward(x);
        (Tensor[] fHalfCall, _) = byDefault.Forward(x, stepScale: 0.5);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(0.0, GoldenTensors.MaxAbsDiff(f1[i], f0[i]));
            Assert.Equal(0.0, GoldenTensors.MaxAbsDiff(f1Call[i], f0[i]));
            Assert.Equal(0.0, GoldenTensors.MaxAbsDiff(fHalf[i], fHalfCall[i]));
            Assert.True(GoldenTensors.MaxAbsDiff(fHalf[i], f0[i]) > 1e-6, $"stage {i + 1}: step scale 0.5 had no effect");
        }
    }

    [Fact]
    public void CarryModeFromAZeroState_EqualsReferenceMode()
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        S5Layer ssm = LoadGoldenSsm();
        Tensor u = GoldenTensors.Load("s5", "wide_step", "attn_norm_out.npy");
        Tensor zero = zeros([u.shape[0], 16], dtype: ScalarType.ComplexFloat32);
        (Tensor yCarry, Tensor sCarry) = ssm.Forward(u, zero, 0.7, S5StateMode.Carry);
        (Tensor yRef, Tensor sRef) = ssm.Forward(u, null, 0.7, S5StateMode.Reference);
        Assert.Equal(0.0, GoldenTensors.MaxAbsDiff(yCarry, yRef));
        Assert.Equal(0.0, GoldenTensors.MaxAbsDiff(view_as_real(sCarry), view_as_real(sRef)));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.0)]
    public void Mask_RemovesExactlyTheModesAboveTheLimit_AtTheEffectiveStep(double stepScale)
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        S5Layer ssm = LoadGoldenSsm();
        Dictionary<string, Tensor> sd = ssm.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        double[] imag = sd["Lambda"][.., 1].to(float64).data<double>().ToArray();
        double[] delta = sd["log_step"].to(float64).exp().data<double>().ToArray();
        // f_p = s·Δ_p·|Im λ_p| / 2π per mode; put β/2 at the median so about half the modes are cut.
        double[] freq = imag.Select((im, p) => stepScale * delta[p] * Math.Abs(im) / (2 * Math.PI)).ToArray();
        double[] sorted = freq.Order().ToArray();
        double bandlimit = (sorted[7] + sorted[8]);
        bool[] cut = freq.Select(f => f >= bandlimit / 2).ToArray();
        Assert.Contains(true, cut);
        Assert.Contains(false, cut);

        // Explicit reference: the same layer with those C̃ columns zeroed by hand.
        Tensor c = sd["C"].clone();
        for (int p = 0; p < cut.Length; p++)
        {
            if (cut[p])
            {
                c[.., p] = zeros(16, 2);
            }
        }
        var manual = new S5Layer(16);
        GoldenTensors.LoadInto(manual, new Dictionary<string, Tensor>(sd) { ["C"] = c });

        Tensor u = GoldenTensors.Load("s5", "wide_step", "attn_norm_out.npy");
        ssm.MaskMode = S5MaskMode.Eval;
        ssm.MaskBandlimit = bandlimit;
        ssm.eval();
        (Tensor masked, _) = ssm.Forward(u, null, stepScale, S5StateMode.Reference);
        (Tensor expected, _) = manual.Forward(u, null, stepScale, S5StateMode.Reference);
        GoldenTensors.AssertClose(masked, expected, 1e-6, "masked y");
        Assert.Equal(cut.Select(x => !x).ToArray(), ssm.ActiveMask(stepScale)!.data<bool>().ToArray());

        // Eval-only: training is unaffected; Always: masked in training too.
        ssm.train();
        (Tensor training, _) = ssm.Forward(u, null, stepScale, S5StateMode.Reference);
        ssm.MaskMode = S5MaskMode.Off;
        (Tensor unmasked, _) = ssm.Forward(u, null, stepScale, S5StateMode.Reference);
        Assert.Equal(0.0, GoldenTensors.MaxAbsDiff(training, unmasked));
        Assert.True(GoldenTensors.MaxAbsDiff(masked, unmasked) > 1e-4);
        ssm.MaskMode = S5MaskMode.Always;
        (Tensor always, _) = ssm.Forward(u, null, stepScale, S5StateMode.Reference);
        GoldenTensors.AssertClose(always, expected, 1e-6, "always-masked y");
    }

    [Fact]
    public void Mask_WithNoModeAboveTheLimit_IsTheIdentity()
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        S5Layer ssm = LoadGoldenSsm();
        ssm.eval();
        Tensor u = GoldenTensors.Load("s5", "wide_step", "attn_norm_out.npy");
        (Tensor off, _) = ssm.Forward(u, null, 1.0, S5StateMode.Reference);
        ssm.MaskMode = S5MaskMode.Eval;
        ssm.MaskBandlimit = 1e6;
        Assert.All(ssm.ActiveMask(1.0)!.data<bool>().ToArray(), Assert.True);
        (Tensor on, _) = ssm.Forward(u, null, 1.0, S5StateMode.Reference);
        Assert.Equal(0.0, GoldenTensors.MaxAbsDiff(on, off));
    }

    [Fact]
    public void MaskFromConfig_ReachesEveryStage()
    {
        ConfigNode cfg = YoloXDetectorTests.MicroConfig("model.backbone.s5.mask=on", "model.backbone.s5.mask_bandlimit=0.25");
        using var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        Assert.All(model.Backbone.Stages, s =>
        {
            Assert.Equal(S5MaskMode.Eval, s.S5Block.Layer.MaskMode);
            Assert.Equal(0.25, s.S5Block.Layer.MaskBandlimit);
        });
        using var plain = new YoloXDetector(DetectorOptions.FromConfig(YoloXDetectorTests.MicroConfig()));
        Assert.All(plain.Backbone.Stages, s => Assert.Equal(S5MaskMode.Off, s.S5Block.Layer.MaskMode));
    }

    [Theory]
    [InlineData(1.0, 0.5)]
    [InlineData(0.5, 0.5)]
    [InlineData(1.0, 0.2)]
    public void H2Penalty_EqualsQuadratureOfTheSquaredGainBeyondTheCutoff(double stepScale, double bandlimit)
    {
        using DisposeScope scope = NewDisposeScope();
        manual_seed(3);
        // No init-time band limit, so every mode carries energy.
        var ssm = new S5Layer(4, new S5LayerOptions { StateWidth = 6, DtMin = 0.05, DtMax = 2.0 });
        double closed = S5H2Penalty.Compute(ssm, stepScale, bandlimit).item<float>();

        Dictionary<string, Tensor> sd = ssm.state_dict();
        Tensor l = sd["Lambda"].to(float64);
        Tensor b = sd["B"].to(float64);
        Tensor c = sd["C"].to(float64);
        Tensor lam = complex(l[.., 0], l[.., 1]);
        Tensor bc = complex(b[.., .., 0], b[.., .., 1]);
        Tensor cc = complex(c[.., .., 0], c[.., .., 1]);
        using Scalar logScale = Scalars.Owned(Math.Log(stepScale));
        Tensor logStep = sd["log_step"].to(float64).add(logScale, Scalars.One);
        double cutoff = Math.PI * bandlimit;
        // Both half-lines: ω = ω_c/u, u ∈ (0, 1], composite Simpson on the transformed integrand.
        const int n = 20_000;
        var omegas = new double[n + 1];
        var weights = new double[n + 1];
        for (int k = 0; k <= n; k++)
        {
            double u = Math.Max(k / (double)n, 1e-12);
            omegas[k] = cutoff / u;
            weights[k] = (k == 0 || k == n ? 1 : (k % 2 == 1 ? 4 : 2)) * cutoff / (u * u);
        }
        double[] gains = FrequencyResponse.SquaredGains(lam, bc, cc, logStep, omegas);
        double numeric = 2 * gains.Zip(weights).Sum(p => p.First * p.Second) / (3.0 * n) / (2 * Math.PI);
        Assert.True(numeric > 1e-6, $"degenerate test system: energy {numeric}");
        Assert.True(Math.Abs(closed - numeric) <= 1e-5 * Math.Max(1, numeric), $"closed {closed} vs quadrature {numeric}");
    }

    [Fact]
    public void H2Penalty_OfTheDetector_SumsItsS5Layers_WithFiniteNonZeroGradients()
    {
        using DisposeScope scope = NewDisposeScope();
        RecurrentBackbone backbone = LoadMicroBackbone(RecurrentBackboneTests.MicroOptions());
        Tensor total = S5H2Penalty.Compute(backbone, 1.0, 0.5);
        double sum = backbone.Stages.Sum(s => s.S5Block.Layer.EnergyAboveCutoff(1.0, 0.5).item<float>());
        Assert.True(total.item<float>() > 0);
        Assert.Equal(sum, total.item<float>(), 1e-4 * sum);

        total.backward();
        foreach ((string name, Parameter p) in backbone.named_parameters().Where(kv => kv.name.Contains("s5_block.s5.seq.") && !kv.name.EndsWith(".D")))
        {
            Tensor g = p.grad ?? throw new Xunit.Sdk.XunitException($"{name}: no gradient");
            Assert.True(g.isfinite().all().item<bool>(), $"{name}: non-finite gradient");
            Assert.True(g.abs().sum().item<float>() > 0, $"{name}: zero gradient");
        }
    }

    [Theory]
    [InlineData("stacked_histogram_dt=50_nbins=10", "auto", 1.0)]
    [InlineData("stacked_histogram_dt=25_nbins=10_step=25", "auto", 0.5)]
    [InlineData("stacked_histogram_dt=5_nbins=10_step=5", "auto", 0.1)]
    [InlineData("stacked_histogram_dt=25_nbins=10", "auto", 1.0)]
    [InlineData("stacked_histogram_dt=5_nbins=10_step=5", "0.3", 0.3)]
    public void StepScale_FromConfig_IsTrainRateOverDataRateWhenAuto(string reprName, string stepScale, double expected)
    {
        ConfigNode cfg = YoloXDetectorTests.MicroConfig($"dataset.ev_repr_name={reprName}", $"++model.backbone.s5.step_scale={stepScale}");
        Assert.Equal(expected, S5FrequencyConfig.StepScale(cfg), 12);
        Assert.Equal(expected, DetectorOptions.FromConfig(cfg).Backbone.StepScale, 12);
    }

    [Fact]
    public void FrequencyKeys_HaveTheOriginalsDefaults_AndRejectBadValues()
    {
        BackboneOptions b = DetectorOptions.FromConfig(YoloXDetectorTests.MicroConfig()).Backbone;
        Assert.Equal((1.0, S5MaskMode.Off, 0.5, 0.0), (b.StepScale, b.Mask, b.MaskBandlimit, b.H2Weight));
        Assert.Equal(20.0, S5FrequencyConfig.TrainHz(YoloXDetectorTests.MicroConfig()));
        Assert.Equal(S5MaskMode.Always, S5FrequencyConfig.Mask(YoloXDetectorTests.MicroConfig("model.backbone.s5.mask=always")));
        Assert.Throws<ConfigException>(() => S5FrequencyConfig.Mask(YoloXDetectorTests.MicroConfig("model.backbone.s5.mask=sometimes")));
        Assert.Throws<ArgumentException>(() => DetectorOptions.FromConfig(YoloXDetectorTests.MicroConfig("model.backbone.s5.h2_weight=-1")).Backbone.Validate());
    }
}
