using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EventSsm.Model.Neck;

/// <summary>
/// YOLOX <c>CSPLayer</c> (expansion 0.5, no shortcut): conv3(cat[m(conv1 x), conv2 x]) (docs/MODEL.md §5).
/// Keys: <c>conv1.*</c>, <c>conv2.*</c>, <c>conv3.*</c>, <c>m.{j}.{conv1,conv2}.*</c>.
/// </summary>
public sealed class CspLayer : Module<Tensor, Tensor>
{
    private readonly BaseConv conv1;
    private readonly BaseConv conv2;
    private readonly BaseConv conv3;
    private readonly Sequential m;

    public CspLayer(long inChannels, long outChannels, int numBottlenecks) : base(nameof(CspLayer))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numBottlenecks);
        long hidden = (long)(outChannels * 0.5); // int(out_channels * expansion) in the original
        conv1 = new BaseConv(inChannels, hidden, 1);
        conv2 = new BaseConv(inChannels, hidden, 1);
        conv3 = new BaseConv(2 * hidden, outChannels, 1);
        m = Sequential(Enumerable.Range(0, numBottlenecks).Select(_ => (Module<Tensor, Tensor>)new Bottleneck(hidden)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor x1 = m.call(conv1.call(x));
        Tensor x2 = conv2.call(x);
        return conv3.call(cat([x1, x2], 1)).MoveToOuterDisposeScope();
    }
}
