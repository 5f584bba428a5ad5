using TorchSharp;
using TorchSharp.Utils;
using TorchSharp.Modules;
using EventSsm.Checkpoints;
using static TorchSharp.torch;

namespace EventSsm.Model.Ssm;

/// <summary>
/// The diagonal S5 state-space layer (<c>S5SSM</c>, docs/MODEL.md §4), applied to a batch of independent sequences.
/// Keys: <c>Lambda (P,2)</c>, <c>B (P,H,2)</c>, <c>C (H,P,2)</c>, <c>D (H)</c>, <c>log_step (P)</c>; complex values are
/// stored as a trailing [re, im] axis, as in the original.
/// </summary>
/// <remarks>
/// States are complex64 tensors of shape (N, P), like the original's. The scan is a sequential loop over L of batched
/// real tensor ops; it equals the original's associative scan up to float32 rounding (docs/MODEL.md §4.4).
/// <para>
/// Inference cache: in eval mode with autograd off, the discretised operands (Λ̄, B̄, the masked readout) are computed
/// once and reused while the step scale, the mask settings and the parameter tensors stay the same. TorchSharp exposes
/// no tensor version counter, so in-place changes of the weights cannot be seen: the cache is dropped by
/// <c>train()</c>/<c>eval()</c>, by <c>load_state_dict</c> on this module or on <see cref="YoloXDetector"/>, by our
/// loaders (<see cref="Checkpoints.StateDictLoader"/>, <see cref="Checkpoints.DetectorCheckpoint"/>), by
/// <c>to(device/dtype)</c> (new parameter tensors) and by any forward with autograd on. Code that writes the
/// parameters in place in eval mode otherwise must call <see cref="InvalidateCaches"/> (or
/// <see cref="YoloXDetector.InvalidateCaches"/>).
/// </para>
/// </remarks>
public sealed class S5Ssm : nn.Module
{
    [ComponentName(Name = "Lambda")] private readonly Parameter _lambda;
    [ComponentName(Name = "B")] private readonly Parameter _b;
    [ComponentName(Name = "C")] private readonly Parameter _c;
    [ComponentName(Name = "D")] private readonly Parameter _d;
    [ComponentName(Name = "log_step")] private readonly Parameter _logStep;
    private readonly S5Discretization _discretization;
    private S5ForwardOperands? _cache;
    private CacheKey _cacheKey;

    /// <param name="width">H, the number of input/output channels.</param>
    /// <param name="stateWidth">P, the number of complex states.</param>
    /// <param name="dtMin">Lower bound of the initial step Δ (log-uniform).</param>
    /// <param name="dtMax">Upper bound of the initial step Δ.</param>
    /// <param name="bandlimit">Init-time mask: C columns with Δ|Im λ|/2π ≥ bandlimit/2 are zeroed; null disables it.</param>
    /// <param name="discretization">Bilinear in the original.</param>
    /// <param name="generator">Random source for the initialisation; null = the global one.</param>
    public S5Ssm(
        int width,
        int stateWidth,
        double dtMin = 1e-3,
        double dtMax = 1e-1,
        double? bandlimit = null,
        S5Discretization discretization = S5Discretization.Bilinear,
        Generator? generator = null)
        : base(nameof(S5Ssm))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stateWidth, 1);
        _discretization = discretization;
        using (no_grad())
        using (DisposeScope scope = NewDisposeScope())
        {
            // docs/MODEL.md §4.2, in the original's order of random draws: B, C, D, log_step. The original casts λ and
            // V to complex64 before B̃ = V⁻¹B and C̃ = CV.
            (Tensor lambda128, Tensor v128) = HippoInitializer.MakeDplrHippo(stateWidth);
            Tensor lambda = lambda128.to(ScalarType.ComplexFloat32);
            Tensor v = v128.to(ScalarType.ComplexFloat32);
            Tensor vInv = v.conj().t().resolve_conj();

            Tensor b = HippoInitializer.LecunNormal([stateWidth, width], generator);
            Tensor bTilde = vInv.matmul(b.to(ScalarType.ComplexFloat32));

            Tensor cRaw = HippoInitializer.LecunNormal([width, stateWidth, 2], generator);
            Tensor cTilde = complex(cRaw[.., .., 0], cRaw[.., .., 1]).matmul(v);

            Tensor d = rand(width, generator: generator);
            Tensor logStep = rand(stateWidth, generator: generator) * (Math.Log(dtMax) - Math.Log(dtMin)) + Math.Log(dtMin);

            Tensor lambdaReal = view_as_real(lambda).contiguous();
            if (bandlimit is double limit)
            {
                cTilde = cTilde * BandlimitMask(lambdaReal, logStep, limit);
            }

            _lambda = new Parameter(lambdaReal.DetachFromDisposeScope());
            _b = new Parameter(view_as_real(bTilde).contiguous().DetachFromDisposeScope());
            _c = new Parameter(view_as_real(cTilde).contiguous().DetachFromDisposeScope());
            _d = new Parameter(d.DetachFromDisposeScope());
            _logStep = new Parameter(logStep.DetachFromDisposeScope());
        }
        RegisterComponents();
    }

    public long Width => _d.shape[0];

    public long StateWidth => _logStep.shape[0];

    /// <summary>When the frequency-selective mask applies (docs/FREQUENCY.md); off in the original.</summary>
    public S5MaskMode MaskMode { get; set; } = S5MaskMode.Off;

    /// <summary>β of the inference mask: modes with s·Δ_p·|Im λ_p|/2π ≥ β/2 contribute nothing.</summary>
    public double MaskBandlimit { get; set; } = 0.5;

    /// <summary>
    /// The pass-band mask (P, bool) at step scale s, or null when the mask is not active (off, or eval-only while
    /// training). See <see cref="FrequencyResponse.PassBandMask"/>.
    /// </summary>
    public Tensor? ActiveMask(double stepScale)
    {
        bool active = MaskMode == S5MaskMode.Always || (MaskMode == S5MaskMode.Eval && !training);
        return active ? FrequencyResponse.PassBandMask(_lambda[.., 1].detach(), _logStep.detach(), stepScale, MaskBandlimit) : null;
    }

    /// <summary>
    /// Energy of this layer's (continuous, per-step-time) frequency response beyond ω_c = π·β at step scale s,
    /// (1/2π)∫_{|ω|≥ω_c}‖H(iω)‖²_F dω (<see cref="FrequencyResponse.EnergyAboveCutoff"/>), differentiable w.r.t.
    /// Lambda, B, C and log_step. Computed in float64 (the closed form subtracts nearly equal terms), returned as float32.
    /// </summary>
    public Tensor EnergyAboveCutoff(double stepScale, double bandlimit)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor lambda = complex(_lambda[.., 0].to(float64), _lambda[.., 1].to(float64));
        Tensor b = complex(_b[.., .., 0].to(float64), _b[.., .., 1].to(float64));
        Tensor c = complex(_c[.., .., 0].to(float64), _c[.., .., 1].to(float64));
        Tensor logStep = _logStep.to(float64) + Math.Log(stepScale);
        Tensor energy = FrequencyResponse.EnergyAboveCutoff(lambda, b, c, logStep, Math.PI * bandlimit);
        return energy.to(float32).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// 1 for states whose normalised frequency Δ|Im λ|/2π is below bandlimit/2, else 0 (P). The original applies it to the
    /// columns of C̃ once at construction (docs/MODEL.md §4.2); it is not a runtime mask.
    /// </summary>
    public static Tensor BandlimitMask(Tensor lambda, Tensor logStep, double bandlimit)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor freqs = logStep.exp() * lambda[.., 1].abs() / (2 * Math.PI);
        return freqs.lt(bandlimit * 0.5).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Discrete Λ̄ (P, complex64) and B̄ (P, H, complex64) for Δ = stepScale·exp(log_step).</summary>
    public (Tensor LambdaBar, Tensor BBar) Discretize(double stepScale = 1.0)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor lambda = complex(_lambda[.., 0], _lambda[.., 1]);
        Tensor bTilde = complex(_b[.., .., 0], _b[.., .., 1]);
        Tensor step = stepScale * _logStep.exp();
        (Tensor lambdaBar, Tensor gain) = S5Discretizer.Discretize(lambda, step, _discretization);
        Tensor bBar = gain.unsqueeze(-1) * bTilde;
        return (lambdaBar.MoveToOuterDisposeScope(), bBar.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Runs the layer over u (N, L, H) float32. Returns y (N, L, H) float32 and the last state x_{L−1} (N, P) complex64.
    /// </summary>
    /// <param name="prevState">(N, P) complex64 or null (zeros). Ignored in <see cref="S5StateMode.Reference"/>.</param>
    /// <param name="stepScale">Multiplies Δ; f_train/f_test to run at another frame rate (docs/MODEL.md §4.5).</param>
    public (Tensor Y, Tensor State) Forward(Tensor u, Tensor? prevState, double stepScale, S5StateMode mode)
    {
        if (u.dim() != 3 || u.shape[2] != Width)
        {
            throw new ArgumentException($"S5 input must be (N, L, {Width}), got ({string.Join(", ", u.shape)})", nameof(u));
        }
        long n = u.shape[0];
        long length = u.shape[1];
        if (mode == S5StateMode.Carry && prevState is not null
            && (prevState.dim() != 2 || prevState.shape[0] != n || prevState.shape[1] != StateWidth))
        {
            throw new ArgumentException(
                $"S5 state must be ({n}, {StateWidth}), got ({string.Join(", ", prevState.shape)})", nameof(prevState));
        }

        using DisposeScope scope = NewDisposeScope();
        S5ForwardOperands operands = Operands(stepScale);
        Tensor lr = operands.LambdaReal;
        Tensor li = operands.LambdaImag;
        int p = (int)StateWidth;
        Tensor bu = u.matmul(operands.BReal.t());                         // (N, L, 2P)

        // docs/MODEL.md §3.4: the reference starts every chunk at x₋₁ = 0; Carry injects
        // the previous state into step 0.
        Tensor states;
        Tensor xr;
        Tensor xi;
        Tensor? prev = mode == S5StateMode.Carry ? prevState : null;
        if (length == 1 && prev is null)
        {
            states = bu;
            xr = bu[.., 0, ..p];
            xi = bu[.., 0, p..];
        }
        else
        {
            var xs = new Tensor[length];
            xr = bu[.., 0, ..p];
            xi = bu[.., 0, p..];
            if (prev is not null)
            {
                Tensor pr = prev.real;
                Tensor pi = prev.imag;
                xr = xr + lr * pr - li * pi;
                xi = xi + lr * pi + li * pr;
            }
            xs[0] = cat([xr, xi], 1);
            for (long k = 1; k < length; k++)
            {
                Tensor nr = bu[.., k, ..p] + lr * xr - li * xi;
                xi = bu[.., k, p..] + lr * xi + li * xr;
                xr = nr;
                xs[k] = cat([xr, xi], 1);
            }
            states = stack(xs, 1);                                        // (N, L, 2P)
        }
        Tensor y = states.matmul(operands.CReal.t()) + _d * u;
        Tensor x = complex(xr.contiguous(), xi.contiguous());
        return (y.MoveToOuterDisposeScope(), x.MoveToOuterDisposeScope());
    }

    /// <summary>Whether discretised operands are cached now (tests).</summary>
    internal bool HasInferenceCache => _cache is not null;

    /// <summary>Drops the inference cache; the next eval-mode forward rebuilds it from the current weights.</summary>
    public void InvalidateCaches()
    {
        _cache?.Dispose();
        _cache = null;
    }

    /// <summary>Switching mode drops the cache: training changes the weights, and the mask depends on the mode.</summary>
    public override void train(bool train = true)
    {
        InvalidateCaches();
        base.train(train);
    }

    public override (IList<string> missing_keys, IList<string> unexpected_keyes) load_state_dict(
        Dictionary<string, Tensor> source, bool strict = true, IList<string>? skip = null)
    {
        InvalidateCaches();
        return base.load_state_dict(source, strict, skip);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            InvalidateCaches();
        }
        base.Dispose(disposing);
    }

    /// <summary>
    /// The operands for this call: cached at inference (eval mode, autograd off), else built in the caller's dispose
    /// scope, so that gradients flow to the parameters. Both paths run the same ops, so the outputs are bit-identical.
    /// </summary>
    private S5ForwardOperands Operands(double stepScale)
    {
        if (training || is_grad_enabled())
        {
            // A forward with autograd on may precede an optimiser step that changes the weights in place.
            InvalidateCaches();
            return BuildOperands(stepScale);
        }
        var key = new CacheKey(stepScale, MaskMode, MaskBandlimit, _lambda, _b, _c, _logStep);
        if (_cache is null || !_cacheKey.Matches(key))
        {
            InvalidateCaches();
            using DisposeScope scope = NewDisposeScope();
            _cache = BuildOperands(stepScale).DetachFromDisposeScope();
            _cacheKey = key;
        }
        return _cache;
    }

    private S5ForwardOperands BuildOperands(double stepScale)
    {
        // Real arithmetic throughout (same products and sums as the complex64 ops, so equal up to float32 rounding):
        // B̄u is one (N·L, H)×(H, 2P) matmul giving [Re | Im], y = Re(x C̃ᵀ) = [xr | xi]·[Cr | −Ci]ᵀ is one
        // (N·L, 2P)×(2P, H) matmul, and the recurrence x_k = Λ̄x_{k−1} + B̄u_k is split into its real and imaginary parts.
        (Tensor lambdaBar, Tensor bBar) = Discretize(stepScale);
        Tensor bReal = cat([bBar.real, bBar.imag], 0);                    // (2P, H)
        Tensor cReal = cat([_c[.., .., 0], -_c[.., .., 1]], 1);           // (H, 2P)
        if (ActiveMask(stepScale) is Tensor keep)
        {
            // Zeroing column p of C̃ removes mode p from y; the state itself still evolves and is carried.
            Tensor k = keep.to(cReal.dtype);
            cReal = cReal * cat([k, k]);
        }
        return new S5ForwardOperands(lambdaBar.real, lambdaBar.imag, bReal, cReal);
    }

    /// <summary>What the cached operands were built from; parameters by identity (<c>to()</c> replaces them).</summary>
    private readonly record struct CacheKey(
        double StepScale, S5MaskMode MaskMode, double MaskBandlimit, Tensor Lambda, Tensor B, Tensor C, Tensor LogStep)
    {
        public bool Matches(CacheKey other) =>
            StepScale.Equals(other.StepScale) && MaskMode == other.MaskMode && MaskBandlimit.Equals(other.MaskBandlimit)
            && ReferenceEquals(Lambda, other.Lambda) && ReferenceEquals(B, other.B)
            && ReferenceEquals(C, other.C) && ReferenceEquals(LogStep, other.LogStep);
    }
}
