using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EventSsm.Model.Neck;

/// <summary>
/// YOLOX <c>BaseConv</c>: Conv2d (padding (k−1)/2, no bias) → BatchNorm2d (eps 1e-5, momentum 0.1) → SiLU
/// (docs/MODEL.md §5). Keys: <c>conv.weight</c>, <c>bn.{weight,bias,running_mean,running_var,num_batches_tracked}</c>.
/// </summary>
public sealed class BaseConv : Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly BatchNorm2d bn;

    public BaseConv(long inChannels, long outChannels, long kernelSize, long stride = 1) : base(nameof(BaseConv))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1);
        conv = Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: (kernelSize - 1) / 2, bias: false);
        bn = BatchNorm2d(outChannels, eps: 1e-5, momentum: 0.1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using Tensor c = conv.call(x);
        using Tensor n = bn.call(c);
        return functional.silu(n);
    }
}
