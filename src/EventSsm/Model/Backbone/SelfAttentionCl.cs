using TorchSharp;
using TorchSharp.Modules;
using EventSsm.Tensors;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EventSsm.Model.Backbone;

/// <summary>
/// Channels-last multi-head self-attention over each partition (B', ph, pw, C) (docs/MODEL.md §3.2).
/// Keys: <c>qkv.{weight,bias} (3C)</c>, <c>proj.{weight,bias}</c>. No position bias, no dropout.
/// </summary>
public sealed class SelfAttentionCl : Module<Tensor, Tensor>
{
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly int _numHeads;
    private readonly int _dimHead;

    public SelfAttentionCl(int dim, int dimHead = 32, bool bias = true) : base(nameof(SelfAttentionCl))
    {
        if (dimHead < 1 || dim % dimHead != 0)
        {
            throw new ArgumentException($"dim {dim} must be a positive multiple of dim_head {dimHead}", nameof(dimHead));
        }
        _numHeads = dim / dimHead;
        _dimHead = dimHead;
        qkv = Linear(dim, 3 * dim, hasBias: bias);
        proj = Linear(dim, dim, hasBias: bias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => Forward(x, null);

    /// <summary>
    /// The attention with its output multiplied per channel by <paramref name="outputScale"/> (C) when given: the
    /// block's LayerScale folded into <c>proj</c> (docs/MODEL.md §11.1).
    /// </summary>
    public Tensor Forward(Tensor x, Tensor? outputScale)
    {
        using DisposeScope scope = NewDisposeScope();
        long batch = x.shape[0];
        long[] restoreShape = [.. x.shape[..^1], -1];
        // The qkv channels are head-major, [h0: q k v, h1: q k v, ...], not timm's (3, heads, dh) order
        // (docs/MODEL.md §3.2).
        Tensor[] qkvParts = TokenLinear.Forward(qkv, x)
            .view(batch, -1, _numHeads, 3 * _dimHead)
            .transpose(1, 2)
            .chunk(3, 3);
        // softmax(q kᵀ · dh^-½) v as one fused kernel: its default scale is dh^-½, the original's.
        Tensor y = functional.scaled_dot_product_attention(qkvParts[0], qkvParts[1], qkvParts[2])
            .transpose(1, 2).reshape(restoreShape);
        return TokenLinear.Forward(proj, y, outputScale).MoveToOuterDisposeScope();
    }
}
