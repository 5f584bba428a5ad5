using EventSsm.Model.Ssm;

namespace EventSsm.Model.Backbone;

/// <summary>
/// Hyper-parameters of the S5-ViT recurrent backbone (docs/MODEL.md §1). Defaults are the shared values of
/// <c>model/maxvit_yolox/default.yaml</c>; embed_dim, dim_head and partition_size depend on model size and dataset.
/// </summary>
public sealed record BackboneOptions
{
    /// <param name="inputChannels">Channels of the event representation (20 = 2 polarities × 10 bins).</param>
    /// <param name="embedDim">Stage-1 width; stage i has EmbedDim·DimMultiplier[i] channels.</param>
    /// <param name="dimMultiplier">Per-stage width multipliers (four stages).</param>
    /// <param name="numBlocks">MaxViT attention pairs per stage.</param>
    /// <param name="dimHead">Channels per attention head.</param>
    /// <param name="partitionSize">Window and grid partition (h, w), the same for every stage.</param>
    /// <param name="stemPatchSize">Stage-1 downsample factor (later stages use 2).</param>
    /// <param name="mlpRatio">MaxViT MLP expansion.</param>
    /// <param name="lsInitValue">LayerScale init (0 disables LayerScale).</param>
    /// <param name="stateMode">How the S5 layers use incoming states; Reference reproduces the checkpoints.</param>
    /// <param name="stepScale">Multiplies every S5 step Δ; 1 in the original (docs/MODEL.md §4.5).</param>
    /// <param name="dtMin">S5 init: lower bound of Δ.</param>
    /// <param name="dtMax">S5 init: upper bound of Δ.</param>
    /// <param name="bandlimit">S5 init: C-column mask threshold, null for none; the original hard-codes 0.5.</param>
    /// <param name="discretization">S5 discretisation; bilinear in the original.</param>
    /// <param name="recurrent">The temporal layer of every stage: S5 (the original) or RVT's conv LSTM.</param>
    /// <param name="lstm">The LSTM's options when <paramref name="recurrent"/> is Lstm; RVT's defaults when null.</param>
    public BackboneOptions(
        int inputChannels = 20,
        int embedDim = 64,
        int[]? dimMultiplier = null,
        int[]? numBlocks = null,
        int dimHead = 32,
        (int H, int W)? partitionSize = null,
        int stemPatchSize = 4,
        int mlpRatio = 4,
        double lsInitValue = 1e-5,
        S5StateMode stateMode = S5StateMode.Reference,
        double stepScale = 1.0,
        double dtMin = 1e-3,
        double dtMax = 1e-1,
        double? bandlimit = 0.5,
        S5Discretization discretization = S5Discretization.Bilinear,
        RecurrentLayer recurrent = RecurrentLayer.S5,
        LstmOptions? lstm = null)
    {
        InputChannels = inputChannels;
        EmbedDim = embedDim;
        DimMultiplier = dimMultiplier ?? [1, 2, 4, 8];
        NumBlocks = numBlocks ?? [1, 1, 1, 1];
        DimHead = dimHead;
        PartitionSize = partitionSize ?? (8, 10);
        StemPatchSize = stemPatchSize;
        MlpRatio = mlpRatio;
        LsInitValue = lsInitValue;
        StateMode = stateMode;
        StepScale = stepScale;
        DtMin = dtMin;
        DtMax = dtMax;
        Bandlimit = bandlimit;
        Discretization = discretization;
        Recurrent = recurrent;
        Lstm = lstm ?? new LstmOptions();
    }

    public int InputChannels { get; init; }

    public int EmbedDim { get; init; }

    public int[] DimMultiplier { get; init; }

    public int[] NumBlocks { get; init; }

    public int DimHead { get; init; }

    /// <summary>Default (8, 10) = Gen1's 256×320 input / 32.</summary>
    public (int H, int W) PartitionSize { get; init; }

    public int StemPatchSize { get; init; }

    public int MlpRatio { get; init; }

    public double LsInitValue { get; init; }

    public S5StateMode StateMode { get; init; }

    public double StepScale { get; init; }

    public double DtMin { get; init; }

    public double DtMax { get; init; }

    public double? Bandlimit { get; init; }

    public S5Discretization Discretization { get; init; }

    /// <summary>
    /// The temporal layer. The S5 options (state mode, step scale, Δ range, bandlimit, discretisation) apply only to
    /// <see cref="RecurrentLayer.S5"/>; <see cref="Lstm"/> only to <see cref="RecurrentLayer.Lstm"/>.
    /// </summary>
    public RecurrentLayer Recurrent { get; init; }

    public LstmOptions Lstm { get; init; }

    /// <summary>Frequency-selective mask of the S5 outputs (modes above the band limit at the effective step); off in the original.</summary>
    public S5MaskMode Mask { get; init; } = S5MaskMode.Off;

    /// <summary>β of the mask: modes with s·Δ·|Im λ|/2π ≥ β/2 are cut. 0.5 as the original's init-time bandlimit.</summary>
    public double MaskBandlimit { get; init; } = 0.5;

    /// <summary>Weight of the H2 regulariser (energy of each S5 layer's response beyond the cutoff) in the training loss; 0 = off.</summary>
    public double H2Weight { get; init; }

    /// <summary>β of the H2 regulariser: its cutoff is ω_c = π·β (radians per step at the training step).</summary>
    public double H2Bandlimit { get; init; } = 0.5;

    public int StageCount => DimMultiplier.Length;

    public int StageDim(int stage) => EmbedDim * DimMultiplier[stage];

    /// <summary>Total downsampling of stage i's output relative to the input (4, 8, 16, 32 by default).</summary>
    public int StageStride(int stage) => StemPatchSize << stage;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent value.</summary>
    public void Validate()
    {
        if (DimMultiplier.Length == 0 || DimMultiplier.Length != NumBlocks.Length)
        {
            throw new ArgumentException(
                $"dim_multiplier ({DimMultiplier.Length}) and num_blocks ({NumBlocks.Length}) must list the same, non-zero number of stages");
        }
        if (InputChannels < 1 || EmbedDim < 1 || DimHead < 1 || MlpRatio < 1)
        {
            throw new ArgumentException("input_channels, embed_dim, dim_head and mlp_ratio must be positive");
        }
        for (int i = 0; i < StageCount; i++)
        {
            if (DimMultiplier[i] < 1 || NumBlocks[i] < 1)
            {
                throw new ArgumentException($"stage {i}: dim_multiplier and num_blocks must be positive");
            }
            if (StageDim(i) % DimHead != 0)
            {
                throw new ArgumentException($"stage {i}: width {StageDim(i)} is not a multiple of dim_head {DimHead}");
            }
        }
        if (StemPatchSize is not (2 or 4 or 8))
        {
            throw new ArgumentException($"stem patch size must be 2, 4 or 8, got {StemPatchSize}");
        }
        if (PartitionSize.H < 1 || PartitionSize.W < 1)
        {
            throw new ArgumentException($"partition size {PartitionSize} must be positive");
        }
        if (!(StepScale > 0) || !(DtMin > 0) || !(DtMax >= DtMin))
        {
            throw new ArgumentException("step_scale and dt_min must be positive and dt_max ≥ dt_min");
        }
        if (!Enum.IsDefined(Recurrent))
        {
            throw new ArgumentException($"unknown recurrent layer {Recurrent}");
        }
        Lstm.Validate();
        if (!(MaskBandlimit > 0) || !(H2Bandlimit > 0) || !(H2Weight >= 0))
        {
            throw new ArgumentException("mask_bandlimit and h2_bandlimit must be positive and h2_weight ≥ 0");
        }
    }
}
