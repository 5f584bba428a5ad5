using EventSsm.Model;
using EventSsm.Model.Backbone;
using EventSsm.Model.Head;
using EventSsm.Model.Neck;
using EventSsm.Model.Ssm;

namespace EventSsm.Export;

/// <summary>
/// ONNX nodes of the decoupled <see cref="YoloXHead"/> and its decoding (docs/MODEL.md §6.1–6.2): per level the stem,
/// class/regression branches and 1×1 predictors, anchors row-major per level, levels s8, s16, s32; then
/// xy = (raw + grid)·stride, wh = exp(raw)·stride, sigmoid(obj, cls), as <c>forward</c> saves <c>head</c>.
/// </summary>
internal static class HeadEmitter
{
    /// <param name="levels">PAFPN outputs per level, NCHW, of the given (h, w).</param>
    /// <returns>Decoded predictions (F, anchors, 5 + classes).</returns>
    public static string Decoded(OnnxEmitContext ctx, string[] levels, (long H, long W)[] sizes, int[] strides, int numClasses,
        string prefix)
    {
        var outputs = new string[levels.Length];
        long width = 5 + numClasses;
        for (int k = 0; k < levels.Length; k++)
        {
            string x = NeckEmitter.BaseConv(ctx, levels[k], $"{prefix}.stems.{k}");
            string clsFeat = NeckEmitter.BaseConv(ctx, NeckEmitter.BaseConv(ctx, x, $"{prefix}.cls_convs.{k}.0"), $"{prefix}.cls_convs.{k}.1");
            string regFeat = NeckEmitter.BaseConv(ctx, NeckEmitter.BaseConv(ctx, x, $"{prefix}.reg_convs.{k}.0"), $"{prefix}.reg_convs.{k}.1");
            string cls = ctx.Conv(clsFeat, $"{prefix}.cls_preds.{k}", 1, 0);
            string reg = ctx.Conv(regFeat, $"{prefix}.reg_preds.{k}", 1, 0);
            string obj = ctx.Conv(regFeat, $"{prefix}.obj_preds.{k}", 1, 0);
            // (F, 5+nc, h, w) → (F, h·w, 5+nc).
            outputs[k] = ctx.Transpose(ctx.Reshape(ctx.Concat(1, reg, obj, cls), 0, width, sizes[k].H * sizes[k].W), 0, 2, 1);
        }
        string raw = ctx.Concat(1, outputs);
        (float[] grid, float[] stride) = Grid(sizes, strides);
        long anchors = stride.Length;
        string[] parts = ctx.Split(raw, 2, 2, 2, 1 + numClasses);
        string strideWeight = ctx.Graph.Weight($"{prefix}.anchor_strides", stride, [anchors, 1]);
        string xy = ctx.Mul(ctx.Add(parts[0], ctx.Graph.Weight($"{prefix}.anchor_grid", grid, [anchors, 2])), strideWeight);
        string wh = ctx.Mul(ctx.Node("Exp", [parts[1]]), strideWeight);
        return ctx.Concat(2, xy, wh, ctx.Node("Sigmoid", [parts[2]]));
    }

    /// <summary>Per-anchor (x, y) cell and stride, in the head's anchor order (as <see cref="AnchorGrid"/>).</summary>
    private static (float[] Grid, float[] Stride) Grid((long H, long W)[] sizes, int[] strides)
    {
        var grid = new List<float>();
        var stride = new List<float>();
        for (int k = 0; k < sizes.Length; k++)
        {
            for (long y = 0; y < sizes[k].H; y++)
            {
                for (long x = 0; x < sizes[k].W; x++)
                {
                    grid.Add(x);
                    grid.Add(y);
                    stride.Add(strides[k]);
                }
            }
        }
        return ([.. grid], [.. stride]);
    }
}
