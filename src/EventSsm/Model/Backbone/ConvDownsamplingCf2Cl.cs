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
/// (docs/MODEL.md §11.1), dropped like the other inference caches (<see cref="InferenceCaches"/>).
/// </summary>
public sealed class ConvDownsamplingCf2Cl : Module<Tensor, Tensor>, IInferenceCache
{
    private readonly Conv2d conv;
    private readonly LayerNorm norm;
    private readonly long _stride;
    private readonly long _padding;
    private Tensor? _weight;
    private Tensor? _weightFrom;

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
        Tensor y = !training && !is_grad_enabled()
            ? functional.conv2d(nhwc.permute(0, 3, 1, 2), InferenceWeight(), strides: [_stride, _stride], padding: [_padding, _padding])
            : conv.call(nhwc.permute(0, 3, 1, 2));
        return norm.call(y.permute(0, 2, 3, 1)).MoveToOuterDisposeScope();
    }

    /// <summary>Drops the channels-last weight; the next inference forward copies the current one.</summary>
    public void InvalidateCaches()
    {
        _weight?.Dispose();
        _weight = null;
        _weightFrom = null;
    }

    public override void train(bool train = true)
    {
        InvalidateCaches();
        base.train(train);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            InvalidateCaches();
        }
        base.Dispose(disposing);
    }

    /// <summary>The weight in channels-last memory, rebuilt when the parameter is another tensor (after <c>to()</c>).</summary>
    private Tensor InferenceWeight()
    {
        if (_weight is null || !ReferenceEquals(_weightFrom, conv.weight))
        {
            InvalidateCaches();
            _weight = ChannelsLast.Weight(conv.weight!).DetachFromDisposeScope();
            _weightFrom = conv.weight;
        }
        return _weight;
    }
}
