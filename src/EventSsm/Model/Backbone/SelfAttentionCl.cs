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
public sealed class SelfAttentionCl : InferenceCachedModule
{
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly int _numHeads;
    private readonly int _dimHead;
    private readonly Scalar _scale;
    private readonly double _scaleValue;

    public SelfAttentionCl(int dim, int dimHead = 32, bool bias = true) : base(nameof(SelfAttentionCl))
    {
        if (dimHead < 1 || dim % dimHead != 0)
        {
            throw new ArgumentException($"dim {dim} must be a positive multiple of dim_head {dimHead}", nameof(dimHead));
        }
        _numHeads = dim / dimHead;
        _dimHead = dimHead;
        _scaleValue = 1.0 / Math.Sqrt(dimHead);
        _scale = Scalars.Of(_scaleValue);
        qkv = Linear(dim, 3 * dim, hasBias: bias);
        proj = Linear(dim, dim, hasBias: bias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => Forward(x, null);

    /// <summary>
    /// The attention with its output multiplied per channel by <paramref name="outputScale"/> (C) when given: the
    /// block's LayerScale folded into <c>proj</c> (docs/MODEL.md §11.1), the folded weight kept at inference.
    /// </summary>
    public Tensor Forward(Tensor x, Tensor? outputScale)
    {
        using DisposeScope scope = NewDisposeScope();
        long batch = x.shape[0];
        long[] restoreShape = [.. x.shape[..^1], -1];
        // The qkv channels are head-major, [h0: q k v, h1: q k v, ...], not timm's (3, heads, dh) order
        // (docs/MODEL.md §3.2).
        Tensor projected = TokenLinear.Forward(qkv, x);
        // Our kernels where they fit (docs/MODEL.md §11.1, "Fused attention at inference" and "Fused attention in
        // training"), libtorch's operators otherwise.
        Tensor? fused = FusedAttention.Applies(projected, _numHeads, _dimHead)
            ? FusedAttention.Forward(projected, _numHeads, _dimHead, _scaleValue)
            : FusedAttention.Fits(projected, _numHeads, _dimHead)
                ? FusedAttentionFunction.Apply(projected, _numHeads, _dimHead, _scaleValue)
                : null;
        if (fused is not null)
        {
            return TokenLinear.Forward(proj, fused.view(restoreShape), outputScale, Inferring ? Cache : null).MoveToOuterDisposeScope();
        }
        Tensor[] qkvParts = projected
            .view(batch, -1, _numHeads, 3 * _dimHead)
            .transpose(1, 2)
            .chunk(3, 3);
        Tensor y = Attend(qkvParts[0], qkvParts[1], qkvParts[2]).transpose(1, 2).reshape(restoreShape);
        return TokenLinear.Forward(proj, y, outputScale, Inferring ? Cache : null).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// softmax(q kᵀ·dh^-½) v over (B', heads, N, dh), where our kernels do not fit (another dtype or device, a CPU
    /// without AVX-512, other partition sizes). On the CPU, with or without gradients: the products and the softmax
    /// one after the other, as the original writes them; on this model's short partitions libtorch's fused kernel is
    /// slower, in training too (docs/MODEL.md §11.1). Training on CUDA takes libtorch's fused kernel (its default
    /// scale is dh^-½, the original's), which keeps a log-sum-exp per row for the backward instead of the N×N
    /// probabilities.
    /// </summary>
    private Tensor Attend(Tensor q, Tensor k, Tensor v) =>
        is_grad_enabled() && q.device_type == DeviceType.CUDA
            ? functional.scaled_dot_product_attention(q, k, v)
            : q.matmul(k.transpose(-2, -1)).mul_(_scale).softmax(-1).matmul(v);
}
