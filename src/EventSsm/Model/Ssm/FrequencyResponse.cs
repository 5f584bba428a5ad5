using TorchSharp;
using static TorchSharp.torch;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Model.Ssm;

/// <summary>
/// Frequency-domain tools for an S5 layer with diagonal continuous-time state matrix Λ (P complex eigenvalues),
/// input matrix B̃ (P×H), output matrix C̃ (H×P) and per-state step Δ_p, whose output is y = Re(C̃x) (+ Du).
///
/// Time is measured in input steps, so state p evolves as dx_p/dτ = Δ_p λ_p x_p + Δ_p b̃_p u (the system that the
/// bilinear/ZOH discretisation samples with step 1). Its angular frequency is Δ_p|Im λ_p| and the Nyquist limit is π.
/// The band limit β (the original's <c>bandlimit</c>, 0.5) puts the cutoff at ω_c = π·β, which is exactly the
/// original's init-time rule "zero C̃ column p when Δ_p|Im λ_p|/(2π) ≥ β/2" (docs/MODEL.md §4.2).
/// </summary>
public static class FrequencyResponse
{
    /// <summary>
    /// Frequency-selective mask at inference (the paper's anti-aliasing): true for the states whose frequency at the
    /// effective step s·Δ_p stays below the band limit, s·Δ_p·|Im λ_p| &lt; π·β. States outside contribute nothing.
    /// </summary>
    public static Tensor PassBandMask(Tensor lambdaImag, Tensor logStep, double stepScale, double bandlimit)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor delta = logStep.exp().mul(Of(stepScale));
        return PassBandMaskAtSteps(lambdaImag, delta, bandlimit).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <see cref="PassBandMask"/> for effective steps given directly: Δ (any shape broadcastable with (P), e.g. one
    /// per sequence and time step) → Δ·|Im λ| &lt; π·β.
    /// </summary>
    public static Tensor PassBandMaskAtSteps(Tensor lambdaImag, Tensor delta, double bandlimit)
    {
        using DisposeScope scope = NewDisposeScope();
        return (delta * lambdaImag.abs()).lt(Of(Math.PI * bandlimit)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Energy of the strictly proper part of the real transfer function beyond the cutoff,
    /// E = (1/2π) ∫_{|ω| ≥ ω_c} ‖H(iω)‖²_F dω with H(iω) = ½[C̃(iω − Λ̃)⁻¹B̃' + conj(…)], Λ̃ = Δ⊙Λ, B̃' = Δ⊙B̃,
    /// in closed form (differentiable), for H2-norm regularisation.
    /// </summary>
    /// <remarks>
    /// With the real output the system has the 2P modes Λ̃ ∪ conj(Λ̃). For modes p, q, with a = conj(μ_p), b = μ_q and
    /// G_pq = (C'ᴴC')_pq · conj((B'B'ᴴ)_pq), ‖H‖² = Σ_pq G_pq · (−1)/((iω + a)(iω − b)). An antiderivative of
    /// 1/((iω + a)(iω − b)) on the whole real line (both logarithms stay right of the branch cut because Re μ &lt; 0)
    /// is F(ω) = −i[ln(iω − b) − ln(−iω − a)]/(a + b), whose full-line integral is 2π/(a + b). The energy beyond the
    /// cutoff is therefore Σ_pq G_pq (−1)[2π/(a+b) − F(ω_c) + F(−ω_c)] / 2π. Requires Re λ &lt; 0 (stable modes).
    /// </remarks>
    /// <param name="lambda">(P) complex eigenvalues.</param>
    /// <param name="b">(P, H) complex B̃.</param>
    /// <param name="c">(H, P) complex C̃.</param>
    /// <param name="logStep">(P) real log Δ.</param>
    public static Tensor EnergyAboveCutoff(Tensor lambda, Tensor b, Tensor c, Tensor logStep, double cutoff)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor delta = logStep.exp().to(lambda.dtype);
        Tensor mu = delta * lambda;
        Tensor bs = delta.unsqueeze(1) * b;
        Tensor mu2 = cat([mu, mu.conj()], 0);
        Tensor b2 = cat([bs, bs.conj()], 0);
        Tensor c2 = cat([c, c.conj()], 1).mul(Of(0.5));
        Tensor gram = c2.conj().t().matmul(c2) * b2.matmul(b2.conj().t()).conj();
        Tensor aa = mu2.conj().unsqueeze(1);
        Tensor bb = mu2.unsqueeze(0);
        Tensor sum = aa.add(bb, One);
        Tensor i = complex(zeros(1, dtype: ToReal(lambda.dtype), device: lambda.device), ones(1, dtype: ToReal(lambda.dtype), device: lambda.device));
        Tensor w = full(1, Of(cutoff), dtype: ToReal(lambda.dtype), device: lambda.device).to(lambda.dtype);
        Tensor F(Tensor om) => -i * ((i * om - bb).log() - (-i * om - aa).log()) / sum;
        Tensor total = sum.reciprocal().mul(Of(2 * Math.PI));
        Tensor beyond = total - (F(w) - F(-w));
        Tensor energy = (gram * beyond).sum().neg().div(Of(2 * Math.PI));
        return energy.real.MoveToOuterDisposeScope();
    }

    /// <summary>‖H(iω)‖²_F of the real transfer function at each angular frequency (for checks and plots).</summary>
    public static double[] SquaredGains(Tensor lambda, Tensor b, Tensor c, Tensor logStep, double[] omegas)
    {
        using DisposeScope scope = NewDisposeScope();
        ScalarType real = ToReal(lambda.dtype);
        Tensor delta = logStep.exp().to(lambda.dtype);
        Tensor mu = (delta * lambda).unsqueeze(0);
        Tensor bs = (delta.unsqueeze(1) * b).unsqueeze(0);
        Tensor w = tensor(omegas, dtype: real, device: lambda.device).unsqueeze(1);
        Tensor iw = complex(zeros_like(w), w);
        // Real input and y = Re(C̃x): H_r(iω) = ½[H(iω) + conj(H(−iω))], all frequencies at once (K, H, H).
        Tensor h = c.unsqueeze(0).matmul((iw - mu).reciprocal().unsqueeze(2) * bs);
        Tensor hm = c.unsqueeze(0).matmul((iw.neg() - mu).reciprocal().unsqueeze(2) * bs);
        Tensor hr = h.add(hm.conj(), One).mul(Of(0.5));
        return hr.abs().pow(Of(2)).sum([1, 2]).to(float64).cpu().data<double>().ToArray();
    }

    private static ScalarType ToReal(ScalarType complexType) =>
        complexType == ScalarType.ComplexFloat64 ? ScalarType.Float64 : ScalarType.Float32;
}
