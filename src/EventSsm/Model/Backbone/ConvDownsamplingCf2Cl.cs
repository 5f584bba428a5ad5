using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using EventSsm.Tensors;

namespace EventSsm.Model.Backbone;

/// <summary>
/// Overlapping patch downsampling, NCHW in, NHWC out: Conv2d(k = 2f−1, stride f, pad k/2, no bias) → permute →
/// LayerNorm (docs/MODEL.md §3 step 2). Keys: <c>conv.weight</c>, <c>norm.{weight,bias}</c>.
/// At inference (eval mode, autograd off) the convolution takes a cached channels-last copy of its weight
/// (docs/MODEL.md §11.1), dropped like the other inference caches (<see cref="InferenceCachedModule"/>).
/// </summary>
public sealed class ConvDownsamplingCf2Cl : InferenceCachedModule
{
    private readonly Conv2d conv;
    private readonly LayerNorm norm;
    private readonly long _stride;
    private readonly long _padding;

    public ConvDownsamplingCf2Cl(int dimIn, int dimOut, int downsampleFactor) : base(nameof(ConvDownsamplingCf2Cl))
    {
        if (downsampleFactor is not (2 or 4 or 8))
        {
            throw new ArgumentException($"downsample factor must be 2, 4 or 8, got {downsampleFactor}", nameof(downsampleFactor));
        }
        int kernel = (downsampleFactor - 1) * 2 + 1;
        _stride = downsampleFactor;
        _padding = kernel / 2;
        conv = Conv2d(dimIn, dimOut, kernel, stride: _stride, padding: _padding, bias: false);
        norm = LayerNorm(dimOut, eps: 1e-5);
        RegisterComponents();
    }

    /// <param name="x">(N, C, H, W), best with channels-last strides (an NHWC tensor permuted to NCHW): the convolution
    /// then runs on NHWC memory, and its NHWC output is the normalised map without a copy
    /// (docs/MODEL.md §11.1).</param>
    public override Tensor forward(Tensor x)
    {
        using DisposeScope scope = NewDisposeScope();
        // contiguous() returns x itself when it is already channels-last.
        Tensor nhwc = x.permute(0, 2, 3, 1).contiguous();
        Tensor y = Inferring
            ? functional.conv2d(nhwc.permute(0, 3, 1, 2), ChannelsLastWeight(), strides: [_stride, _stride], padding: [_padding, _padding])
            : conv.call(nhwc.permute(0, 3, 1, 2));
        return norm.call(y.permute(0, 2, 3, 1)).MoveToOuterDisposeScope();
    }

    private Tensor ChannelsLastWeight() => Cache.Get([conv.weight], () => [ChannelsLast.Weight(conv.weight!)])[0];
}
