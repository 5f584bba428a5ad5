using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Model.Neck;

/// <summary>
/// YOLOX <c>BaseConv</c>: Conv2d (padding (k−1)/2, no bias) → BatchNorm2d (eps 1e-5, momentum 0.1) → SiLU
/// (docs/MODEL.md §5). Keys: <c>conv.weight</c>, <c>bn.{weight,bias,running_mean,running_var,num_batches_tracked}</c>.
/// </summary>
public sealed class BaseConv : Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private const double Eps = 1e-5;
    private const double Momentum = 0.1;
    private readonly BatchNorm2d bn;

    public BaseConv(long inChannels, long outChannels, long kernelSize, long stride = 1) : base(nameof(BaseConv))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1);
        conv = Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: (kernelSize - 1) / 2, bias: false);
        bn = BatchNorm2d(outChannels, eps: Eps, momentum: Momentum);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using Tensor c = conv.call(x);
        using Tensor n = BatchNorm(c);
        return functional.silu(n);
    }

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
