namespace EventSsm.Model.Ssm;

/// <summary>Continuous-to-discrete transform of the diagonal S5 system (docs/MODEL.md §4.3).</summary>
public enum S5Discretization
{
    /// <summary>Λ̄ = (1 − Δλ/2)⁻¹(1 + Δλ/2), B̄ = (1 − Δλ/2)⁻¹Δ B̃. The only one the original uses.</summary>
    Bilinear,

    /// <summary>Zero-order hold: Λ̄ = exp(λΔ), B̄ = (Λ̄ − 1)/λ B̃. Present but unused in the original.</summary>
    Zoh,
}
