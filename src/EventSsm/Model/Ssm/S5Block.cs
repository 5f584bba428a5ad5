using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EventSsm.Model.Ssm;

/// <summary>
/// Pre-LayerNorm S5 block with a GEGLU feed-forward (docs/MODEL.md §3.3). Keys: <c>s5.seq.*</c>,
/// <c>attn_norm.{weight,bias}</c>, <c>ff_enc.weight (2H,H)</c>, <c>ff_dec.weight (H,H)</c>, <c>ff_norm.{weight,bias}</c>.
/// </summary>
public sealed class S5Block : nn.Module
{
    private readonly S5 s5;
    private readonly LayerNorm attn_norm;
    private readonly Linear ff_enc;
    private readonly Linear ff_dec;
    private readonly LayerNorm ff_norm;

    /// <param name="dim">H, channels.</param>
    /// <param name="stateDim">P, complex states (= H in the detector).</param>
    /// <param name="bandlimit">Init-time C mask of the S5 layer; the detector hard-codes 0.5.</param>
    public S5Block(
        int dim,
        int stateDim,
        double dtMin = 1e-3,
        double dtMax = 1e-1,
        double? bandlimit = null,
        S5Discretization discretization = S5Discretization.Bilinear,
        Generator? generator = null)
        : base(nameof(S5Block))
    {
        s5 = new S5(dim, stateDim, dtMin, dtMax, bandlimit, discretization, generator);
        attn_norm = LayerNorm(dim, eps: 1e-5);
        // ff_mult = 1 with GEGLU: 2H for value and gate, no biases.
        ff_enc = Linear(dim, 2 * dim, hasBias: false);
        ff_dec = Linear(dim, dim, hasBias: false);
        ff_norm = LayerNorm(dim, eps: 1e-5);
        RegisterComponents();
    }

    public S5 S5 => s5;

    /// <summary>x (N, L, H) → (y (N, L, H), last state (N, P) complex64).</summary>
    public (Tensor Y, Tensor State) Forward(Tensor x, Tensor? prevState, double stepScale, S5StateMode mode)
    {
        using DisposeScope scope = NewDisposeScope();
        // Both residuals add the normalised tensors, not the block input (docs/MODEL.md §3.3).
        Tensor f = attn_norm.call(x);
        (Tensor z, Tensor state) = s5.Forward(f, prevState, stepScale, mode);
        Tensor h = functional.gelu(z) + f;
        Tensor g = ff_norm.call(h);
        Tensor[] parts = ff_enc.call(g).chunk(2, -1);
        Tensor y = ff_dec.call(parts[0] * functional.gelu(parts[1])) + g;
        return (y.MoveToOuterDisposeScope(), state.MoveToOuterDisposeScope());
    }
}
