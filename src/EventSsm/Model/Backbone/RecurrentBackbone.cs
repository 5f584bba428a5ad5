using System.Collections.ObjectModel;
using TorchSharp;
using TorchSharp.Modules;
using EventSsm.Model.Ssm;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EventSsm.Model.Backbone;

/// <summary>
/// The S5-ViT recurrent backbone (the original's <c>RNNDetector</c>, docs/MODEL.md §3): four stages of strides
/// 4/8/16/32, each fed the recurrent-layer output (S5 block, or RVT's LSTM h) of the previous one. Keys: <c>stages.{i}.*</c> (the checkpoint's
/// <c>mdl.backbone.</c> prefix removed).
/// </summary>
public sealed class RecurrentBackbone : nn.Module
{
    private readonly ModuleList<RecurrentStage> stages;

    public RecurrentBackbone(BackboneOptions options) : base(nameof(RecurrentBackbone))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        var list = new RecurrentStage[options.StageCount];
        int dimIn = options.InputChannels;
        for (int i = 0; i < list.Length; i++)
        {
            int factor = i == 0 ? options.StemPatchSize : 2;
            list[i] = new RecurrentStage(dimIn, options.StageDim(i), factor, options.NumBlocks[i], options);
            dimIn = options.StageDim(i);
        }
        stages = new ModuleList<RecurrentStage>(list);
        RegisterComponents();
    }

    public BackboneOptions Options { get; }

    public IReadOnlyList<RecurrentStage> Stages => new ReadOnlyCollection<RecurrentStage>(stages);

    /// <summary>
    /// The dtype of the stages' weights (float32, or bfloat16 for <see cref="InferencePrecision.BFloat16"/>): the input
    /// is cast to it. Set by <see cref="YoloXDetector.SetInferencePrecision"/>.
    /// </summary>
    public ScalarType ComputeType { get; internal set; } = ScalarType.Float32;

    /// <summary>
    /// Recomputes the attention blocks of the given stages, numbered from 1, and of no other (docs/MODEL.md §11.2).
    /// </summary>
    public void RecomputeAttentionIn(IReadOnlyCollection<int> stageNumbers)
    {
        ArgumentNullException.ThrowIfNull(stageNumbers);
        foreach (int n in stageNumbers)
        {
            if (n < 1 || n > stages.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(stageNumbers), $"stage {n} is not one of 1..{stages.Count}");
            }
        }
        for (int i = 0; i < stages.Count; i++)
        {
            stages[i].RecomputeAttention = stageNumbers.Contains(i + 1);
        }
    }

    /// <summary>
    /// x (L, B, C_in, H, W) float32 → per-stage features (L, B, Ci, H/si, W/si) and states: (B, Pi, H/si, W/si)
    /// complex64 for S5, (B, 2Ci, H/si, W/si) = [h | c] for the LSTM.
    /// </summary>
    /// <param name="states">One state per stage (entries may be null), or null for a zero start.</param>
    /// <param name="stepScale">Overrides <see cref="BackboneOptions.StepScale"/>.</param>
    /// <param name="stateMode">Overrides <see cref="BackboneOptions.StateMode"/>.</param>
    public (Tensor[] Features, Tensor[] States) Forward(
        Tensor x,
        IReadOnlyList<Tensor?>? states = null,
        double? stepScale = null,
        S5StateMode? stateMode = null)
    {
        if (states is not null && states.Count != stages.Count)
        {
            throw new ArgumentException($"expected {stages.Count} stage states, got {states.Count}", nameof(states));
        }
        double scale = stepScale ?? Options.StepScale;
        S5StateMode mode = stateMode ?? Options.StateMode;
        var features = new Tensor[stages.Count];
        var newStates = new Tensor[stages.Count];
        Tensor input = x.dtype == ComputeType ? x : x.to(ComputeType);
        for (int i = 0; i < stages.Count; i++)
        {
            (features[i], newStates[i]) = stages[i].Forward(input, states?[i], scale, mode);
            input = features[i];
        }
        return (features, newStates);
    }
}
