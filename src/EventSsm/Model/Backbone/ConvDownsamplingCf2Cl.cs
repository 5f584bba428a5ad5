using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EventSsm.Model.Backbone;

/// <summary>
/// Overlapping patch downsampling, NCHW in, NHWC out: Conv2d(k = 2f−1, stride f, pad k/2, no bias) → permute →
/// LayerNorm (docs/MODEL.md §3 step 2). Keys: <c>conv.weight</c>, <c>norm.{weight,bias}</c>.
/// </summary>
public sealed class ConvDownsamplingCf2Cl : Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly LayerNorm norm;

    public ConvDownsamplingCf2Cl(int dimIn, int dimOut, int downsampleFactor) : base(nameof(ConvDownsamplingCf2Cl))
    {
        if (downsampleFactor is not (2 or 4 or 8))
        {
            throw new ArgumentException($"downsample factor must be 2, 4 or 8, got {downsampleFactor}", nameof(downsampleFactor));
        }
        int kernel = (downsampleFactor - 1) * 2 + 1;
        conv = Conv2d(dimIn, dimOut, kernel, stride: downsampleFactor, padding: kernel / 2, bias: false);
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
        return norm.call(conv.call(nhwc.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)).MoveToOuterDisposeScope();
    }
}
