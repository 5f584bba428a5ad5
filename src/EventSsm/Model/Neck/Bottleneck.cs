using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EventSsm.Model.Neck;

/// <summary>
/// YOLOX <c>Bottleneck</c> with expansion 1: a 1×1 then a 3×3 <see cref="BaseConv"/>. The PAFPN builds it with
/// <c>shortcut=False</c>, so there is no residual (docs/MODEL.md §5). Keys: <c>conv1.*</c>, <c>conv2.*</c>.
/// </summary>
public sealed class Bottleneck : Module<Tensor, Tensor>
{
    private readonly BaseConv conv1;
    private readonly BaseConv conv2;

    public Bottleneck(long channels) : base(nameof(Bottleneck))
    {
        conv1 = new BaseConv(channels, channels, 1);
        conv2 = new BaseConv(channels, channels, 3);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using Tensor h = conv1.call(x);
        return conv2.call(h);
    }
}
