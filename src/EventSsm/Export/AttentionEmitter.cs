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
        // Partitions as token sequences (F·windows, ph·pw, C); the reverse permutation restores (F, h, w, C).
        string tokens;
        if (type == PartitionType.Window)
        {
            tokens = ctx.Reshape(ctx.Transpose(ctx.Reshape(normed, -1, h / ph, ph, w / pw, pw, c), 0, 1, 3, 2, 4, 5), -1, ph * pw, c);
        }
        else
        {
            tokens = ctx.Reshape(ctx.Transpose(ctx.Reshape(normed, -1, ph, h / ph, pw, w / pw, c), 0, 2, 4, 1, 3, 5), -1, ph * pw, c);
        }
        // LayerScale γ is folded into proj and net.2 (per channel, it commutes with the reverse partition).
        string attended = SelfAttention(ctx, tokens, prefix + ".self_attn", ph * pw, c, dimHead, prefix + ".ls1.gamma");
        string restored = type == PartitionType.Window
            ? ctx.Reshape(ctx.Transpose(ctx.Reshape(attended, -1, h / ph, w / pw, ph, pw, c), 0, 1, 3, 2, 4, 5), -1, h, w, c)
            : ctx.Reshape(ctx.Transpose(ctx.Reshape(attended, -1, h / ph, w / pw, ph, pw, c), 0, 3, 1, 4, 2, 5), -1, h, w, c);
        string y = ctx.Add(x, restored);
        string mlp = Mlp(ctx, ctx.LayerNorm(y, prefix + ".norm2"), prefix + ".mlp", prefix + ".ls2.gamma");
        return ctx.Add(y, mlp);
    }

    /// <summary>
    /// Multi-head attention over tokens (T, N, C): head-major qkv channels [h0: q k v, h1: …] (docs/MODEL.md §3.2),
    /// softmax(q kᵀ·dh^-½) v, then the output projection.
    /// </summary>
    private static string SelfAttention(OnnxEmitContext ctx, string x, string prefix, long n, long c, int dimHead, string outputScale)
    {
        long heads = c / dimHead;
        string qkv = ctx.Transpose(ctx.Reshape(ctx.Linear(x, prefix + ".qkv"), -1, n, heads, 3L * dimHead), 0, 2, 1, 3);
        string[] parts = ctx.Split(qkv, 3, dimHead, dimHead, dimHead);
        string q = ctx.Mul(parts[0], ctx.Graph.Scalar("attention_scale", (float)(1.0 / Math.Sqrt(dimHead))));
        string scores = ctx.Node("MatMul", [q, ctx.Transpose(parts[1], 0, 1, 3, 2)]);
        string weights = ctx.Node("Softmax", [scores], OnnxAttribute.Of("axis", -1L));
        string y = ctx.Reshape(ctx.Transpose(ctx.Node("MatMul", [weights, parts[2]]), 0, 2, 1, 3), -1, n, c);
        return ctx.Linear(y, prefix + ".proj", bias: true, outputScale);
    }

    /// <summary>Linear → exact GELU → Linear (keys net.0.0, net.2), the output scaled by γ when present.</summary>
    private static string Mlp(OnnxEmitContext ctx, string x, string prefix, string outputScale) =>
        ctx.Linear(ctx.Gelu(ctx.Linear(x, prefix + ".net.0.0")), prefix + ".net.2", bias: true, outputScale);
}
