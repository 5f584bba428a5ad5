using System.Collections.ObjectModel;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EventSsm.Model;

/// <summary>
/// One backbone stage (the original's <c>RNNDetectorStage</c>): patch downsampling and MaxViT attention on all L·B
/// frames at once, then an <see cref="S5Block"/> across time at every pixel (model_spec.md §3).
/// Keys: <c>downsample_cf2cl.*</c>, <c>att_blocks.{j}.*</c>, <c>s5_block.*</c>.
/// </summary>
public sealed class RecurrentStage : nn.Module
{
    private readonly ConvDownsamplingCf2Cl downsample_cf2cl;
    private readonly ModuleList<MaxVitAttentionPairCl> att_blocks;
    private readonly S5Block s5_block;

    public RecurrentStage(int dimIn, int stageDim, int downsampleFactor, int numBlocks, BackboneOptions options)
        : base(nameof(RecurrentStage))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numBlocks, 1);
        downsample_cf2cl = new ConvDownsamplingCf2Cl(dimIn, stageDim, downsampleFactor);
        // The downsampling output is already normalised, so the first window block has no norm1 (§3.1).
        att_blocks = new ModuleList<MaxVitAttentionPairCl>(Enumerable.Range(0, numBlocks)
            .Select(i => new MaxVitAttentionPairCl(
                stageDim, skipFirstNorm: i == 0, options.PartitionSize, options.DimHead, options.MlpRatio, options.LsInitValue))
            .ToArray());
        // The original hard-codes S5Block(dim=stage_dim, state_dim=stage_dim, bidir=False, bandlimit=0.5).
        s5_block = new S5Block(
            stageDim, stageDim, options.DtMin, options.DtMax, options.Bandlimit, options.Discretization);
        s5_block.S5.Ssm.MaskMode = options.Mask;
        s5_block.S5.Ssm.MaskBandlimit = options.MaskBandlimit;
        RegisterComponents();
    }

    public ConvDownsamplingCf2Cl Downsample => downsample_cf2cl;

    public IReadOnlyList<MaxVitAttentionPairCl> AttentionBlocks => new ReadOnlyCollection<MaxVitAttentionPairCl>(att_blocks);

    public S5Block S5Block => s5_block;

    /// <summary>
    /// x (L, B, Cin, H, W) → (features (L, B, C, h, w), state (B, P, h, w) complex64).
    /// </summary>
    /// <param name="state">(B, P, h, w) or null (zero state).</param>
    public (Tensor Features, Tensor State) Forward(Tensor x, Tensor? state, double stepScale, S5StateMode mode)
    {
        if (x.dim() != 5)
        {
            throw new ArgumentException($"stage input must be (L, B, C, H, W), got ({string.Join(", ", x.shape)})", nameof(x));
        }
        using DisposeScope scope = NewDisposeScope();
        long length = x.shape[0];
        long batch = x.shape[1];
        Tensor y = downsample_cf2cl.call(x.reshape(length * batch, x.shape[2], x.shape[3], x.shape[4]));  // (L·B, h, w, C)
        foreach (MaxVitAttentionPairCl block in att_blocks)
        {
            y = block.call(y);
        }
        (Tensor features, Tensor stateOut) = ForwardTemporal(y, length, state, stepScale, mode);
        return (features.MoveToOuterDisposeScope(), stateOut.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The S5 block over time on the attention output y (L·B, h, w, C) → (features (L, B, C, h, w), state (B, P, h, w)).
    /// Public so that a profiler can time the spatial and temporal parts separately.
    /// </summary>
    public (Tensor Features, Tensor State) ForwardTemporal(Tensor y, long length, Tensor? state, double stepScale, S5StateMode mode)
    {
        using DisposeScope scope = NewDisposeScope();
        long batch = y.shape[0] / length;
        long h = y.shape[1];
        long w = y.shape[2];
        long c = y.shape[3];
        // "(L B) H W C -> (B H W) L C": one sequence over time per pixel (§3 step 6, skipping the NCHW round trip).
        // For L = 1 this is a view, no copy.
        Tensor sequences = y.view(length, batch, h, w, c).permute(1, 2, 3, 0, 4).reshape(batch * h * w, length, c);
        Tensor? flatState = null;
        if (state is not null)
        {
            if (state.dim() != 4 || state.shape[0] != batch || state.shape[2] != h || state.shape[3] != w)
            {
                throw new ArgumentException(
                    $"stage state must be ({batch}, P, {h}, {w}), got ({string.Join(", ", state.shape)})", nameof(state));
            }
            flatState = state.permute(0, 2, 3, 1).reshape(batch * h * w, state.shape[1]);
        }
        (Tensor z, Tensor newState) = s5_block.Forward(sequences, flatState, stepScale, mode);
        Tensor features = z.view(batch, h, w, length, c).permute(3, 0, 4, 1, 2);
        Tensor stateOut = newState.view(batch, h, w, -1).permute(0, 3, 1, 2);
        return (features.MoveToOuterDisposeScope(), stateOut.MoveToOuterDisposeScope());
    }
}
