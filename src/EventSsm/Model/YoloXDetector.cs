using TorchSharp;
using EventSsm.Checkpoints;
using EventSsm.Model.Backbone;
using EventSsm.Model.Head;
using EventSsm.Model.Neck;
using EventSsm.Model.Ssm;
using static TorchSharp.torch;

namespace EventSsm.Model;

/// <summary>
/// The whole S5-ViT detector (the original's <c>YoloXDetector</c>, docs/MODEL.md §2): the recurrent backbone runs on
/// a chunk (L, B, C, H, W); the FPN and head run once on the per-frame features of the frames that are needed,
/// concatenated along the batch (frame index t·B + b). State-dict keys equal the original's minus <c>mdl.</c>.
/// </summary>
public sealed class YoloXDetector : nn.Module
{
    private readonly RecurrentBackbone backbone;
    private readonly YoloPafpn fpn;
    private readonly YoloXHead yolox_head;

    public YoloXDetector(DetectorOptions options) : base(nameof(YoloXDetector))
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        backbone = new RecurrentBackbone(options.Backbone);
        fpn = new YoloPafpn(options.Fpn);
        yolox_head = new YoloXHead(options.Head);
        RegisterComponents();
    }

    public DetectorOptions Options { get; }

    public RecurrentBackbone Backbone => backbone;

    public YoloPafpn Fpn => fpn;

    public YoloXHead Head => yolox_head;

    public int NumClasses => Options.Head.NumClasses;

    /// <summary>Backbone on a chunk: per-stage features (L, B, Ci, hi, wi) and states (see <see cref="RecurrentStage.Forward"/>).</summary>
    public (Tensor[] Features, Tensor[] States) ForwardBackbone(Tensor x, IReadOnlyList<Tensor?>? states = null,
        double? stepScale = null, S5StateMode? stateMode = null) =>
        backbone.Forward(x, states, stepScale, stateMode);

    /// <summary>
    /// FPN and head on selected frames. <paramref name="frameIndices"/> are t·B + b indices into the flattened
    /// (L·B) frames, or null for all of them.
    /// </summary>
    public HeadOutputs ForwardDetect(Tensor[] backboneFeatures, long[]? frameIndices = null)
    {
        // No inner dispose scope: the returned anchor grid holds tensors too; the caller's scope owns everything.
        var inputs = new Tensor[Options.Fpn.InStages.Length];
        using Tensor? index = frameIndices is null ? null : tensor(frameIndices, device: backboneFeatures[0].device);
        for (int k = 0; k < inputs.Length; k++)
        {
            Tensor f = backboneFeatures[Options.Fpn.InStages[k] - 1];
            // (L·B, C, h, w) with channels-last strides, the batch stride included: a reshape of the (L, B, C, h, w)
            // view would give a one-frame batch a stride libtorch does not read as channels-last, and the FPN and
            // head would then run on NCHW memory (docs/MODEL.md §11.1). A view for the S5 backbone's output.
            Tensor frames = f.permute(0, 1, 3, 4, 2).reshape(f.shape[0] * f.shape[1], f.shape[3], f.shape[4], f.shape[2]);
            inputs[k] = (index is null ? frames : frames.index_select(0, index)).permute(0, 3, 1, 2);
        }
        return yolox_head.forward(fpn.forward(inputs));
    }

    /// <summary>Decoded outputs of every frame of a chunk: (L·B, anchors, 5 + classes), plus the new states.</summary>
    public (Tensor Decoded, Tensor[] States) Forward(Tensor x, IReadOnlyList<Tensor?>? states = null,
        double? stepScale = null, S5StateMode? stateMode = null)
    {
        using DisposeScope scope = NewDisposeScope();
        (Tensor[] features, Tensor[] newStates) = ForwardBackbone(x, states, stepScale, stateMode);
        HeadOutputs o = ForwardDetect(features);
        foreach (Tensor s in newStates)
        {
            s.MoveToOuterDisposeScope();
        }
        return (o.Decoded.MoveToOuterDisposeScope(), newStates);
    }

    /// <summary>
    /// Drops the inference caches of the S5 layers (see <see cref="S5Layer"/>). Loading weights through
    /// <c>load_state_dict</c>, <see cref="Checkpoints.StateDictLoader"/> or <see cref="Checkpoints.DetectorCheckpoint"/>,
    /// <c>train()</c>/<c>eval()</c> and <c>to()</c> do this already; call it after modifying parameters in place in eval mode.
    /// </summary>
    public void InvalidateCaches() => InferenceCaches.Invalidate(this);

    public override (IList<string> missing_keys, IList<string> unexpected_keyes) load_state_dict(
        Dictionary<string, Tensor> source, bool strict = true, IList<string>? skip = null)
    {
        InvalidateCaches();
        return base.load_state_dict(source, strict, skip);
    }

    /// <summary>
    /// The arithmetic of inference (docs/MODEL.md §11.3); float32 unless <see cref="SetInferencePrecision"/> changed
    /// it.
    /// </summary>
    public InferencePrecision Precision { get; private set; } = InferencePrecision.Float32;

    /// <summary>
    /// Stores the weights for <paramref name="precision"/>: bfloat16 casts every parameter and buffer except the S5
    /// layers' (they keep float32 and their complex state; docs/MODEL.md §11.3). In eval mode only: training runs in
    /// float32. Back to float32 keeps bfloat16's rounding of the weights; load the checkpoint again for the exact ones.
    /// </summary>
    public void SetInferencePrecision(InferencePrecision precision)
    {
        if (precision == Precision)
        {
            return;
        }
        if (training && precision != InferencePrecision.Float32)
        {
            throw new InvalidOperationException($"{precision} is for inference: call eval() first");
        }
        ScalarType type = precision == InferencePrecision.BFloat16 ? ScalarType.BFloat16 : ScalarType.Float32;
        // The S5 layers' weights are copied aside and put back, so that they never pass through bfloat16.
        S5Layer[] ssms = modules().OfType<S5Layer>().ToArray();
        Dictionary<string, Tensor>[] kept = ssms.Select(l => l.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone())).ToArray();
        this.to(type);
        for (int i = 0; i < ssms.Length; i++)
        {
            ssms[i].to(ScalarType.Float32);
            ssms[i].load_state_dict(kept[i]);
            foreach (Tensor t in kept[i].Values)
            {
                t.Dispose();
            }
        }
        backbone.ComputeType = type;
        InvalidateCaches();
        Precision = precision;
    }

    /// <summary>
    /// Readies the model for inference, as every command that runs a loaded checkpoint does: moved to
    /// <paramref name="device"/> when one is given, eval mode, then <see cref="SetInferencePrecision"/>.
    /// </summary>
    public void PrepareInference(Device? device, InferencePrecision precision)
    {
        if (device is not null)
        {
            this.to(device);
        }
        eval();
        SetInferencePrecision(precision);
    }

    /// <summary>Training needs float32 weights (<see cref="SetInferencePrecision"/>).</summary>
    public override void train(bool train = true)
    {
        if (train && Precision != InferencePrecision.Float32)
        {
            throw new InvalidOperationException($"a detector in {Precision} inference cannot train: training runs in float32");
        }
        base.train(train);
    }

    /// <summary>Trainable parameters, excluding BatchNorm running statistics (the count the paper reports).</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());
}
