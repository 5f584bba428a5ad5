using EventSsm.Model;
using EventSsm.Model.Backbone;
using EventSsm.Model.Head;
using EventSsm.Model.Neck;
using EventSsm.Model.Ssm;
using TorchSharp;
using static TorchSharp.torch;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Export;

/// <summary>
/// ONNX nodes of an <see cref="S5Block"/> and its S5 layer in real arithmetic (ONNX has no complex type), built from the
/// layer's parameters (Lambda, B, C, D, log_step): Λ̄ and B̄ come from <see cref="S5Discretizer"/> at the baked step
/// scale, the readout [Cr | −Ci] carries the frequency mask when it is on (docs/FREQUENCY.md), exactly the operands the
/// TorchSharp layer computes (docs/MODEL.md §4.3–4.4). The state is x = [Re x | Im x].
/// </summary>
internal static class S5Emitter
{
    /// <param name="x">Attention output (L·B, h, w, C), frame index t·B + b.</param>
    /// <param name="state">The stage's state input (B, 2P, h, w), or null for a zero start.</param>
    /// <param name="carry">Whether the incoming state enters step 0 (x₀ = Λ̄s + B̄u₀); the reference ignores it
    /// (docs/MODEL.md §3.4).</param>
    /// <returns>Features (L·B, C, h, w) and the new state (B, 2P, h, w) = x_{L−1}.</returns>
    /// <param name="ctx">The graph being built and the model's weights.</param>
    /// <param name="prefix">State-dict prefix of the block (<c>backbone.stages.i.s5_block</c>).</param>
    /// <param name="length">L, frames per sequence in the graph.</param>
    /// <param name="h">Rows of the stage's map.</param>
    /// <param name="w">Columns of the stage's map.</param>
    /// <param name="c">Channels of the stage.</param>
    /// <param name="options">The backbone's options (state mode, step scale, mask).</param>
    public static (string Features, string State) Block(OnnxEmitContext ctx, string x, string prefix, long length, long h, long w,
        long c, string? state, bool carry, BackboneOptions options)
    {
        using IDisposable scope = ctx.Graph.Scope(prefix);
        // "(L B) H W C -> L (B H W) C": per time step, one row per sequence (pixel of a batch element).
        string u = ctx.Reshape(x, length, -1, c);
        string f = ctx.LayerNorm(u, prefix + ".attn_norm");
        (string z, string newState) = Ssm(ctx, f, prefix + ".s5.seq", length, h, w, c, carry ? state : null, options);
        // Both residuals add the normalised tensors (docs/MODEL.md §3.3).
        string hidden = ctx.Add(ctx.Gelu(z), f);
        string g = ctx.LayerNorm(hidden, prefix + ".ff_norm");
        string[] ab = ctx.Split(ctx.Linear(g, prefix + ".ff_enc", bias: false), -1, c, c);
        string y = ctx.Add(ctx.Linear(ctx.Mul(ab[0], ctx.Gelu(ab[1])), prefix + ".ff_dec", bias: false), g);
        string features = ctx.Transpose(ctx.Reshape(y, -1, h, w, c), 0, 3, 1, 2);
        return (features, newState);
    }

    private static (string Y, string State) Ssm(OnnxEmitContext ctx, string u, string prefix, long length, long h, long w, long c,
        string? state, BackboneOptions options)
    {
        (float[] lambdaReal, float[] lambdaImag, float[] bReal, float[] cReal, long p) = Operands(ctx, prefix, options);
        string bBar = ctx.Graph.Weight(prefix + ".B_bar_real", bReal, [2 * p, c]);                      // [Re B̄; Im B̄], (2P, H)
        string cT = ctx.Graph.Weight(prefix + ".C_real_t", cReal, [2 * p, c]);                           // [Cr | −Ci]ᵀ, (2P, H)
        // Multiplying [xr; xi] by Λ̄ = a + ib: [a·xr − b·xi; a·xi + b·xr] = x ⊙ [a; a] + swap(x) ⊙ [−b; b].
        string aa = ctx.Graph.Weight(prefix + ".lambda_bar_aa", [.. lambdaReal, .. lambdaReal], [2 * p, 1]);
        string bb = ctx.Graph.Weight(prefix + ".lambda_bar_nbb", [.. lambdaImag.Select(v => -v), .. lambdaImag], [2 * p, 1]);
        // The states stay in the contract's channel-major layout (B, 2P, h·w): B̄u is computed as B̄·uᵀ and the readout
        // as xᵀ·[Cr | −Ci]ᵀ, transposed operands ONNX Runtime folds into its GEMM, so no state is transposed.
        string uMaps = ctx.Reshape(u, -1, h * w, c);                                                  // (L·B, hw, H)
        string bu = ctx.Node("MatMul", [bBar, ctx.Transpose(uMaps, 0, 2, 1)]);                          // (L·B, 2P, hw)
        string[] steps = length == 1 ? [bu] : ctx.Split(ctx.Reshape(bu, length, -1, 2 * p, h * w), 0, [.. Enumerable.Repeat(1L, (int)length)]);
        var xs = new string[length];
        string? previous = state is null ? null : ctx.Reshape(state, -1, 2 * p, h * w);
        for (int k = 0; k < length; k++)
        {
            string buk = length == 1 ? steps[0] : ctx.Reshape(steps[k], -1, 2 * p, h * w);
            xs[k] = previous is null ? buk : ctx.Add(buk, Rotate(ctx, previous, aa, bb, p));
            previous = xs[k];
        }
        string all = length == 1 ? xs[0] : ctx.Concat(0, xs);                                          // (L·B, 2P, hw)
        string readout = ctx.Reshape(ctx.Node("MatMul", [ctx.Transpose(all, 0, 2, 1), cT]), length, -1, c);
        string y = ctx.Add(readout, ctx.Mul(u, ctx.Weight(prefix + ".D")));
        string stateOut = ctx.Reshape(xs[^1], -1, 2 * p, h, w);
        return (y, stateOut);
    }

    /// <summary>Λ̄ ⊙ x for x = [xr; xi] (B, 2P, hw).</summary>
    private static string Rotate(OnnxEmitContext ctx, string x, string aa, string bb, long p)
    {
        string[] parts = ctx.Split(x, 1, p, p);
        string swapped = ctx.Concat(1, parts[1], parts[0]);
        return ctx.Add(ctx.Mul(x, aa), ctx.Mul(swapped, bb));
    }

    /// <summary>
    /// Λ̄ = a + ib (P), [Re B̄; Im B̄] (2P, H) and the masked readout [Cr | −Ci] transposed, (2P, H): the same float32
    /// operations as the TorchSharp layer's inference operands.
    /// </summary>
    private static (float[] A, float[] B, float[] BReal, float[] CRealT, long P) Operands(OnnxEmitContext ctx, string prefix,
        BackboneOptions options)
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        Tensor lambdaRi = ctx.Parameter(prefix + ".Lambda").detach().cpu();
        Tensor bRi = ctx.Parameter(prefix + ".B").detach().cpu();
        Tensor cRi = ctx.Parameter(prefix + ".C").detach().cpu();
        Tensor logStep = ctx.Parameter(prefix + ".log_step").detach().cpu();
        long p = logStep.shape[0];
        if (bRi.dim() != 3 || bRi.shape[0] != p || cRi.dim() != 3 || cRi.shape[1] != p)
        {
            // The detector's layer: dense B̃ (P,H) and C̃ (H,P), one direction, no conjugate symmetry
            // (docs/MODEL.md §4.1).
            throw new NotSupportedException($"{prefix}: ONNX export supports the detector's dense, unidirectional S5 layer (B {Shape(bRi)}, C {Shape(cRi)}, P = {p})");
        }
        Tensor lambda = complex(lambdaRi[.., 0], lambdaRi[.., 1]);
        Tensor bTilde = complex(bRi[.., .., 0], bRi[.., .., 1]);
        Tensor step = logStep.exp().mul(Of(options.StepScale));
        (Tensor lambdaBar, Tensor gain) = S5Discretizer.Discretize(lambda, step, options.Discretization);
        Tensor bBar = gain.unsqueeze(-1) * bTilde;
        Tensor bReal = cat([bBar.real, bBar.imag], 0);                    // (2P, H)
        Tensor cReal = cat([cRi[.., .., 0], -cRi[.., .., 1]], 1);          // (H, 2P)
        if (options.Mask != S5MaskMode.Off)
        {
            // The exported graph is for inference, where both mask modes (eval, always) apply.
            Tensor keep = FrequencyResponse.PassBandMask(lambdaRi[.., 1], logStep, options.StepScale, options.MaskBandlimit).to(cReal.dtype);
            cReal = cReal * cat([keep, keep]);
        }
        return (Floats(lambdaBar.real), Floats(lambdaBar.imag), Floats(bReal), Floats(cReal.t()), p);
    }

    private static string Shape(Tensor t) => $"({string.Join(", ", t.shape)})";

    private static float[] Floats(Tensor t) => t.to(float32).contiguous().data<float>().ToArray();
}
