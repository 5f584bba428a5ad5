using EventSsm.Detections;
using EventSsm.IO.Numpy;
using EventSsm.IO;
using EventSsm.Model;
using TorchSharp;
using EventSsm.Inference;
using EventSsm.Model.Head;
using EventSsm.Model.Ssm;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Workflows.Parity;

/// <summary>
/// One network run on a ready input chunk, with every intermediate a researcher compares against the original:
/// per-stage backbone features, recurrent states, decoded head outputs and post-processed detections.
/// </summary>
public static class ForwardRunner
{
    /// <summary>The original's validation threshold for comparison runs (the config default is 0.1).</summary>
    public const double ComparisonConfidence = 0.001;

    /// <summary>
    /// The <c>forward</c> command: loads the detector, checks and reads the input .npy, runs it and writes the .npz.
    /// Detections use <see cref="ComparisonConfidence"/> unless the overrides set
    /// <c>model.postprocess.confidence_threshold</c>.
    /// </summary>
    /// <returns>The stage count, the head output shape and the detection count of the run.</returns>
    public static (int Stages, long[] HeadShape, int Detections) RunFile(ForwardFileOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using LoadedDetector detector = LoadedDetector.Load(options.Checkpoint, options.Overrides, options.ConfigDirectory);
        using DisposeScope scope = NewDisposeScope();
        NpyArray arr = NpyFile.Read(options.Input);
        if (arr.Shape.Length != 5 || !((arr.DType.Kind == 'u' && arr.DType.ItemSize == 1) || (arr.DType.Kind == 'f' && arr.DType.ItemSize == 4)))
        {
            throw new DataFormatException(options.Input, $"expected a uint8 or float32 (L, B, C, H, W) array, got {arr.DType} ({string.Join(", ", arr.Shape)})");
        }
        Tensor[]? states = options.StatesFrom is { } from ? ReadStates(from) : null;
        bool confidenceGiven = options.Overrides.Any(o => o.TrimStart('+').StartsWith("model.postprocess.confidence_threshold=", StringComparison.Ordinal));
        ForwardResult result = Run(detector.Model, NpyTensor.ToTensor(arr), states, options.StepScale, options.StateMode,
            confidenceGiven ? null : ComparisonConfidence);
        Save(options.Output, result);
        return (result.Stages.Length, result.Head.shape, result.Detections.Sum(d => d.Count));
    }

    /// <summary>Runs the model without gradients; every returned tensor belongs to the caller's dispose scope.</summary>
    public static ForwardResult Run(YoloXDetector model, Tensor x, IReadOnlyList<Tensor?>? states = null, double? stepScale = null,
        S5StateMode? stateMode = null, double? confidenceThreshold = null, double? nmsThreshold = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        using IDisposable noGrad = no_grad();
        Tensor input = InputPadder.Pad(x, model.Options.InputHeight, model.Options.InputWidth);
        (Tensor[] features, Tensor[] newStates) = model.ForwardBackbone(input, states, stepScale, stateMode);
        Tensor head = model.ForwardDetect(features).Decoded;
        IReadOnlyList<Detection>[] detections = TensorPostprocess.Run(head,
            confidenceThreshold ?? model.Options.ConfidenceThreshold, nmsThreshold ?? model.Options.NmsThreshold);
        return new ForwardResult(features, newStates, head, detections);
    }

    /// <summary>
    /// Writes <c>stage1..N</c> (L, B, C, h, w), <c>state1..N</c> (S5: (B, C, h, w, 2 = [re, im]); LSTM: (B, 2C, h, w) =
    /// [h | c]), <c>head</c> (L·B, A, 5+nc)
    /// and <c>detections</c> rows (frame, x1, y1, x2, y2, obj, cls_conf, cls_id), all float32, as one .npz.
    /// </summary>
    public static void Save(string path, ForwardResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var arrays = new List<KeyValuePair<string, NpyArray>>();
        for (int i = 0; i < result.Stages.Length; i++)
        {
            arrays.Add(new($"stage{i + 1}", NpyTensor.FromTensor(result.Stages[i].to(float32))));
        }
        for (int i = 0; i < result.States.Length; i++)
        {
            Tensor state = result.States[i];
            using Tensor real = state.is_complex() ? view_as_real(state.resolve_conj().contiguous()) : state.to(float32);
            arrays.Add(new($"state{i + 1}", NpyTensor.FromTensor(real)));
        }
        arrays.Add(new("head", NpyTensor.FromTensor(result.Head.to(float32))));
        arrays.Add(new("detections", DetectionRows(result.Detections)));
        NpzFile.Write(path, arrays);
    }

    /// <summary>
    /// Reads the states of a <see cref="Save"/>d file back, for continuing a stream: S5's (B, C, h, w, 2) as complex
    /// (B, C, h, w), an LSTM's (B, 2C, h, w) as is.
    /// </summary>
    public static Tensor[] ReadStates(string path)
    {
        Dictionary<string, NpyArray> all = NpzFile.ReadAll(path);
        var states = new List<Tensor>();
        for (int i = 1; all.TryGetValue($"state{i}", out NpyArray? a); i++)
        {
            bool complexPairs = a.Shape.Length == 4 + 1 && a.Shape[^1] == 2;
            if (a.DType.Kind != 'f' || a.DType.ItemSize != 4 || !(complexPairs || a.Shape.Length == 4))
            {
                throw new DataFormatException(path, $"state{i} must be float32 (B, C, h, w, 2) or (B, 2C, h, w), got {a.DType} ({string.Join(", ", a.Shape)})");
            }
            if (complexPairs)
            {
                using Tensor real = NpyTensor.ToTensor(a);
                states.Add(view_as_complex(real));
            }
            else
            {
                states.Add(NpyTensor.ToTensor(a));
            }
        }
        if (states.Count == 0)
        {
            throw new DataFormatException(path, "no state1.. arrays (expected the output of `eventssm forward`)");
        }
        return [.. states];
    }

    /// <summary>Detections as float32 rows (frame, x1, y1, x2, y2, obj, cls_conf, cls_id), frames in order.</summary>
    public static NpyArray DetectionRows(IReadOnlyList<IReadOnlyList<Detection>> detections)
    {
        ArgumentNullException.ThrowIfNull(detections);
        var rows = new List<float>();
        for (int f = 0; f < detections.Count; f++)
        {
            foreach (Detection d in detections[f])
            {
                rows.AddRange([f, d.X1, d.Y1, d.X2, d.Y2, d.ObjConf, d.ClassConf, d.ClassId]);
            }
        }
        return NpyArray.FromArray(rows.ToArray(), rows.Count / 8, 8);
    }
}
