using System.Collections.ObjectModel;
using TorchSharp;
using TorchSharp.Modules;
using EventSsm.Model.Ssm;
using EventSsm.Tensors;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EventSsm.Model.Backbone;

/// <summary>
/// One backbone stage (the original's <c>RNNDetectorStage</c>): patch downsampling and MaxViT attention on all L·B
/// frames at once, then the temporal layer: an <see cref="S5Block"/> across time at every pixel (docs/MODEL.md §3), or
/// RVT's <see cref="DwsConvLstm2d"/> stepped over the L frames (docs/MODEL.md §9), whose h is the stage output as in
/// RVT. Keys: <c>downsample_cf2cl.*</c>, <c>att_blocks.{j}.*</c>, then <c>s5_block.*</c> or RVT's <c>lstm.*</c>.
/// </summary>
public sealed class RecurrentStage : nn.Module
{
    private readonly ConvDownsamplingCf2Cl downsample_cf2cl;
    private readonly ModuleList<MaxVitAttentionPairCl> att_blocks;
    private readonly S5Block? s5_block;
    private readonly DwsConvLstm2d? lstm;

    public RecurrentStage(int dimIn, int stageDim, int downsampleFactor, int numBlocks, BackboneOptions options)
        : base(nameof(RecurrentStage))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numBlocks, 1);
        downsample_cf2cl = new ConvDownsamplingCf2Cl(dimIn, stageDim, downsampleFactor);
        // The downsampling output is already normalised, so the first window block has no norm1 (docs/MODEL.md §3.1).
        att_blocks = new ModuleList<MaxVitAttentionPairCl>(Enumerable.Range(0, numBlocks)
            .Select(i => new MaxVitAttentionPairCl(
                stageDim, skipFirstNorm: i == 0, options.PartitionSize, options.DimHead, options.MlpRatio, options.LsInitValue))
            .ToArray());
        if (options.Recurrent == RecurrentLayer.Lstm)
        {
            lstm = new DwsConvLstm2d(stageDim, options.Lstm);
        }
        else
        {
            // The original hard-codes S5Block(dim=stage_dim, state_dim=stage_dim, bidir=False, bandlimit=0.5).
            // The sequential scan always: the real-arithmetic loop on cached operands (see S5Layer), whatever L.
            s5_block = new S5Block(stageDim, new S5LayerOptions
            {
                StateWidth = stageDim,
                DtMin = options.DtMin,
                DtMax = options.DtMax,
                Bandlimit = options.Bandlimit,
                Discretization = options.Discretization,
                ScanMethod = LinearRecurrence.Method.Sequential,
            });
            s5_block.Layer.MaskMode = options.Mask;
            s5_block.Layer.MaskBandlimit = options.MaskBandlimit;
        }
        RegisterComponents();
    }

    public ConvDownsamplingCf2Cl Downsample => downsample_cf2cl;

    public IReadOnlyList<MaxVitAttentionPairCl> AttentionBlocks => new ReadOnlyCollection<MaxVitAttentionPairCl>(att_blocks);

    public S5Block S5Block => s5_block ?? throw new InvalidOperationException("this stage's recurrent layer is the lstm, not S5");

    public DwsConvLstm2d Lstm => lstm ?? throw new InvalidOperationException("this stage's recurrent layer is S5, not the lstm");

    /// <summary>
    /// Training memory for time: when set, each attention block pair keeps only its input for the backward and runs
    /// again inside it (<c>training.recompute_attention</c>, docs/MODEL.md §11.2). Only with autograd on; the values
    /// are those of the plain forward up to rounding.
    /// </summary>
    public bool RecomputeAttention { get; set; }

    /// <summary>The temporal layer's module (S5 block or LSTM), e.g. for counting its parameters.</summary>
    public nn.Module TemporalLayer => (nn.Module?)s5_block ?? lstm!;

    /// <summary>
    /// x (L, B, Cin, H, W) → (features (L, B, C, h, w), state). The state is (B, P, h, w) complex64 for S5 and
    /// (B, 2C, h, w) float32 = [h | c] along channels for the LSTM (RVT's (h, c) tuple as one batch-first tensor, so
    /// that state bookkeeping handles both alike).
    /// </summary>
    /// <param name="state">The previous chunk's state, or null (zero state).</param>
    /// <param name="stepScale">S5 only: multiplies Δ (the LSTM has no time step to rescale).</param>
    /// <param name="mode">S5 only (an LSTM always carries its state, as RVT does).</param>
    public (Tensor Features, Tensor State) Forward(Tensor x, Tensor? state, double stepScale, S5StateMode mode)
    {
        if (x.dim() != 5)
        {
            throw new ArgumentException($"stage input must be (L, B, C, H, W), got ({string.Join(", ", x.shape)})", nameof(x));
        }
        using DisposeScope scope = NewDisposeScope();
        long length = x.shape[0];
        long batch = x.shape[1];
        Tensor y = downsample_cf2cl.call(FramesChannelsLast(x));  // (L·B, h, w, C)
        bool recompute = RecomputeAttention && is_grad_enabled();
        foreach (MaxVitAttentionPairCl block in att_blocks)
        {
            y = recompute ? RecomputedBlock.Apply(block, y) : block.call(y);
        }
        (Tensor features, Tensor stateOut) = ForwardTemporal(y, length, state, stepScale, mode);
        return (features.MoveToOuterDisposeScope(), stateOut.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// x (L, B, C, H, W) as the (L·B, C, H, W) frames with channels-last strides: a view when x is channels-last
    /// already (the previous stage's output for L = 1, a channels-last input), else one copy, by
    /// <see cref="ChannelsLast.Copy"/> for an NCHW input (docs/MODEL.md §11.1).
    /// </summary>
    public static Tensor FramesChannelsLast(Tensor x)
    {
        bool nchw = x.is_contiguous() && x.shape[2] > 1 && x.shape[3] * x.shape[4] > 1;
        Tensor frames = nchw ? ChannelsLast.Copy(x) : x;
        return frames.permute(0, 1, 3, 4, 2).reshape(x.shape[0] * x.shape[1], x.shape[3], x.shape[4], x.shape[2])
            .permute(0, 3, 1, 2);
    }

    /// <summary>
    /// The temporal layer on the attention output y (L·B, h, w, C) → (features (L, B, C, h, w), state), see
    /// <see cref="Forward"/>. Public so that a profiler can time the spatial and temporal parts separately.
    /// </summary>
    public (Tensor Features, Tensor State) ForwardTemporal(Tensor y, long length, Tensor? state, double stepScale, S5StateMode mode)
    {
        return lstm is null ? ForwardS5(y, length, state, stepScale, mode) : ForwardLstm(y, length, state);
    }

    private (Tensor Features, Tensor State) ForwardS5(Tensor y, long length, Tensor? state, double stepScale, S5StateMode mode)
    {
        using DisposeScope scope = NewDisposeScope();
        long batch = y.shape[0] / length;
        long h = y.shape[1];
        long w = y.shape[2];
        long c = y.shape[3];
        // "(L B) H W C -> (B H W) L C": one sequence over time per pixel (docs/MODEL.md §3 step 6, skipping the NCHW
        // round trip), held time-major as (L, B·H·W, C): a view of y, no copy (docs/MODEL.md §11.1).
        Tensor sequences = y.reshape(length, batch * h * w, c);
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
        (Tensor z, Tensor newState) = s5_block!.ForwardTimeMajor(sequences, flatState, stepScale, mode);
        // (L, B, C, h, w) with channels-last memory: the next stage's downsampling and the FPN take it without a copy.
        Tensor features = z.view(length, batch, h, w, c).permute(0, 1, 4, 2, 3);
        Tensor stateOut = newState.view(batch, h, w, -1).permute(0, 3, 1, 2);
        return (features.MoveToOuterDisposeScope(), stateOut.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// RVT runs the whole backbone once per frame; every stage depends only on the stage below at the same frame and
    /// on its own previous (h, c), so stepping this stage's LSTM over all L frames here gives the same result.
    /// </summary>
    private (Tensor Features, Tensor State) ForwardLstm(Tensor y, long length, Tensor? state)
    {
        using DisposeScope scope = NewDisposeScope();
        long batch = y.shape[0] / length;
        long c = y.shape[3];
        // N H W C -> N C H W (RVT's nhwC_2_nChw), then one (B, C, h, w) map per frame.
        Tensor frames = y.permute(0, 3, 1, 2).reshape(length, batch, c, y.shape[1], y.shape[2]);
        (Tensor H, Tensor C)? hc = null;
        if (state is not null)
        {
            if (state.dim() != 4 || state.shape[0] != batch || state.shape[1] != 2 * c || state.shape[2] != y.shape[1] || state.shape[3] != y.shape[2])
            {
                throw new ArgumentException(
                    $"lstm stage state must be ({batch}, {2 * c}, {y.shape[1]}, {y.shape[2]}) = [h | c], got ({string.Join(", ", state.shape)})", nameof(state));
            }
            Tensor[] parts = state.chunk(2, 1);
            hc = (parts[0], parts[1]);
        }
        var outputs = new Tensor[length];
        for (long t = 0; t < length; t++)
        {
            hc = lstm!.Forward(frames[t], hc);
            outputs[t] = hc.Value.H;
        }
        Tensor features = stack(outputs, 0);
        Tensor stateOut = cat([hc!.Value.H, hc.Value.C], 1);
        return (features.MoveToOuterDisposeScope(), stateOut.MoveToOuterDisposeScope());
    }
}
