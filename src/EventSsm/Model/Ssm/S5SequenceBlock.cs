using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EventSsm.Model.Ssm;

/// <summary>
/// A sequence block around the general <see cref="S5Layer"/>. Keys: <c>s5.*</c> (the layer's keys), <c>attn_norm.*</c>,
/// and for <see cref="S5BlockVariant.Geglu"/> also <c>ff_enc.weight (2H,H)</c>, <c>ff_dec.weight (H,H)</c>,
/// <c>ff_norm.*</c> as in the detector's <see cref="S5Block"/> (whose <c>s5.seq.X</c> is <c>s5.X</c> here).
/// </summary>
public sealed class S5SequenceBlock : nn.Module
{
    private readonly S5Layer s5;
    private readonly LayerNorm attn_norm;
    private readonly Linear? ff_enc;
    private readonly Linear? ff_dec;
    private readonly LayerNorm? ff_norm;
    private readonly S5BlockVariant _variant;

    public S5SequenceBlock(int dim, S5BlockVariant variant = S5BlockVariant.Geglu, S5LayerOptions? options = null, Generator? generator = null)
        : base(nameof(S5SequenceBlock))
    {
        _variant = variant;
        s5 = new S5Layer(dim, options, generator);
        attn_norm = LayerNorm(dim, eps: 1e-5);
        if (variant == S5BlockVariant.Geglu)
        {
            ff_enc = Linear(dim, 2 * dim, hasBias: false);
            ff_dec = Linear(dim, dim, hasBias: false);
            ff_norm = LayerNorm(dim, eps: 1e-5);
        }
        RegisterComponents();
    }

    public S5Layer S5 => s5;

    public S5BlockVariant Variant => _variant;

    /// <summary>x (N, L, H) → (y (N, L, H), last state (N, P)); arguments as in <see cref="S5Layer.Forward(Tensor, Tensor?, Tensor?, LinearRecurrence.Method?)"/>.</summary>
    public (Tensor Y, Tensor State) Forward(Tensor x, Tensor? stepScale = null, Tensor? state = null, LinearRecurrence.Method? method = null)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor f = attn_norm.call(x);
        (Tensor z, Tensor last) = s5.Forward(f, stepScale, state, method);
        Tensor y = Mix(x, f, z);
        return (y.MoveToOuterDisposeScope(), last.MoveToOuterDisposeScope());
    }

    /// <summary>One streaming step: x (N, H) → (y (N, H), state (N, P)).</summary>
    public (Tensor Y, Tensor State) Step(Tensor x, Tensor? state, Tensor? stepScale = null)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor f = attn_norm.call(x);
        (Tensor z, Tensor next) = s5.Step(f, state, stepScale);
        Tensor y = Mix(x, f, z);
        return (y.MoveToOuterDisposeScope(), next.MoveToOuterDisposeScope());
    }

    private Tensor Mix(Tensor x, Tensor f, Tensor z)
    {
        if (_variant == S5BlockVariant.Residual)
        {
            return x + functional.gelu(z);
        }
        Tensor h = functional.gelu(z) + f;
        Tensor g = ff_norm!.call(h);
        Tensor[] parts = ff_enc!.call(g).chunk(2, -1);
        return ff_dec!.call(parts[0] * functional.gelu(parts[1])) + g;
    }
}
