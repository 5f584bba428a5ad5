using EventSsm.Model;
using EventSsm.Model.Backbone;
using EventSsm.Model.Head;
using EventSsm.Model.Neck;
using EventSsm.Model.Ssm;

namespace EventSsm.Export;

/// <summary>
/// ONNX nodes of the YOLOX PAFPN (<see cref="YoloPafpn"/>, docs/MODEL.md §5) and its blocks: <see cref="BaseConv"/>
/// (Conv → BatchNorm → SiLU), <see cref="Bottleneck"/> (no residual), <see cref="CspLayer"/>.
/// </summary>
internal static class NeckEmitter
{
    /// <param name="features">Stage maps (x2, x1, x0) NCHW, strides 8/16/32.</param>
    /// <returns>(pan_out2, pan_out1, pan_out0).</returns>
    public static string[] Pafpn(OnnxEmitContext ctx, string[] features, string prefix, int bottlenecks)
    {
        (string x2, string x1, string x0) = (features[0], features[1], features[2]);
        string fpnOut0 = BaseConv(ctx, x0, $"{prefix}.lateral_conv0", 1);
        string f0 = Csp(ctx, ctx.Concat(1, Upsample2x(ctx, fpnOut0), x1), $"{prefix}.C3_p4", bottlenecks);
        string fpnOut1 = BaseConv(ctx, f0, $"{prefix}.reduce_conv1", 1);
        string panOut2 = Csp(ctx, ctx.Concat(1, Upsample2x(ctx, fpnOut1), x2), $"{prefix}.C3_p3", bottlenecks);
        string panOut1 = Csp(ctx, ctx.Concat(1, BaseConv(ctx, panOut2, $"{prefix}.bu_conv2", 2), fpnOut1), $"{prefix}.C3_n3", bottlenecks);
        string panOut0 = Csp(ctx, ctx.Concat(1, BaseConv(ctx, panOut1, $"{prefix}.bu_conv1", 2), fpnOut0), $"{prefix}.C3_n4", bottlenecks);
        return [panOut2, panOut1, panOut0];
    }

    /// <summary>Conv2d (pad (k−1)/2, no bias) → BatchNorm2d → SiLU; the kernel size is read from the weight.</summary>
    public static string BaseConv(OnnxEmitContext ctx, string x, string prefix, long stride = 1)
    {
        using IDisposable scope = ctx.Graph.Scope(prefix);
        long k = ctx.Parameter(prefix + ".conv.weight").shape[2];
        return ctx.Silu(ctx.BatchNorm(ctx.Conv(x, prefix + ".conv", stride, (k - 1) / 2), prefix + ".bn"));
    }

    /// <summary>conv3(cat[m(conv1 x), conv2 x]) with m = n × Bottleneck(1×1, 3×3).</summary>
    private static string Csp(OnnxEmitContext ctx, string x, string prefix, int bottlenecks)
    {
        string a = BaseConv(ctx, x, prefix + ".conv1");
        for (int j = 0; j < bottlenecks; j++)
        {
            a = BaseConv(ctx, BaseConv(ctx, a, $"{prefix}.m.{j}.conv1"), $"{prefix}.m.{j}.conv2");
        }
        string b = BaseConv(ctx, x, prefix + ".conv2");
        return BaseConv(ctx, ctx.Concat(1, a, b), prefix + ".conv3");
    }

    /// <summary>Nearest 2× upsampling (the original's nearest-exact at factor 2 is pixel repetition).</summary>
    private static string Upsample2x(OnnxEmitContext ctx, string x) =>
        ctx.Node("Resize", [x, "", ctx.Graph.Weight("upsample_scales", [1f, 1f, 2f, 2f], [4])],
            OnnxAttribute.Of("mode", "nearest"),
            OnnxAttribute.Of("coordinate_transformation_mode", "asymmetric"),
            OnnxAttribute.Of("nearest_mode", "floor"));
}
