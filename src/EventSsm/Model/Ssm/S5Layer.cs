using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using EventSsm.Tensors;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Model.Ssm;

/// <summary>
/// The S5 layer (Smith et al., ICLR 2023; the original's <c>S5SSM</c>) on a batch of sequences u (N, L, H): the one
/// implementation behind the detector's <see cref="S5Block"/> and the general sequence API (docs/S5.md).
/// Keys as in the original: <c>Lambda (P,2)</c>, <c>B (P,H,2)</c>, <c>C (H,P or 2P,2)</c>, <c>D (H)</c>,
/// <c>log_step (P)</c>; with <see cref="S5BcInit.Factorized"/> B/C are replaced by <c>BH (H,k,2)</c>, <c>BP (P,k,2)</c>,
/// <c>CH (k,H,2)</c>, <c>CP (k,P or 2P,2)</c>. Complex values are stored as a trailing [re, im] axis. P is the stored
/// state count (half the requested one with conjugate symmetry). The default options build the detector's S5
/// (docs/MODEL.md §4.1).
/// </summary>
/// <remarks>
/// <para>
/// Two ways to call it. The detector's <see cref="Forward(Tensor, Tensor?, double, S5StateMode)"/> takes one step scale
/// and the state semantics (<see cref="S5StateMode"/>, docs/MODEL.md §3.4); the general
/// <see cref="Forward(Tensor, Tensor?, Tensor?, LinearRecurrence.Method?)"/> takes a scalar, per-sequence (N) or
/// per-time-step (N, L) step scale and always carries an incoming state; <see cref="Step"/> is one element of it.
/// </para>
/// <para>
/// Evaluation. With one step scale for every sequence and step and the sequential scan (the detector's case, L ≤ 21),
/// Λ̄ and B̄ are constant and the layer runs in real arithmetic: B̄u is one (N·L, H)×(H, 2P) matmul giving [Re | Im],
/// the recurrence x_k = Λ̄x_{k−1} + B̄u_k is split into its real and imaginary parts, and y = Re(x C̃ᵀ) is one
/// (N·L, 2P)×(2P, H) matmul with [Cr | −Ci] (same products and sums as the complex ops, so equal up to rounding,
/// docs/MODEL.md §4.4). Otherwise (per-sequence or per-step Δ, or the parallel scan) each step t is discretised with
/// its own Δ_t and <see cref="LinearRecurrence"/> solves the complex recurrence.
/// </para>
/// <para>
/// Inference cache: in eval mode with autograd off, the real-arithmetic operands (Λ̄, B̄, the masked readout) are
/// computed once and reused while the step scale, the mask settings and the parameter tensors stay the same. TorchSharp
/// exposes no tensor version counter, so in-place changes of the weights cannot be seen: the cache is dropped by
/// <c>train()</c>/<c>eval()</c>, by <c>load_state_dict</c> on this layer, its <see cref="S5Block"/> or the detector,
/// by our loaders (<c>Checkpoints.StateDictLoader</c>, <c>Checkpoints.DetectorCheckpoint</c>), by <c>to(device/dtype)</c>
/// (new parameter tensors) and by any forward with autograd on. Code that writes the parameters in place in eval mode
/// otherwise must call <see cref="InvalidateCaches"/> (or <c>InferenceCaches.Invalidate</c> on the model).
/// </para>
/// <para>
/// Precision follows the parameters (<c>to(float64)</c> computes in float64/complex128); states are complex of the
/// matching precision, shaped (N, P).
/// </para>
/// </remarks>
public sealed class S5Layer : nn.Module, IInferenceCache
{
    [ComponentName(Name = "Lambda")] private readonly Parameter _lambda;
    [ComponentName(Name = "B")] private readonly Parameter? _b;
    [ComponentName(Name = "C")] private readonly Parameter? _c;
    [ComponentName(Name = "BH")] private readonly Parameter? _bh;
    [ComponentName(Name = "BP")] private readonly Parameter? _bp;
    [ComponentName(Name = "CH")] private readonly Parameter? _ch;
    [ComponentName(Name = "CP")] private readonly Parameter? _cp;
    [ComponentName(Name = "D")] private readonly Parameter _d;
    [ComponentName(Name = "log_step")] private readonly Parameter _logStep;
    private readonly S5LayerOptions _options;
    private S5ForwardOperands? _cache;
    private CacheKey _cacheKey;

    /// <param name="width">H, the number of input/output channels.</param>
    /// <param name="options">Construction options; null = the detector's S5 with P = H.</param>
    /// <param name="generator">Random source for the initialisation; null = the global one.</param>
    public S5Layer(int width, S5LayerOptions? options = null, Generator? generator = null)
        : base(nameof(S5Layer))
    {
        _options = options ?? new S5LayerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        int fullStates = _options.StateWidth ?? width;
        ArgumentOutOfRangeException.ThrowIfLessThan(fullStates, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BlockCount, 1);
        if (fullStates % _options.BlockCount != 0)
        {
            throw new ArgumentException($"state width {fullStates} is not a multiple of block_count {_options.BlockCount}");
        }
        int blockSize = fullStates / _options.BlockCount;
        if (_options.ConjugateSymmetry && blockSize % 2 != 0)
        {
            throw new ArgumentException($"conjugate symmetry needs an even HiPPO block size, got {blockSize}");
        }
        int stored = _options.ConjugateSymmetry ? fullStates / 2 : fullStates;
        int outStates = Directions * stored;

        using (no_grad())
        using (DisposeScope scope = NewDisposeScope())
        {
            // docs/MODEL.md §4.2, in the original's order of random draws: B, C (per direction), D, log_step. The
            // original casts λ and V to complex64 before B̃ = V⁻¹B and C̃ = CV.
            (Tensor lambda128, Tensor v128) = HippoInitializer.MakeDplrHippo(blockSize);
            Tensor lambdaBlock = lambda128.to(ScalarType.ComplexFloat32);
            Tensor vBlock = v128.to(ScalarType.ComplexFloat32);
            if (_options.ConjugateSymmetry)
            {
                // eigh sorts Im λ ascending and the spectrum is ± symmetric, so the first half holds one of each pair.
                lambdaBlock = lambdaBlock[..(blockSize / 2)];
                vBlock = vBlock[.., ..(blockSize / 2)];
            }
            Tensor lambda = lambdaBlock.repeat(_options.BlockCount);
            Tensor v = block_diag(Enumerable.Repeat(vBlock, _options.BlockCount).ToArray());   // (P_full, P)
            Tensor vInv = v.conj().t().resolve_conj();                                            // (P, P_full)

            Tensor? bTilde = null;
            Tensor? cTilde = null;
            if (_options.BcInit == S5BcInit.Factorized)
            {
                int k = _options.FactorRank;
                ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
                _bh = new Parameter(HippoInitializer.LecunNormal([width, k, 2], generator).DetachFromDisposeScope());
                _bp = new Parameter(HippoInitializer.LecunNormal([stored, k, 2], generator).DetachFromDisposeScope());
                _ch = new Parameter(HippoInitializer.LecunNormal([k, width, 2], generator).DetachFromDisposeScope());
                _cp = new Parameter(HippoInitializer.LecunNormal([k, outStates, 2], generator).DetachFromDisposeScope());
            }
            else
            {
                Tensor b = HippoInitializer.LecunNormal([fullStates, width], generator);
                bTilde = vInv.matmul(b.to(ScalarType.ComplexFloat32));
                var parts = new Tensor[Directions];
                for (int i = 0; i < Directions; i++)
                {
                    parts[i] = _options.BcInit switch
                    {
                        S5BcInit.ComplexNormal => complex(
                            randn([width, stored], generator: generator).mul(Of(Math.Sqrt(0.5))),
                            randn([width, stored], generator: generator).mul(Of(Math.Sqrt(0.5)))),
                        _ => ToComplex(DrawC(width, fullStates, _options.BcInit, generator)).matmul(v),
                    };
                }
                cTilde = cat(parts, -1);
            }

            Tensor d = rand(width, generator: generator);
            Tensor logStep = rand(stored, generator: generator).mul(Of(Math.Log(_options.DtMax) - Math.Log(_options.DtMin)))
                .add(Of(Math.Log(_options.DtMin)), One);
            Tensor lambdaReal = view_as_real(lambda).contiguous();
            if (cTilde is not null)
            {
                if (_options.Bandlimit is double limit)
                {
                    Tensor mask = BandlimitMask(lambdaReal, logStep, limit);
                    cTilde = cTilde * (_options.Bidirectional ? cat([mask, mask]) : mask);
                }
                _b = new Parameter(view_as_real(bTilde!).contiguous().DetachFromDisposeScope());
                _c = new Parameter(view_as_real(cTilde).contiguous().DetachFromDisposeScope());
            }
            _lambda = new Parameter(lambdaReal.DetachFromDisposeScope());
            _d = new Parameter(d.DetachFromDisposeScope());
            _logStep = new Parameter(logStep.DetachFromDisposeScope());
        }
        RegisterComponents();
    }

    public S5LayerOptions Options => _options;

    /// <summary>H.</summary>
    public long Width => _d.shape[0];

    /// <summary>Stored complex states P (half the requested number with conjugate symmetry).</summary>
    public long StateWidth => _logStep.shape[0];

    /// <summary>When the frequency-selective mask applies (docs/FREQUENCY.md); off in the original.</summary>
    public S5MaskMode MaskMode { get; set; } = S5MaskMode.Off;

    /// <summary>β of the inference mask: modes with s·Δ_p·|Im λ_p|/2π ≥ β/2 contribute nothing.</summary>
    public double MaskBandlimit { get; set; } = 0.5;

    private int Directions => _options.Bidirectional ? 2 : 1;

    private ScalarType ComplexType =>
        _logStep.dtype == ScalarType.Float64 ? ScalarType.ComplexFloat64 : ScalarType.ComplexFloat32;

    // Accessors (methods, not properties: Module.to(dtype) tries to assign every Tensor property). Together with the
    // state_dict keys they are what an exporter needs to rebuild the layer.

    /// <summary>λ (P), complex.</summary>
    public Tensor ContinuousLambda() => complex(_lambda[.., 0], _lambda[.., 1]);

    /// <summary>B̃ (P, H), complex (B_P B_Hᵀ when factorised).</summary>
    public Tensor InputMatrix() => _b is not null ? ToComplex(_b) : ToComplex(_bp!).matmul(ToComplex(_bh!).t());

    /// <summary>C̃ (H, P, or 2P when bidirectional: [forward | backward]), complex (C_Hᵀ C_P when factorised).</summary>
    public Tensor OutputMatrix() => _c is not null ? ToComplex(_c) : ToComplex(_ch!).t().matmul(ToComplex(_cp!));

    /// <summary>D (H), real feed-through.</summary>
    public Tensor FeedThrough() => _d;

    /// <summary>Δ = exp(log_step) (P), the steps at step scale 1.</summary>
    public Tensor StepSizes() => _logStep.exp();

    /// <summary>
    /// The pass-band mask (P, bool) at step scale s, or null when the mask is not active (off, or eval-only while
    /// training). See <see cref="FrequencyResponse.PassBandMask"/>.
    /// </summary>
    public Tensor? ActiveMask(double stepScale) =>
        MaskActive ? FrequencyResponse.PassBandMask(_lambda[.., 1].detach(), _logStep.detach(), stepScale, MaskBandlimit) : null;

    private bool MaskActive => MaskMode == S5MaskMode.Always || (MaskMode == S5MaskMode.Eval && !training);

    /// <summary>
    /// Energy of this layer's (continuous, per-step-time) frequency response beyond ω_c = π·β at step scale s,
    /// (1/2π)∫_{|ω|≥ω_c}‖H(iω)‖²_F dω (<see cref="FrequencyResponse.EnergyAboveCutoff"/>), differentiable w.r.t.
    /// Lambda, B, C and log_step. Computed in float64 (the closed form subtracts nearly equal terms), returned in the
    /// parameters' precision. Defined for causal layers only (not bidirectional).
    /// </summary>
    public Tensor EnergyAboveCutoff(double stepScale, double bandlimit)
    {
        if (_options.Bidirectional)
        {
            throw new NotSupportedException("the H2 energy is defined for causal S5 layers, not bidirectional ones");
        }
        using DisposeScope scope = NewDisposeScope();
        Tensor lambda = ContinuousLambda().to(ScalarType.ComplexFloat64);
        Tensor b = InputMatrix().to(ScalarType.ComplexFloat64);
        Tensor c = OutputMatrix().to(ScalarType.ComplexFloat64);
        if (_options.ConjugateSymmetry)
        {
            // y = 2·Re(C̃x): the kept half with twice the readout is the full conjugate-pair system.
            c = c.mul(Of(2.0));
        }
        Tensor logStep = _logStep.to(float64).add(Of(Math.Log(stepScale)), One);
        Tensor energy = FrequencyResponse.EnergyAboveCutoff(lambda, b, c, logStep, Math.PI * bandlimit);
        return energy.to(_logStep.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// 1 for states whose normalised frequency Δ|Im λ|/2π is below bandlimit/2, else 0 (P). The original applies it to the
    /// columns of C̃ once at construction (docs/MODEL.md §4.2); it is not a runtime mask.
    /// </summary>
    public static Tensor BandlimitMask(Tensor lambda, Tensor logStep, double bandlimit)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor freqs = (logStep.exp() * lambda[.., 1].abs()).div(Of(2 * Math.PI));
        return freqs.lt(Of(bandlimit * 0.5)).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Discrete Λ̄ (P) and B̄ (P, H), complex, for Δ = stepScale·exp(log_step) (<see cref="S5Discretizer"/>).</summary>
    public (Tensor LambdaBar, Tensor BBar) Discretize(double stepScale = 1.0)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor step = _logStep.exp().mul(Of(stepScale));
        (Tensor lambdaBar, Tensor gain) = S5Discretizer.Discretize(ContinuousLambda(), step, _options.Discretization);
        Tensor bBar = gain.unsqueeze(-1) * InputMatrix();
        return (lambdaBar.MoveToOuterDisposeScope(), bBar.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The real-arithmetic operands the layer runs on at one step scale (Λ̄ re/im, [Re B̄; Im B̄], the readout
    /// [Cr | −Ci] per direction with the mask of the current mode and the conjugate-symmetry factor 2), built fresh
    /// (never the cache); the caller owns them. For exporters that must compute exactly what <see cref="Forward(Tensor, Tensor?, double, S5StateMode)"/> does.
    /// </summary>
    public S5ForwardOperands RealOperands(double stepScale)
    {
        using DisposeScope scope = NewDisposeScope();
        return BuildOperands(stepScale).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The detector's call: u (N, L, H) → y (N, L, H) and the last state x_{L−1} (N, P), complex.
    /// </summary>
    /// <param name="prevState">(N, P) complex or null (zeros). Ignored in <see cref="S5StateMode.Reference"/>.</param>
    /// <param name="stepScale">Multiplies Δ; f_train/f_test to run at another frame rate (docs/MODEL.md §4.5).</param>
    /// <param name="mode">Reference: every call starts from x₋₁ = 0 (the original); Carry: x₀ = Λ̄ s + B̄u₀.</param>
    public (Tensor Y, Tensor State) Forward(Tensor u, Tensor? prevState, double stepScale, S5StateMode mode) =>
        Run(u, mode == S5StateMode.Carry ? prevState : null, stepScale, null, _options.ScanMethod);

    /// <summary>
    /// <see cref="Forward(Tensor, Tensor?, double, S5StateMode)"/> on time-major sequences: u (L, N, H) → y (L, N, H)
    /// and the last state (N, P). The detector's stages hold their maps as (L·B, h, w, C), which is (L, B·h·w, C)
    /// without a copy, and every step of the scan is then a contiguous (N, 2P) slice (docs/MODEL.md §11.1).
    /// </summary>
    public (Tensor Y, Tensor State) ForwardTimeMajor(Tensor u, Tensor? prevState, double stepScale, S5StateMode mode)
    {
        Tensor? state = mode == S5StateMode.Carry ? prevState : null;
        if (u.dim() != 3 || u.shape[2] != Width)
        {
            throw new ArgumentException($"S5 time-major input must be (L, N, {Width}), got ({string.Join(", ", u.shape)})", nameof(u));
        }
        if (LinearRecurrence.IsParallel(_options.ScanMethod, u.shape[0]))
        {
            using DisposeScope parallelScope = NewDisposeScope();
            (Tensor yb, Tensor lastb) = Run(u.transpose(0, 1), state, stepScale, null, _options.ScanMethod);
            return (yb.transpose(0, 1).contiguous().MoveToOuterDisposeScope(), lastb.MoveToOuterDisposeScope());
        }
        CheckState(state, u.shape[1]);
        using DisposeScope scope = NewDisposeScope();
        (Tensor y, Tensor last) = RunConstant(u, state, stepScale, timeAxis: 0);
        return (y.MoveToOuterDisposeScope(), last.MoveToOuterDisposeScope());
    }

    /// <summary>Runs the layer with one step scale for all sequences and steps; an incoming state is carried.</summary>
    public (Tensor Y, Tensor State) Forward(Tensor u, double stepScale, Tensor? state = null, LinearRecurrence.Method? method = null) =>
        Run(u, state, stepScale, null, method ?? _options.ScanMethod);

    /// <summary>
    /// u (N, L, H) → y (N, L, H) and the last forward state x_{L−1} (N, P), complex; an incoming state is carried.
    /// </summary>
    /// <param name="stepScale">Multiplies Δ = exp(log_step): null (1), a scalar, (N) per sequence, or (N, L) per time step
    /// (irregular sampling: step t is discretised with its own Δ_t).</param>
    /// <param name="state">Incoming state (N, P) or null for zero; not allowed with a bidirectional layer.</param>
    /// <param name="method">Overrides <see cref="S5LayerOptions.ScanMethod"/>.</param>
    public (Tensor Y, Tensor State) Forward(Tensor u, Tensor? stepScale = null, Tensor? state = null, LinearRecurrence.Method? method = null) =>
        Run(u, state, 1.0, stepScale, method ?? _options.ScanMethod);

    /// <summary>
    /// One streaming step: u_t (N, H) and the previous state (N, P) or null → (y_t (N, H), x_t (N, P)); the same
    /// recurrence as <see cref="Forward(Tensor, Tensor?, Tensor?, LinearRecurrence.Method?)"/>, one element at a time.
    /// </summary>
    /// <param name="stepScale">null (1), a scalar or (N): the scale of Δ for this step.</param>
    public (Tensor Y, Tensor State) Step(Tensor u, Tensor? state, Tensor? stepScale = null)
    {
        if (_options.Bidirectional)
        {
            throw new InvalidOperationException("a bidirectional S5 layer has no streaming step");
        }
        if (u.dim() != 2 || u.shape[1] != Width)
        {
            throw new ArgumentException($"S5 step input must be (N, {Width}), got ({string.Join(", ", u.shape)})", nameof(u));
        }
        using DisposeScope scope = NewDisposeScope();
        Tensor? scale = stepScale is not null && stepScale.dim() == 1 ? stepScale.unsqueeze(1) : stepScale;
        (Tensor y, Tensor x) = Run(u.unsqueeze(1), state, 1.0, scale, LinearRecurrence.Method.Sequential);
        return (y.squeeze(1).MoveToOuterDisposeScope(), x.MoveToOuterDisposeScope());
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

    /// <param name="state">The state to carry into step 0, or null (x₋₁ = 0).</param>
    /// <param name="stepScale">The step scale when <paramref name="stepScales"/> is null.</param>
    /// <param name="stepScales">A scalar, (N) or (N, L) tensor of step scales, or null.</param>
    private (Tensor Y, Tensor State) Run(Tensor u, Tensor? state, double stepScale, Tensor? stepScales, LinearRecurrence.Method method)
    {
        if (u.dim() != 3 || u.shape[2] != Width)
        {
            throw new ArgumentException($"S5 input must be (N, L, {Width}), got ({string.Join(", ", u.shape)})", nameof(u));
        }
        long n = u.shape[0];
        long length = u.shape[1];
        CheckState(state, n);

        using DisposeScope scope = NewDisposeScope();
        (Tensor y, Tensor last) = stepScales is null && !LinearRecurrence.IsParallel(method, length)
            ? RunConstant(u, state, stepScale, timeAxis: 1)
            : RunPerStep(u, state, Steps(stepScale, stepScales, n, length), method);
        return (y.MoveToOuterDisposeScope(), last.MoveToOuterDisposeScope());
    }

    private void CheckState(Tensor? state, long n)
    {
        if (state is null)
        {
            return;
        }
        if (_options.Bidirectional)
        {
            throw new ArgumentException("a bidirectional S5 layer cannot continue from a state", nameof(state));
        }
        if (state.dim() != 2 || state.shape[0] != n || state.shape[1] != StateWidth)
        {
            throw new ArgumentException(
                $"S5 state must be ({n}, {StateWidth}), got ({string.Join(", ", state.shape)})", nameof(state));
        }
    }

    /// <summary>
    /// One Δ for everything: real arithmetic on constant operands (cached at inference). u is (N, L, H) for
    /// <paramref name="timeAxis"/> 1 or (L, N, H) for 0; y has u's layout.
    /// </summary>
    private (Tensor Y, Tensor State) RunConstant(Tensor u, Tensor? state, double stepScale, int timeAxis)
    {
        S5ForwardOperands operands = Operands(stepScale);
        Tensor input = u.dtype == _logStep.dtype ? u : u.to(_logStep.dtype);
        // (N, L, 2P) or (L, N, 2P); per-token products as the backbone's other token linears (docs/MODEL.md §11.1,
        // "Token linears as 1×1 convolutions").
        Tensor bu = TokenLinear.Forward(input, operands.BReal, null);
        (Tensor states, Tensor last) = ScanSplitComplex(bu, operands.LambdaReal, operands.LambdaImag, state, timeAxis);
        if (_options.Bidirectional)
        {
            Tensor backward = ScanSplitComplex(bu.flip(timeAxis), operands.LambdaReal, operands.LambdaImag, null, timeAxis).States.flip(timeAxis);
            states = cat([states, backward], -1);
        }
        Tensor y = TokenLinear.Forward(states, operands.CReal, null).add(_d * input, One);
        return (y, last);
    }

    /// <summary>Δ per sequence and step, shaped (N|1, L|1, P): complex discretisation per step and LinearRecurrence.</summary>
    private (Tensor Y, Tensor State) RunPerStep(Tensor u, Tensor? state, Tensor delta, LinearRecurrence.Method method)
    {
        Tensor bTildeT = InputMatrix().t();
        Tensor xs = ScanComplex(u, delta, bTildeT, state, method);                      // (N, L, P)
        var parts = new List<Tensor> { xs.real, xs.imag };
        if (_options.Bidirectional)
        {
            Tensor reversedDelta = delta.shape[1] > 1 ? delta.flip(1) : delta;
            Tensor backward = ScanComplex(u.flip(1), reversedDelta, bTildeT, null, method).flip(1);
            parts.Add(backward.real);
            parts.Add(backward.imag);
        }
        Tensor states = cat(parts, -1);                                                  // (N, L, 2P·directions)
        if (MaskActive)
        {
            // The mask of each step at its own Δ_t; zeroing a state's readout removes it from y_t only.
            Tensor keep = FrequencyResponse.PassBandMaskAtSteps(_lambda[.., 1].detach(), delta.detach(), MaskBandlimit)
                .to(states.dtype);
            states = states * cat(Enumerable.Repeat(keep, 2 * Directions).ToArray(), -1);
        }
        Tensor y = states.matmul(ReadoutMatrix().t()).add(_d * u, One);
        return (y, xs[.., -1]);
    }

    private Tensor ScanComplex(Tensor u, Tensor delta, Tensor bTildeT, Tensor? state, LinearRecurrence.Method method)
    {
        (Tensor lambdaBar, Tensor gain) = S5Discretizer.Discretize(ContinuousLambda(), delta, _options.Discretization);
        Tensor bu = gain * u.to(ComplexType).matmul(bTildeT);                            // (N, L, P)
        // LinearRecurrence runs along the first axis: time-major (L, N, P).
        return LinearRecurrence.Solve(lambdaBar.transpose(0, 1), bu.transpose(0, 1), state, method).transpose(0, 1);
    }

    /// <summary>
    /// x_k = Λ̄x_{k−1} + B̄u_k on [Re | Im] halves (time axis <paramref name="timeAxis"/> of bu, last axis 2P) with
    /// Λ̄ = lr + i·li (P); returns all states [xr | xi] in bu's layout and x_{L−1} (N, P) complex. docs/MODEL.md §3.4:
    /// x₋₁ = 0 unless a state is carried into step 0. One step is x ← B̄u_k + [lr | lr]⊙x + [−li | li]⊙[xi | xr]: the
    /// complex product's terms in the order of (lr·xr − li·xi, lr·xi + li·xr), as two fused multiply-adds.
    /// </summary>
    private static (Tensor States, Tensor Last) ScanSplitComplex(Tensor bu, Tensor lr, Tensor li, Tensor? prev, int timeAxis)
    {
        long length = bu.shape[timeAxis];
        int p = (int)(bu.shape[^1] / 2);
        Tensor states;
        Tensor x;
        if (length == 1 && prev is null)
        {
            states = bu;
            x = bu.select(timeAxis, 0);
        }
        else if (SplitComplexScan.Fits(bu, lr, li, prev, timeAxis) && prev?.requires_grad != true)
        {
            // Our kernel, one pass per sequence (docs/MODEL.md §11.1, "The S5 scan in one pass"); the same states.
            if (is_grad_enabled() && (bu.requires_grad || lr.requires_grad || li.requires_grad))
            {
                states = SplitComplexScanFunction.Apply(bu, lr, li, prev, timeAxis);
                x = states.select(timeAxis, length - 1);
            }
            else
            {
                return SplitComplexScan.Forward(bu, lr, li, prev, timeAxis);
            }
        }
        else
        {
            Tensor lr2 = cat([lr, lr]);
            Tensor li2 = cat([-li, li]);
            var xs = new Tensor[length];
            x = bu.select(timeAxis, 0);
            if (prev is not null)
            {
                x = Step(x, cat([prev.real, prev.imag], -1));
            }
            xs[0] = x;
            for (long k = 1; k < length; k++)
            {
                x = Step(bu.select(timeAxis, k), x);
                xs[k] = x;
            }
            // One step (streaming) needs no stacked copy: a view of it with the time axis.
            states = length == 1 ? xs[0].unsqueeze(timeAxis) : stack(xs, timeAxis);

            Tensor Step(Tensor input, Tensor previous) =>
                addcmul(addcmul(input, lr2, previous, One), li2, cat([previous[.., p..], previous[.., ..p]], -1), One);
        }
        return (states, complex(x[.., ..p], x[.., p..]));
    }

    /// <summary>Δ = scale·exp(log_step) shaped (N|1, L|1, P).</summary>
    private Tensor Steps(double stepScale, Tensor? stepScales, long n, long length)
    {
        Tensor step = _logStep.exp().view(1, 1, -1);
        if (stepScales is null)
        {
            return step.mul(Of(stepScale));
        }
        Tensor scale = stepScales.to(_logStep.dtype);
        return scale.dim() switch
        {
            0 => scale * step,
            1 when scale.shape[0] == n => scale.view(n, 1, 1) * step,
            2 when scale.shape[0] == n && scale.shape[1] == length => scale.unsqueeze(-1) * step,
            _ => throw new ArgumentException(
                $"step scale must be a scalar, ({n}) or ({n}, {length}), got ({string.Join(", ", stepScales.shape)})",
                nameof(stepScales)),
        };
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
        var key = new CacheKey(stepScale, MaskMode, MaskBandlimit, [_lambda, _b, _c, _bh, _bp, _ch, _cp, _logStep]);
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
        (Tensor lambdaBar, Tensor bBar) = Discretize(stepScale);
        Tensor bReal = cat([bBar.real, bBar.imag], 0);                                  // (2P, H)
        Tensor cReal = ReadoutMatrix();                                                  // (H, 2P·directions)
        if (ActiveMask(stepScale) is Tensor keep)
        {
            // Zeroing column p of C̃ removes mode p from y; the state itself still evolves and is carried.
            Tensor k = keep.to(cReal.dtype);
            cReal = cReal * cat(Enumerable.Repeat(k, 2 * Directions).ToArray());
        }
        // Λ̄'s parts contiguous, as the scan kernel reads them (views of a complex tensor are strided).
        return new S5ForwardOperands(lambdaBar.real.contiguous(), lambdaBar.imag.contiguous(), bReal, cReal);
    }

    /// <summary>
    /// y = Re(C̃x) as one real matmul on [xr | xi]: per direction [Cr | −Ci] (H, 2P), times 2 with conjugate symmetry
    /// (the stored state stands for its conjugate pair, whose contributions sum to 2·Re).
    /// </summary>
    private Tensor ReadoutMatrix()
    {
        Tensor pairs = _c ?? view_as_real(OutputMatrix());                             // (H, P·directions, 2)
        Tensor re = pairs[.., .., 0];
        Tensor im = pairs[.., .., 1];
        int p = (int)StateWidth;
        var parts = new Tensor[2 * Directions];
        for (int d = 0; d < Directions; d++)
        {
            parts[2 * d] = Directions == 1 ? re : re[.., (d * p)..((d + 1) * p)];
            parts[2 * d + 1] = -(Directions == 1 ? im : im[.., (d * p)..((d + 1) * p)]);
        }
        Tensor c = cat(parts, 1);
        return _options.ConjugateSymmetry ? c.mul(Of(2.0)) : c;
    }

    private static Tensor DrawC(int width, int fullStates, S5BcInit init, Generator? generator) =>
        init == S5BcInit.DenseColumns
            // Each row drawn on its own: jax fan-in P instead of H·P (the original's init_rowwise_C).
            ? cat(Enumerable.Range(0, width).Select(_ => HippoInitializer.LecunNormal([1, fullStates, 2], generator)).ToArray(), 0)
            : HippoInitializer.LecunNormal([width, fullStates, 2], generator);

    private static Tensor ToComplex(Tensor pairs) => complex(pairs[TensorIndex.Ellipsis, 0], pairs[TensorIndex.Ellipsis, 1]);

    /// <summary>What the cached operands were built from; parameters by identity (<c>to()</c> replaces them).</summary>
    private readonly record struct CacheKey(double StepScale, S5MaskMode MaskMode, double MaskBandlimit, Tensor?[] Parameters)
    {
        public bool Matches(CacheKey other) =>
            StepScale.Equals(other.StepScale) && MaskMode == other.MaskMode && MaskBandlimit.Equals(other.MaskBandlimit)
            && Parameters.Length == other.Parameters.Length
            && Parameters.Zip(other.Parameters).All(pair => ReferenceEquals(pair.First, pair.Second));
    }
}
