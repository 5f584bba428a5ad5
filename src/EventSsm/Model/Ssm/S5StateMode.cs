namespace EventSsm.Model.Ssm;

/// <summary>How an S5 layer uses the state carried in from the previous chunk.</summary>
public enum S5StateMode
{
    /// <summary>
    /// The original's behaviour: every chunk starts from x₋₁ = 0 whatever state is passed in. The reference multiplies the
    /// state into a scan element whose product is discarded (docs/MODEL.md §3.4), so the published checkpoints were
    /// trained and evaluated this way.
    /// </summary>
    Reference,

    /// <summary>The intended recurrence: x₀ = Λ̄ ⊙ s_prev + B̄u₀ (as in the standalone S5 code,
    /// docs/MODEL.md §3.4).</summary>
    Carry,
}
