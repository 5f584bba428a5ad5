using EventSsm.Model;
using EventSsm.Model.Backbone;
using EventSsm.Model.Head;
using EventSsm.Model.Neck;
using EventSsm.Model.Ssm;

namespace EventSsm.Export;

/// <summary>
/// ONNX nodes of a backbone stage's spatial part: <see cref="ConvDownsamplingCf2Cl"/>, <see cref="MaxVitAttentionPairCl"/>
/// (window and grid <see cref="PartitionAttentionCl"/>, <see cref="SelfAttentionCl"/>, <see cref="Mlp"/>,
/// <see cref="LayerScale"/>) on channels-last maps, as docs/MODEL.md §3 and §3.1–3.2.
/// </summary>
internal static class AttentionEmitter
{
    /// <summary>Conv(k = 2f−1, stride f, pad k/2, no bias) → NHWC → LayerNorm. x (F, Cin, H, W) → (F, h, w, C).</summary>
    public static string Downsample(OnnxEmitContext ctx, string x, string prefix, int factor)
    {
        using IDisposable scope = ctx.Graph.Scope(prefix);
        string conv = ctx.Conv(x, prefix + ".conv", factor, factor - 1);
        return ctx.LayerNorm(ctx.Transpose(conv, 0, 2, 3, 1), prefix + ".norm");
    }

    /// <summary>Window then grid attention on an NHWC map (F, h, w, C) of known h, w.</summary>
    public static string AttentionPair(OnnxEmitContext ctx, string x, string prefix, long h, long w, long c,
        (int H, int W) partition, int dimHead)
    {
        string y = Partition(ctx, x, prefix + ".att_window", PartitionType.Window, h, w, c, partition, dimHead);
        return Partition(ctx, y, prefix + ".att_grid", PartitionType.Grid, h, w, c, partition, dimHead);
    }

    /// <summary>x += ls1(attn(partition(norm1 x))); x += ls2(mlp(norm2 x)). norm1 is absent for the stage's first window block.</summary>
    private static string Partition(OnnxEmitContext ctx, string x, string prefix, PartitionType type, long h, long w, long c,
        (int H, int W) partition, int dimHead)
    {
        using IDisposable scope = ctx.Graph.Scope(prefix);
        (long ph, long pw) = (partition.H, partition.W);
        if (h % ph != 0 || w % pw != 0)
        {
            throw new ArgumentException($"feature map {h}x{w} is not divisible by the partition {ph}x{pw}");
        }
        string normed = ctx.HasParameter(prefix + ".norm1.weight") ? ctx.LayerNorm(x, prefix + ".norm1") : x;
        long heads = c / dimHead;
        string attention = prefix + ".self_attn";
        // The token linears act per token, so they run on the map; one transpose then partitions qkv and splits its
        // head-major channels [h0: q k v, h1: …] (docs/MODEL.md §3.2) into (F·windows, heads, ph·pw, 3·dh), and one
        // more merges the heads and restores (F, h, w, C): two data moves per attention instead of four.
        string qkvMap = ctx.Linear(normed, attention + ".qkv");
        string qkv = type == PartitionType.Window
            ? ctx.Transpose(ctx.Reshape(qkvMap, -1, h / ph, ph, w / pw, pw, heads, 3L * dimHead), 0, 1, 3, 5, 2, 4, 6)
            : ctx.Transpose(ctx.Reshape(qkvMap, -1, ph, h / ph, pw, w / pw, heads, 3L * dimHead), 0, 2, 4, 5, 1, 3, 6);
        string[] parts = ctx.Split(ctx.Reshape(qkv, -1, heads, ph * pw, 3L * dimHead), 3, dimHead, dimHead, dimHead);
        string q = ctx.Mul(parts[0], ctx.Graph.Scalar("attention_scale", (float)(1.0 / Math.Sqrt(dimHead))));
        string scores = ctx.Node("MatMul", [q, ctx.Transpose(parts[1], 0, 1, 3, 2)]);
        string weights = ctx.Node("Softmax", [scores], OnnxAttribute.Of("axis", -1L));
        // (F·windows, heads, ph·pw, dh) as (F, h/ph, w/pw, heads, ph, pw, dh) → (F, h, w, heads·dh).
        string heads7 = ctx.Reshape(ctx.Node("MatMul", [weights, parts[2]]), -1, h / ph, w / pw, heads, ph, pw, dimHead);
        string merged = type == PartitionType.Window
            ? ctx.Transpose(heads7, 0, 1, 4, 2, 5, 3, 6)
            : ctx.Transpose(heads7, 0, 4, 1, 5, 2, 3, 6);
        // LayerScale γ is folded into proj and net.2 (per channel).
        string attended = ctx.Linear(ctx.Reshape(merged, -1, h, w, c), attention + ".proj", bias: true, prefix + ".ls1.gamma");
        string y = ctx.Add(x, attended);
        string mlp = Mlp(ctx, ctx.LayerNorm(y, prefix + ".norm2"), prefix + ".mlp", prefix + ".ls2.gamma");
        return ctx.Add(y, mlp);
    }

    /// <summary>Linear → exact GELU → Linear (keys net.0.0, net.2), the output scaled by γ when present.</summary>
    private static string Mlp(OnnxEmitContext ctx, string x, string prefix, string outputScale) =>
        ctx.Linear(ctx.Gelu(ctx.Linear(x, prefix + ".net.0.0")), prefix + ".net.2", bias: true, outputScale);
}
