namespace EventSsm.Model.Ssm;

/// <summary>How B̃ and C̃ are parameterised and initialised (the original's <c>bcInit</c>).</summary>
public enum S5BcInit
{
    /// <summary>B, C from lecun_normal over the whole matrix, then B̃ = V⁻¹B, C̃ = CV. The detector's choice.</summary>
    Dense,

    /// <summary>As <see cref="Dense"/>, but each row of C is drawn separately (fan-in P instead of H·P).</summary>
    DenseColumns,

    /// <summary>B̃ = V⁻¹B as in <see cref="Dense"/>; C̃ drawn directly as complex normal with variance 1 (no V).</summary>
    ComplexNormal,

    /// <summary>
    /// Low-rank B̃ = B_P B_Hᵀ, C̃ = C_Hᵀ C_P of rank <see cref="S5LayerOptions.FactorRank"/> (keys BH, BP, CH, CP), no V.
    /// Each factor is drawn with lecun_normal over its whole shape (the original draws column/row-wise; the original
    /// itself warns this option was dropped upstream).
    /// </summary>
    Factorized,
}
