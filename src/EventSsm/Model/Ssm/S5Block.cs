using System.Text.RegularExpressions;
using TorchSharp;
using TorchSharp.Modules;
using EventSsm.Tensors;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Model.Ssm;

/// <summary>
/// Pre-LayerNorm block around one <see cref="S5Layer"/>: the detector's temporal layer and the general sequence block
/// (docs/S5.md). <see cref="S5BlockVariant.Geglu"/> is the original's S5Block (docs/MODEL.md §3.3): f = LN(x);
/// h = gelu(S5(f)) + f; g = LN(h); y = GEGLU(g) + g. Keys as in the original (whose <c>S5</c> wrapper holds the layer
/// as <c>seq</c>): <c>s5.seq.*</c> (the layer's keys), <c>attn_norm.{weight,bias}</c>, and for Geglu also
/// <c>ff_enc.weight (2H,H)</c>, <c>ff_dec.weight (H,H)</c>, <c>ff_norm.{weight,bias}</c>.
/// </summary>
public sealed partial class S5Block : nn.Module
{
    private readonly SeqHolder s5;
    private readonly LayerNorm attn_norm;
    private readonly Linear? ff_enc;
    private readonly Linear? ff_dec;
    private readonly LayerNorm? ff_norm;
    private readonly S5BlockVariant _variant;

    /// <param name="dim">H, channels.</param>
    /// <param name="options">Options of the S5 layer; null = the detector's defaults with P = H.</param>
    /// <param name="variant">Geglu (the original's block) or Residual.</param>
    /// <param name="generator">Random source of the S5 layer's initialisation; null = the global one.</param>
    public S5Block(int dim, S5LayerOptions? options = null, S5BlockVariant variant = S5BlockVariant.Geglu, Generator? generator = null)
        : base(nameof(S5Block))
    {
        _variant = variant;
        s5 = new SeqHolder(new S5Layer(dim, options, generator));
        attn_norm = LayerNorm(dim, eps: 1e-5);
        if (variant == S5BlockVariant.Geglu)
        {
            // ff_mult = 1 with GEGLU: 2H for value and gate, no biases.
            ff_enc = Linear(dim, 2 * dim, hasBias: false);
            ff_dec = Linear(dim, dim, hasBias: false);
            ff_norm = LayerNorm(dim, eps: 1e-5);
        }
        RegisterComponents();
    }

    /// <summary>The block's S5 layer (keys <c>s5.seq.*</c>).</summary>
    public S5Layer Layer => s5.Seq;

    public S5BlockVariant Variant => _variant;

    /// <summary>The detector's call: x (N, L, H) → (y (N, L, H), last state (N, P)); see <see cref="S5Layer.Forward(Tensor, Tensor?, double, S5StateMode)"/>.</summary>
    public (Tensor Y, Tensor State) Forward(Tensor x, Tensor? prevState, double stepScale, S5StateMode mode)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor f = attn_norm.call(x);
        (Tensor z, Tensor state) = Layer.Forward(f, prevState, stepScale, mode);
        return (Mix(x, f, z).MoveToOuterDisposeScope(), state.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The detector's call on time-major x (L, N, H) → (y (L, N, H), last state (N, P)); see
    /// <see cref="S5Layer.ForwardTimeMajor"/>. Norms and the feed-forward part act per token, so they run on the
    /// time-major tensor as they are.
    /// </summary>
    public (Tensor Y, Tensor State) ForwardTimeMajor(Tensor x, Tensor? prevState, double stepScale, S5StateMode mode)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor f = attn_norm.call(x);
        (Tensor z, Tensor state) = Layer.ForwardTimeMajor(f, prevState, stepScale, mode);
        return (Mix(x, f, z).MoveToOuterDisposeScope(), state.MoveToOuterDisposeScope());
    }

    /// <summary>x (N, L, H) → (y (N, L, H), last state (N, P)); arguments as in <see cref="S5Layer.Forward(Tensor, Tensor?, Tensor?, LinearRecurrence.Method?)"/>.</summary>
    public (Tensor Y, Tensor State) Forward(Tensor x, Tensor? stepScale = null, Tensor? state = null, LinearRecurrence.Method? method = null)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor f = attn_norm.call(x);
        (Tensor z, Tensor last) = Layer.Forward(f, stepScale, state, method);
        return (Mix(x, f, z).MoveToOuterDisposeScope(), last.MoveToOuterDisposeScope());
    }

    /// <summary>One streaming step: x (N, H) → (y (N, H), state (N, P)); see <see cref="S5Layer.Step"/>.</summary>
    public (Tensor Y, Tensor State) Step(Tensor x, Tensor? state, Tensor? stepScale = null)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor f = attn_norm.call(x);
        (Tensor z, Tensor next) = Layer.Step(f, state, stepScale);
        return (Mix(x, f, z).MoveToOuterDisposeScope(), next.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Loads weights, also from a state dict of the earlier general block, which kept the layer at <c>s5.X</c>
    /// (<see cref="UpgradeLegacyKeys"/>).
    /// </summary>
    public override (IList<string> missing_keys, IList<string> unexpected_keyes) load_state_dict(
        Dictionary<string, Tensor> source, bool strict = true, IList<string>? skip = null)
    {
        Layer.InvalidateCaches();
        return base.load_state_dict(UpgradeLegacyKeys(source), strict, skip);
    }

    /// <summary>
    /// Renames the S5 keys of the earlier general block (<c>…s5.Lambda</c>, <c>…s5.B</c>, …) to this block's
    /// <c>…s5.seq.Lambda</c> etc., at any prefix; every other key is kept as it is. For models with several blocks
    /// (apply it to the whole state dict before loading).
    /// </summary>
    public static Dictionary<string, Tensor> UpgradeLegacyKeys(IReadOnlyDictionary<string, Tensor> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var upgraded = new Dictionary<string, Tensor>(source.Count);
        foreach ((string key, Tensor value) in source)
        {
            upgraded[LegacyLayerKey().Replace(key, "${prefix}s5.seq.${name}")] = value;
        }
        return upgraded;
    }

    private Tensor Mix(Tensor x, Tensor f, Tensor z)
    {
        if (_variant == S5BlockVariant.Residual)
        {
            return x.add(InTypeOf(functional.gelu(z), x), One);
        }
        // Both residuals add the normalised tensors, not the block input (docs/MODEL.md §3.3). The S5 layer computes in
        // float32; with bfloat16 inference the feed-forward part takes the block's dtype again (docs/MODEL.md §11.3).
        Tensor h = InTypeOf(functional.gelu(z).add(f, One), f);
        Tensor g = ff_norm!.call(h);
        Tensor[] parts = TokenLinear.Forward(ff_enc!, g).chunk(2, -1);
        return TokenLinear.Forward(ff_dec!, parts[0] * functional.gelu(parts[1])).add(g, One);
    }

    private static Tensor InTypeOf(Tensor t, Tensor like) => t.dtype == like.dtype ? t : t.to(like.dtype);

    /// <summary>
    /// The original's <c>S5</c> module only wraps its <c>S5SSM</c> as <c>seq</c> (it vmaps over sequences, which
    /// <see cref="S5Layer"/> does itself); this holder keeps that key nesting, nothing else.
    /// </summary>
    private sealed class SeqHolder : nn.Module
    {
        private readonly S5Layer seq;

        public SeqHolder(S5Layer layer)
            : base("S5")
        {
            seq = layer;
            RegisterComponents();
        }

        public S5Layer Seq => seq;
    }

    [GeneratedRegex(@"^(?<prefix>(.*\.)?)s5\.(?<name>Lambda|B|C|D|log_step|BH|BP|CH|CP)$")]
    private static partial Regex LegacyLayerKey();
}
