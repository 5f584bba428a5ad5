using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Model.Backbone;

/// <summary>
/// MaxViT block on an NHWC map: x += ls1(attn(partition(norm1 x))); x += ls2(mlp(norm2 x)) (docs/MODEL.md §3.1).
/// Keys: <c>norm1</c> (absent when skipped), <c>self_attn</c>, <c>ls1.gamma</c>, <c>norm2</c>, <c>mlp.net.*</c>, <c>ls2.gamma</c>.
/// </summary>
public sealed class PartitionAttentionCl : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> norm1;
    private readonly SelfAttentionCl self_attn;
    private readonly Module<Tensor, Tensor> ls1;
    private readonly LayerNorm norm2;
    private readonly Mlp mlp;
    private readonly Module<Tensor, Tensor> ls2;
    private readonly PartitionType _partitionType;
    private readonly (int H, int W) _partitionSize;

    /// <param name="skipFirstNorm">True for the window block right after the (already normalised) downsampling.</param>
    /// <param name="lsInitValue">LayerScale init; 0 or less replaces LayerScale by identity, as in the original.</param>
    public PartitionAttentionCl(
        int dim,
        PartitionType partitionType,
        (int H, int W) partitionSize,
        int dimHead,
        bool skipFirstNorm,
        int mlpRatio = 4,
        double lsInitValue = 1e-5,
        double normEps = 1e-5)
        : base(nameof(PartitionAttentionCl))
    {
        if (partitionSize.H < 1 || partitionSize.W < 1)
        {
            throw new ArgumentException($"partition size {partitionSize} must be positive", nameof(partitionSize));
        }
        _partitionType = partitionType;
        _partitionSize = partitionSize;
        norm1 = skipFirstNorm ? Identity() : LayerNorm(dim, eps: normEps);
        self_attn = new SelfAttentionCl(dim, dimHead);
        ls1 = lsInitValue > 0 ? new LayerScale(dim, lsInitValue) : Identity();
        norm2 = LayerNorm(dim, eps: normEps);
        mlp = new Mlp(dim, mlpRatio);
        ls2 = lsInitValue > 0 ? new LayerScale(dim, lsInitValue) : Identity();
        RegisterComponents();
    }

    /// <summary>The attention over each partition (for profilers that time the parts: bench <c>frame-parts</c>).</summary>
    public SelfAttentionCl SelfAttention => self_attn;

    /// <summary>The MLP branch.</summary>
    public Mlp Mlp => mlp;

    /// <summary>The LayerNorm before the MLP.</summary>
    public LayerNorm Norm2 => norm2;

    public override Tensor forward(Tensor x)
    {
        using DisposeScope scope = NewDisposeScope();
        // LayerScale is folded into the last linear of each branch (docs/MODEL.md §11.1).
        Tensor y = x.add(PartitionAttention(norm1.call(x), (ls1 as LayerScale)?.Scale()), One);
        y = y.add(mlp.Forward(norm2.call(y), (ls2 as LayerScale)?.Scale()), One);
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The block's partitions of an NHWC map x (B, h, w, C): (B·windows, ph, pw, C), a copy; windows of adjacent
    /// pixels or a grid of strided ones by the block's type (docs/MODEL.md §3.1).
    /// </summary>
    public Tensor Partition(Tensor x)
    {
        (long b, long h, long w, long c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        (long ph, long pw) = (_partitionSize.H, _partitionSize.W);
        if (h % ph != 0 || w % pw != 0)
        {
            throw new ArgumentException(
                $"feature map {h}x{w} must be divisible by the {_partitionType.ToString().ToLowerInvariant()} partition {ph}x{pw}");
        }
        return _partitionType == PartitionType.Window
            ? x.view(b, h / ph, ph, w / pw, pw, c).permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, ph, pw, c)
            : x.view(b, ph, h / ph, pw, w / pw, c).permute(0, 2, 4, 1, 3, 5).contiguous().view(-1, ph, pw, c);
    }

    private Tensor PartitionAttention(Tensor x, Tensor? outputScale)
    {
        (long h, long w, long c) = (x.shape[1], x.shape[2], x.shape[3]);
        (long ph, long pw) = (_partitionSize.H, _partitionSize.W);
        Tensor attended = self_attn.Forward(Partition(x), outputScale).view(-1, h / ph, w / pw, ph, pw, c);
        return _partitionType == PartitionType.Window
            ? attended.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, h, w, c)
            : attended.permute(0, 3, 1, 4, 2, 5).contiguous().view(-1, h, w, c);
    }
}
