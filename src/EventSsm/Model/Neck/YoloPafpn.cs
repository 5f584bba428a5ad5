using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EventSsm.Model.Neck;

/// <summary>
/// YOLOX PAFPN (<c>yolo_pafpn.py</c>, docs/MODEL.md §5). Input: the stage features (x2, x1, x0) at strides
/// 8/16/32 with channels c0/c1/c2; output (pan_out2, pan_out1, pan_out0) with the same channels and strides.
/// Keys equal the original's minus <c>mdl.fpn.</c>.
/// </summary>
public sealed class YoloPafpn : Module<Tensor[], Tensor[]>
{
    private readonly BaseConv lateral_conv0;
    private readonly CspLayer C3_p4;
    private readonly BaseConv reduce_conv1;
    private readonly CspLayer C3_p3;
    private readonly BaseConv bu_conv2;
    private readonly CspLayer C3_n3;
    private readonly BaseConv bu_conv1;
    private readonly CspLayer C3_n4;

    public YoloPafpn(FpnOptions options) : base(nameof(YoloPafpn))
    {
        options.Validate();
        Options = options;
        long c0 = options.InChannels[0], c1 = options.InChannels[1], c2 = options.InChannels[2];
        int n = options.BottlenecksPerCsp;
        lateral_conv0 = new BaseConv(c2, c1, 1);
        C3_p4 = new CspLayer(2 * c1, c1, n);
        reduce_conv1 = new BaseConv(c1, c0, 1);
        C3_p3 = new CspLayer(2 * c0, c0, n);
        bu_conv2 = new BaseConv(c0, c0, 3, 2);
        C3_n3 = new CspLayer(2 * c0, c1, n);
        bu_conv1 = new BaseConv(c1, c1, 3, 2);
        C3_n4 = new CspLayer(2 * c1, c2, n);
        RegisterComponents();
    }

    public FpnOptions Options { get; }

    /// <param name="features">The three selected stage maps (N, c_k, h_k, w_k), finest first.</param>
    public override Tensor[] forward(Tensor[] features)
    {
        if (features.Length != 3)
        {
            throw new ArgumentException($"PAFPN expects 3 feature maps, got {features.Length}.", nameof(features));
        }
        using DisposeScope scope = NewDisposeScope();
        (Tensor x2, Tensor x1, Tensor x0) = (features[0], features[1], features[2]);

        Tensor fpnOut0 = lateral_conv0.call(x0);
        Tensor f0 = C3_p4.call(cat([Upsample2x(fpnOut0), x1], 1));

        Tensor fpnOut1 = reduce_conv1.call(f0);
        Tensor panOut2 = C3_p3.call(cat([Upsample2x(fpnOut1), x2], 1));

        Tensor panOut1 = C3_n3.call(cat([bu_conv2.call(panOut2), fpnOut1], 1));
        Tensor panOut0 = C3_n4.call(cat([bu_conv1.call(panOut1), fpnOut0], 1));

        return [panOut2.MoveToOuterDisposeScope(), panOut1.MoveToOuterDisposeScope(), panOut0.MoveToOuterDisposeScope()];
    }

    /// <summary>
    /// The original's interpolate(scale_factor=2, mode='nearest-exact'): at an integer factor of 2, plain pixel
    /// repetition. Written on the NHWC view, so that the result is channels-last like the backbone's maps and the
    /// convolutions after the concatenation run without layout conversions (docs/MODEL.md §11.1).
    /// </summary>
    private static Tensor Upsample2x(Tensor x)
    {
        long n = x.shape[0];
        long c = x.shape[1];
        long h = x.shape[2];
        long w = x.shape[3];
        return x.permute(0, 2, 3, 1).unsqueeze(2).unsqueeze(4).expand(n, h, 2, w, 2, c)
            .reshape(n, 2 * h, 2 * w, c).permute(0, 3, 1, 2);
    }
}
