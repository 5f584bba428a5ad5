using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using EventSsm.Tensors;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Model.Neck;

/// <summary>
/// YOLOX <c>BaseConv</c>: Conv2d (padding (k−1)/2, no bias) → BatchNorm2d (eps 1e-5, momentum 0.1) → SiLU
/// (docs/MODEL.md §5). Keys: <c>conv.weight</c>, <c>bn.{weight,bias,running_mean,running_var,num_batches_tracked}</c>.
/// At inference (eval mode, autograd off) the normalisation is folded into the convolution's weight and bias, one
/// pass over the activations fewer (docs/MODEL.md §11.1); the fold is cached like S5's operands and dropped the same
/// way (<see cref="InferenceCaches"/>). The folded weight is held in channels-last memory.
/// </summary>
public sealed class BaseConv : InferenceCachedModule
{
    private readonly Conv2d conv;
    private const double Eps = 1e-5;
    private const double Momentum = 0.1;
    private readonly BatchNorm2d bn;
    private readonly long _stride;
    private readonly long _padding;

    public BaseConv(long inChannels, long outChannels, long kernelSize, long stride = 1) : base(nameof(BaseConv))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1);
        _stride = stride;
        _padding = (kernelSize - 1) / 2;
        conv = Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: _padding, bias: false);
        bn = BatchNorm2d(outChannels, eps: Eps, momentum: Momentum);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (Inferring)
        {
            Tensor[] folded = Cache.Get([conv.weight, bn.weight, bn.bias, bn.running_mean, bn.running_var], Fold);
            (Tensor weight, Tensor bias) = (folded[0], folded[1]);
            using Tensor y = functional.conv2d(x, weight, bias, strides: [_stride, _stride], padding: [_padding, _padding]);
            return functional.silu(y);
        }
        using Tensor c = conv.call(x);
        using Tensor n = BatchNorm(c);
        return functional.silu(n);
    }

    /// <summary>
    /// W·γ/√(σ² + ε) and β − μ·γ/√(σ² + ε), as ONNX Runtime's Conv+BatchNorm fusion computes them; rebuilt when a
    /// parameter or buffer is another tensor than the one folded (after <c>to()</c>, for instance).
    /// </summary>
    private Tensor[] Fold()
    {
        // In float32 whatever the weights are stored in (bfloat16 inference rounds the result once, not each step).
        ScalarType type = conv.weight!.dtype;
        Tensor scale = F32(bn.weight!).div(F32(bn.running_var!).add(Of(Eps), One).sqrt());
        // Channels-last, as the NHWC convolution takes it: kept as an OIHW tensor, libtorch would copy a 3×3 weight
        // into that layout at every call (docs/MODEL.md §11.1).
        Tensor weight = ChannelsLast.Weight(F32(conv.weight!).mul(scale.view(-1, 1, 1, 1)).to(type));
        Tensor bias = F32(bn.bias!).sub(F32(bn.running_mean!).mul(scale)).to(type);
        return [weight, bias];
    }

    private static Tensor F32(Tensor t) => t.to(ScalarType.Float32);

    /// <summary>
    /// <see cref="TorchSharp.Modules.BatchNorm2d"/>'s forward for momentum 0.1 with running statistics, but with the batch counter
    /// incremented by an owned scalar: TorchSharp's forward adds 1 through temporary ones (docs/ARCHITECTURE.md
    /// "Scalars"). The module stays the owner of the parameters and buffers, so the keys do not change.
    /// </summary>
    private Tensor BatchNorm(Tensor x)
    {
        if (training)
        {
            using IDisposable noGrad = no_grad();
            bn.num_batches_tracked!.add_(One, One);
        }
        return functional.batch_norm(x, bn.running_mean, bn.running_var, bn.weight, bn.bias, training, Momentum, Eps);
    }
}
