using System.Globalization;
using System.Text.Json;
using TorchSharp;
using EventSsm.Checkpoints;
using EventSsm.Config;
using EventSsm.IO;
using EventSsm.Model.Backbone;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using static TorchSharp.torch;

namespace EventSsm.Training;

/// <summary>
/// A resumable training checkpoint in ONE safetensors file (so an atomic rename makes it all-or-nothing, and a
/// kill at any moment leaves the previous complete file): the model weights under their normal names, the
/// AdamW state as <c>__adamw.*</c> tensors, the stream states as <c>__state.i</c>, and the step, best metric and resolved
/// config in the metadata. Inference loaders ignore the <c>__</c> entries. Checkpoints of earlier versions hold the
/// optimizer state as TorchSharp's byte blob <c>__optimizer__</c>; they still resume.
/// </summary>
public static class TrainingCheckpoint
{
    public const string ReservedPrefix = DetectorCheckpoint.ReservedPrefix;
    private const string LegacyOptimizerKey = "__optimizer__";
    private const string OptimizerPrefix = ReservedPrefix + "adamw.";
    private const string StepKey = "eventssm.step";
    private const string BestKey = "eventssm.best_ap";

    public sealed record State(long Step, double BestAp);

    public static void Save(string path, YoloXDetector model, AdamWOptimizer optimizer, IReadOnlyList<Tensor>? streamStates,
        ConfigNode config, State state)
    {
        var tensors = new Dictionary<string, Tensor>(model.state_dict(), StringComparer.Ordinal);
        Dictionary<string, Tensor> optimizerState = optimizer.StateTensors(OptimizerPrefix);
        using Tensor steps = optimizerState[OptimizerPrefix + "steps"];
        foreach ((string key, Tensor value) in optimizerState)
        {
            tensors[key] = value;
        }
        if (streamStates is not null)
        {
            for (int i = 0; i < streamStates.Count; i++)
            {
                Tensor s = streamStates[i];
                tensors[$"{ReservedPrefix}state.{i}"] = s.is_complex() ? view_as_real(s).contiguous() : s;
            }
        }
        var meta = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SafetensorsFile.ConfigMetadataKey] = config.ToJson(),
            [StepKey] = state.Step.ToString(CultureInfo.InvariantCulture),
            [BestKey] = state.BestAp.ToString("R", CultureInfo.InvariantCulture),
        };
        SafetensorsFile.Write(path, tensors, meta);
    }

    /// <summary>The optimizer step a training checkpoint was saved at, or null for any other safetensors file.</summary>
    public static long? ReadStep(string path) =>
        SafetensorsFile.ReadMetadata(path).TryGetValue(StepKey, out string? step)
        && long.TryParse(step, NumberStyles.Integer, CultureInfo.InvariantCulture, out long s) ? s : null;

    /// <summary>Restores weights, optimizer and stream states; returns the step to continue from.</summary>
    public static (State State, Tensor[]? StreamStates) Load(string path, YoloXDetector model, AdamWOptimizer optimizer)
    {
        SafetensorsContent content = SafetensorsFile.Read(path);
        var weights = content.Tensors.Where(kv => !kv.Key.StartsWith(ReservedPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        StateDictLoader.Load(model, weights, strict: true);
        // The file's tensors are on the CPU; the stream states continue on the model's device.
        Device device = model.parameters().First().device;
        if (content.Tensors.ContainsKey(OptimizerPrefix + "steps"))
        {
            optimizer.LoadStateTensors(content.Tensors, OptimizerPrefix, path);
        }
        else if (content.Tensors.TryGetValue(LegacyOptimizerKey, out Tensor? blob))
        {
            optimizer.LoadTorchSharpState(blob.data<byte>().ToArray());
        }
        else
        {
            throw new IO.DataFormatException(path, "not a training checkpoint (no optimizer state); use it with validate/predict, or start a new run");
        }
        Tensor[] states = content.Tensors.Where(kv => kv.Key.StartsWith(ReservedPrefix + "state.", StringComparison.Ordinal))
            .OrderBy(kv => int.Parse(kv.Key[(ReservedPrefix.Length + 6)..], CultureInfo.InvariantCulture))
            .Select(kv => RestoreState(kv.Value, model.Options.Backbone.Recurrent == RecurrentLayer.S5, device))
            .ToArray();
        long step = long.Parse(content.Metadata[StepKey], CultureInfo.InvariantCulture);
        double best = double.Parse(content.Metadata[BestKey], CultureInfo.InvariantCulture);
        foreach (Tensor t in content.Tensors.Values)
        {
            t.Dispose();
        }
        return (new State(step, best), states.Length > 0 ? states : null);
    }

    private static Tensor RestoreState(Tensor stored, bool complex, Device device)
    {
        if (!complex)
        {
            return stored.to(device, copy: true);
        }
        using Tensor view = view_as_complex(stored);
        return view.to(device, copy: true);
    }
}
