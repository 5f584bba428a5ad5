using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EventSsm.Model.Backbone;

/// <summary>Window attention then grid attention on an NHWC map. Keys: <c>att_window.*</c>, <c>att_grid.*</c>.</summary>
public sealed class MaxVitAttentionPairCl : Module<Tensor, Tensor>
{
    private readonly PartitionAttentionCl att_window;
    private readonly PartitionAttentionCl att_grid;

    /// <param name="skipFirstNorm">Drops the window block's norm1 (first block of a stage whose input is normalised).</param>
    public MaxVitAttentionPairCl(
        int dim,
        bool skipFirstNorm,
        (int H, int W) partitionSize,
        int dimHead,
        int mlpRatio = 4,
        double lsInitValue = 1e-5)
        : base(nameof(MaxVitAttentionPairCl))
    {
        att_window = new PartitionAttentionCl(
            dim, PartitionType.Window, partitionSize, dimHead, skipFirstNorm, mlpRatio, lsInitValue);
        att_grid = new PartitionAttentionCl(
            dim, PartitionType.Grid, partitionSize, dimHead, skipFirstNorm: false, mlpRatio, lsInitValue);
        RegisterComponents();
    }

    public PartitionAttentionCl WindowAttention => att_window;

    public PartitionAttentionCl GridAttention => att_grid;

    public override Tensor forward(Tensor x)
    {
        using DisposeScope scope = NewDisposeScope();
        return att_grid.call(att_window.call(x)).MoveToOuterDisposeScope();
    }
}
