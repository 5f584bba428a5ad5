using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace EventSsm.Model.Ssm;

/// <summary>
/// General-purpose S5 layer (Smith et al., ICLR 2023; the standalone S5 the detector's layer comes from) on a batch of
/// sequences u (N, L, H), with irregular time steps. Keys as in the original: <c>Lambda (P,2)</c>, <c>B (P,H,2)</c>,
/// <c>C (H,P or 2P,2)</c>, <c>D (H)</c>, <c>log_step (P)</c>; with <see cref="S5BcInit.Factorized"/> B/C are replaced by
/// <c>BH (H,k,2)</c>, <c>BP (P,k,2)</c>, <c>CH (k,H,2)</c>, <c>CP (k,P or 2P,2)</c>. P here is the stored state count
/// (half the requested one with conjugate symmetry). The default options load the detector's S5 weights.
/// </summary>
/// <remarks>
/// Unlike the detector's reference mode, an incoming state is always carried: x₀ = Λ̄(Δ₀) s + B̄(Δ₀) u₀
/// (docs/MODEL.md §3.4 "carry"). The layer computes in the dtype of its parameters (float32 or float64, via
/// <c>to(float64)</c>); states are complex of the matching precision.
/// </remarks>
public sealed class S5Layer : nn.Module
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
        int outStates = _options.Bidirectional ? 2 * stored : stored;

        using (no_grad())
        using (DisposeScope scope = NewDisposeScope())
        {
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
                int directions = _options.Bidirectional ? 2 : 1;
                var parts = new Tensor[directions];
                for (int i = 0; i < directions; i++)
                {
                    parts[i] = _options.BcInit switch
                    {
                        S5BcInit.ComplexNormal => complex(
                            randn([width, stored], generator: generator) * Math.Sqrt(0.5),
                            randn([width, stored], generator: generator) * Math.Sqrt(0.5)),
                        _ => ToComplex(DrawC(width, fullStates, _options.BcInit, generator)).matmul(v),
                    };
                }
                cTilde = cat(parts, -1);
            }

            Tensor d = rand(width, generator: generator);
            Tensor logStep = rand(stored, generator: generator) * (Math.Log(_options.DtMax) - Math.Log(_options.DtMin))
                + Math.Log(_options.DtMin);
            Tensor lambdaReal = view_as_real(lambda).contiguous();
            if (cTilde is not null)
            {
                if (_options.Bandlimit is double limit)
                {
                    Tensor mask = S5Ssm.BandlimitMask(lambdaReal, logStep, limit);
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

    /// <summary>λ (P), complex. (Methods, not properties: Module.to(dtype) tries to assign every Tensor property.)</summary>
    public Tensor ContinuousLambda() => complex(_lambda[.., 0], _lambda[.., 1]);

    /// <summary>B̃ (P, H), complex.</summary>
    public Tensor InputMatrix() => _b is not null ? ToComplex(_b) : ToComplex(_bp!).matmul(ToComplex(_bh!).t());

    /// <summary>C̃ (H, P or 2P), complex.</summary>
    public Tensor OutputMatrix() => _c is not null ? ToComplex(_c) : ToComplex(_ch!).t().matmul(ToComplex(_cp!));

    /// <summary>Runs the layer with one step scale for all sequences and steps.</summary>
    public (Tensor Y, Tensor State) Forward(Tensor u, double stepScale, Tensor? state = null, LinearRecurrence.Method? method = null) =>
        Forward(u, tensor(stepScale, _logStep.dtype), state, method);

    /// <summary>
    /// u (N, L, H) → y (N, L, H) and the last forward state x_{L−1} (N, P), complex.
    /// </summary>
    /// <param name="stepScale">Multiplies Δ = exp(log_step): null (1), a scalar, (N) per sequence, or (N, L) per time step
    /// (irregular sampling: step t is discretised with its own Δ_t).</param>
    /// <param name="state">Incoming state (N, P) or null for zero; not allowed with a bidirectional layer.</param>
    /// <param name="method">Overrides <see cref="S5LayerOptions.ScanMethod"/>.</param>
    public (Tensor Y, Tensor State) Forward(Tensor u, Tensor? stepScale = null, Tensor? state = null, LinearRecurrence.Method? method = null)
    {
        if (u.dim() != 3 || u.shape[2] != Width)
        {
            throw new ArgumentException($"S5 input must be (N, L, {Width}), got ({string.Join(", ", u.shape)})", nameof(u));
        }
        long n = u.shape[0];
        if (state is not null)
        {
            if (_options.Bidirectional)
            {
                throw new ArgumentException("a bidirectional S5 layer cannot continue from a state", nameof(state));
            }
            CheckState(state, n);
        }
        LinearRecurrence.Method scan = method ?? _options.ScanMethod;

        using DisposeScope scope = NewDisposeScope();
        Tensor delta = Steps(stepScale, n, u.shape[1]);                  // (N|1, L|1, P)
        Tensor bTildeT = InputMatrix().t();
        Tensor xs = Scan(u, delta, bTildeT, state, scan);                 // (N, L, P)
        Tensor all = xs;
        if (_options.Bidirectional)
        {
            Tensor reversedDelta = delta.shape[1] > 1 ? delta.flip(1) : delta;
            all = cat([xs, Scan(u.flip(1), reversedDelta, bTildeT, null, scan).flip(1)], -1);
        }
        Tensor y = Readout(all, u);
        return (y.MoveToOuterDisposeScope(), xs[.., -1].MoveToOuterDisposeScope());
    }

    /// <summary>
    /// One streaming step: u_t (N, H) and the previous state (N, P) or null → (y_t (N, H), x_t (N, P)).
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
        if (state is not null)
        {
            CheckState(state, u.shape[0]);
        }
        using DisposeScope scope = NewDisposeScope();
        Tensor delta = Steps(stepScale, u.shape[0], 1)[.., 0];                 // (N|1, P)
        (Tensor lambdaBar, Tensor gain) = S5Discretizer.Discretize(ContinuousLambda(), delta, _options.Discretization);
        Tensor x = gain * u.to(ComplexType).matmul(InputMatrix().t());
        if (state is not null)
        {
            x = lambdaBar * state + x;
        }
        Tensor y = Readout(x.unsqueeze(1), u.unsqueeze(1)).squeeze(1);
        return (y.MoveToOuterDisposeScope(), x.MoveToOuterDisposeScope());
    }

    private ScalarType ComplexType =>
        _logStep.dtype == ScalarType.Float64 ? ScalarType.ComplexFloat64 : ScalarType.ComplexFloat32;

    private Tensor Scan(Tensor u, Tensor delta, Tensor bTildeT, Tensor? state, LinearRecurrence.Method method)
    {
        (Tensor lambdaBar, Tensor gain) = S5Discretizer.Discretize(ContinuousLambda(), delta, _options.Discretization);
        Tensor bu = gain * u.to(ComplexType).matmul(bTildeT);                 // (N, L, P)
        // LinearRecurrence runs along the first axis: time-major (L, N, P).
        return LinearRecurrence.Solve(lambdaBar.transpose(0, 1), bu.transpose(0, 1), state, method).transpose(0, 1);
    }

    private Tensor Readout(Tensor states, Tensor u)
    {
        Tensor y = states.matmul(OutputMatrix().t()).real;
        // A conjugate-symmetric layer stores one state of each pair; the pair's contributions sum to 2·Re.
        return (_options.ConjugateSymmetry ? 2.0 * y : y) + _d * u;
    }

    /// <summary>Δ = scale·exp(log_step) shaped (N|1, L|1, P).</summary>
    private Tensor Steps(Tensor? stepScale, long n, long length)
    {
        Tensor step = _logStep.exp().view(1, 1, -1);
        if (stepScale is null)
        {
            return step;
        }
        Tensor scale = stepScale.to(_logStep.dtype);
        return scale.dim() switch
        {
            0 => scale * step,
            1 when scale.shape[0] == n => scale.view(n, 1, 1) * step,
            2 when scale.shape[0] == n && scale.shape[1] == length => scale.unsqueeze(-1) * step,
            _ => throw new ArgumentException(
                $"step scale must be a scalar, ({n}) or ({n}, {length}), got ({string.Join(", ", stepScale.shape)})",
                nameof(stepScale)),
        };
    }

    private void CheckState(Tensor state, long n)
    {
        if (state.dim() != 2 || state.shape[0] != n || state.shape[1] != StateWidth)
        {
            throw new ArgumentException(
                $"S5 state must be ({n}, {StateWidth}), got ({string.Join(", ", state.shape)})", nameof(state));
        }
    }

    private static Tensor DrawC(int width, int fullStates, S5BcInit init, Generator? generator) =>
        init == S5BcInit.DenseColumns
            // Each row drawn on its own: jax fan-in P instead of H·P (the original's init_rowwise_C).
            ? cat(Enumerable.Range(0, width).Select(_ => HippoInitializer.LecunNormal([1, fullStates, 2], generator)).ToArray(), 0)
            : HippoInitializer.LecunNormal([width, fullStates, 2], generator);

    private static Tensor ToComplex(Tensor pairs) => complex(pairs[TensorIndex.Ellipsis, 0], pairs[TensorIndex.Ellipsis, 1]);
}
