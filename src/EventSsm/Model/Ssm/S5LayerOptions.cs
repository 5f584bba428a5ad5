namespace EventSsm.Model.Ssm;

/// <summary>Construction options of <see cref="S5Layer"/>. The defaults build the detector's S5
/// (docs/MODEL.md §4.1).</summary>
public sealed record S5LayerOptions
{
    /// <summary>P, the number of complex states (before halving by <see cref="ConjugateSymmetry"/>).</summary>
    public int? StateWidth { get; init; }

    /// <summary>The HiPPO matrix is built at size P / block_count and repeated along a block-diagonal V.</summary>
    public int BlockCount { get; init; } = 1;

    /// <summary>Keep one eigenvalue of each conjugate pair (P/2 stored states) and output 2·Re(C̃x) (JAX S5 conj_sym).</summary>
    public bool ConjugateSymmetry { get; init; }

    /// <summary>Also scan the reversed sequence; the two state sequences are concatenated and C̃ is (H, 2P).</summary>
    public bool Bidirectional { get; init; }

    public S5Discretization Discretization { get; init; } = S5Discretization.Bilinear;

    public double DtMin { get; init; } = 1e-3;

    public double DtMax { get; init; } = 1e-1;

    public S5BcInit BcInit { get; init; } = S5BcInit.Dense;

    /// <summary>Rank k of the <see cref="S5BcInit.Factorized"/> parameterisation.</summary>
    public int FactorRank { get; init; } = 8;

    /// <summary>Init-time C̃ mask as in the detector (<see cref="S5Layer.BandlimitMask"/>); null disables it.</summary>
    public double? Bandlimit { get; init; }

    /// <summary>Evaluation of the scan; Auto picks the parallel scan from <see cref="LinearRecurrence.ParallelThreshold"/>.</summary>
    public LinearRecurrence.Method ScanMethod { get; init; } = LinearRecurrence.Method.Auto;
}
