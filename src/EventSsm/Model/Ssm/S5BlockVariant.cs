namespace EventSsm.Model.Ssm;

/// <summary>Layout of an <see cref="S5Block"/>.</summary>
public enum S5BlockVariant
{
    /// <summary>
    /// The original's S5Block (docs/MODEL.md §3.3): f = LN(x); h = gelu(S5(f)) + f; g = LN(h); y = GEGLU(g) + g.
    /// Both residuals add the normalised tensors, as in the original.
    /// </summary>
    Geglu,

    /// <summary>Plain pre-norm residual block: y = x + gelu(S5(LN(x))).</summary>
    Residual,
}
