using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Tensors;

/// <summary>
/// The fused partition attention as an autograd operation (docs/MODEL.md §11.1, "Fused attention in training"):
/// <c>apply(qkv, heads, dh, scale)</c> → (B', tokens, heads·dh), as <see cref="FusedAttention.Forward"/>, with a
/// backward that writes dL/d(qkv) in one pass per (partition, head). The forward keeps the attention weights for the
/// backward, as libtorch's unfused attention keeps its softmax output: the same memory.
/// </summary>
public sealed class FusedAttentionFunction : autograd.SingleTensorFunction<FusedAttentionFunction>
{
    /// <inheritdoc/>
    public override string Name => "FusedPartitionAttention";

    /// <summary>
    /// The attention of <paramref name="qkv"/> (B', …tokens…, 3·heads·dh, head-major channels) with a backward of our
    /// own. Takes what <see cref="FusedAttention.Fits"/> accepts; throws otherwise.
    /// </summary>
    public static Tensor Apply(Tensor qkv, int heads, int dimHead, double scale) => apply(qkv, heads, dimHead, scale);

    /// <inheritdoc/>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var qkv = (Tensor)vars[0];
        (int heads, int dimHead, double scale) = ((int)vars[1], (int)vars[2], (double)vars[3]);
        (Tensor output, Tensor weights) = FusedAttention.ForwardKeepingWeights(qkv, heads, dimHead, scale);
        ctx.save_for_backward([qkv, weights]);
        ctx.save_data(nameof(heads), heads);
        ctx.save_data(nameof(dimHead), dimHead);
        ctx.save_data(nameof(scale), scale);
        return output;
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        List<Tensor> saved = ctx.get_saved_variables();
        using Tensor qkv = saved[0];
        using Tensor weights = saved[1];
        using Tensor gradient = grad_output.contiguous();
        Tensor qkvGradient = FusedAttention.Backward(gradient, qkv, weights,
            (int)ctx.get_data("heads"), (int)ctx.get_data("dimHead"), (double)ctx.get_data("scale"));
        // One gradient per forward argument: none for the head count, width and scale.
        return [qkvGradient, null!, null!, null!];
    }
}
