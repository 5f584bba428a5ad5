using EventSsm.Checkpoints.Pickle;
using EventSsm.Config;
using EventSsm.IO.Numpy;
using EventSsm.IO;
using EventSsm.Model;
using EventSsm.Tensors;
using EventSsm.Training;
using static TorchSharp.torch;

namespace EventSsm.Checkpoints;

/// <summary>
/// Detector weights in any of the formats users have: the official Lightning <c>.ckpt</c>, a plain PyTorch
/// <c>.pt</c> state dict, an <c>.npz</c> of the state dict, or our own <c>.safetensors</c> (which also embeds the
/// resolved config, so it is self-describing). Keys are the original's without the <c>mdl.</c> prefix.
/// </summary>
public static class DetectorCheckpoint
{
    /// <summary>
    /// The prefix of every weight in a Lightning checkpoint of the original (its <c>Module.mdl</c>, docs/MODEL.md §7).
    /// </summary>
    public const string LightningPrefix = "mdl.";

    /// <summary>Names of non-weight entries in our training checkpoints (<c>EventSsm.Training.TrainingCheckpoint</c>).</summary>
    public const string ReservedPrefix = "__";

    /// <summary>
    /// The detector's weights from any supported file (.ckpt, .pt, .pth, .npz, .safetensors), keys without <c>mdl.</c>;
    /// training-checkpoint extras (<see cref="ReservedPrefix"/>) are left out.
    /// </summary>
    public static Dictionary<string, Tensor> ReadWeights(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: checkpoint not found", path);
        }
        string ext = Path.GetExtension(path).ToLowerInvariant();
        Dictionary<string, Tensor> raw = ext switch
        {
            ".ckpt" or ".pt" or ".pth" => TorchCheckpoint.LoadStateDict(path),
            ".npz" => NpyTensor.ReadNpzTensors(path),
            ".safetensors" => ModelTensors(SafetensorsFile.Read(path).Tensors),
            _ => throw new UnsupportedDataException(path, "unknown checkpoint type (expected .ckpt, .pt, .npz or .safetensors)"),
        };
        // Lightning checkpoints (and state dicts saved from them) prefix every key with "mdl.".
        if (raw.Count > 0 && raw.Keys.All(k => k.StartsWith(LightningPrefix, StringComparison.Ordinal)))
        {
            return raw.ToDictionary(kv => kv.Key[LightningPrefix.Length..], kv => kv.Value, StringComparer.Ordinal);
        }
        return raw;
    }

    /// <summary>
    /// The model's tensors of a safetensors file: a training checkpoint (checkpoints/last.safetensors) also holds the
    /// optimizer and stream states under names starting with <c>__</c>, which are no weights.
    /// </summary>
    private static Dictionary<string, Tensor> ModelTensors(IReadOnlyDictionary<string, Tensor> all)
    {
        var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach ((string key, Tensor t) in all)
        {
            if (key.StartsWith(ReservedPrefix, StringComparison.Ordinal))
            {
                t.Dispose();
            }
            else
            {
                weights[key] = t;
            }
        }
        return weights;
    }

    /// <summary>
    /// The resolved config embedded in one of our .safetensors checkpoints, or in a Lightning .ckpt whose
    /// <c>hyper_parameters.full_config</c> is plain dicts (the ones <see cref="SaveLightning"/> writes); null otherwise,
    /// e.g. for the official checkpoints, whose config is an omegaconf object.
    /// </summary>
    public static ConfigNode? ReadEmbeddedConfig(string path)
    {
        if (path.EndsWith(".ckpt", StringComparison.OrdinalIgnoreCase))
        {
            TorchCheckpoint ckpt = TorchCheckpoint.ReadMetadata(path);
            return ckpt.Root is PickleDict root && root.TryGetValue("hyper_parameters", out object? hp) && hp is PickleDict hyper
                && hyper.TryGetValue("full_config", out object? full) && full is PickleDict
                ? PickleConfig.FromPickle(full, path)
                : null;
        }
        if (!path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        Dictionary<string, string> meta = SafetensorsFile.ReadMetadata(path);
        return meta.TryGetValue(SafetensorsFile.ConfigMetadataKey, out string? json) ? ConfigNode.FromJson(json) : null;
    }

    /// <summary>Loads weights into <paramref name="model"/>; strict mode fails with every missing/unexpected/mismatched key named.</summary>
    public static StateDictLoadReport Load(YoloXDetector model, string path, bool strict = true)
    {
        Dictionary<string, Tensor> weights = ReadWeights(path);
        try
        {
            return StateDictLoader.Load(model, weights, strict);
        }
        catch (StateDictMismatchException e)
        {
            throw new InvalidOperationException($"{path}: weights do not fit the configured model ({e.Message}). Check the experiment/overrides (e.g. +experiment/gen1=small.yaml vs base.yaml).", e);
        }
        finally
        {
            foreach (Tensor t in weights.Values)
            {
                t.Dispose();
            }
        }
    }

    /// <summary>Saves the weights (atomically) with the resolved config and any extra metadata.</summary>
    public static void Save(string path, YoloXDetector model, ConfigNode? config, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var meta = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        if (config is not null)
        {
            meta[SafetensorsFile.ConfigMetadataKey] = config.ToJson();
        }
        Dictionary<string, Tensor> sd = model.state_dict();
        SafetensorsFile.Write(path, sd, meta);
    }

    /// <summary>
    /// The weights as a PyTorch state dict under the original detector's key names (no <c>mdl.</c>), for
    /// <c>YoloXDetector.load_state_dict(torch.load(path, weights_only=True))</c> (docs/MODEL.md §7.1).
    /// </summary>
    public static void SaveStateDict(string path, YoloXDetector model)
    {
        ArgumentNullException.ThrowIfNull(model);
        TorchCheckpointWriter.WriteStateDict(path, StateDictInPythonOrder(model));
    }

    /// <summary>
    /// The weights as the Lightning checkpoint the original's validation script loads: keys prefixed with <c>mdl.</c>,
    /// the config in <c>hyper_parameters.full_config</c> (docs/MODEL.md §7.1).
    /// </summary>
    public static void SaveLightning(string path, YoloXDetector model, LightningCheckpointInfo info)
    {
        ArgumentNullException.ThrowIfNull(model);
        TorchCheckpointWriter.WriteLightning(path, StateDictInPythonOrder(model), info);
    }

    /// <summary>
    /// The state dict in PyTorch's order: module by module depth-first, each module's parameters, then its persistent
    /// buffers, then its children. TorchSharp's <c>state_dict()</c> lists every parameter before every buffer.
    /// </summary>
    public static OrderedDictionary<string, Tensor> StateDictInPythonOrder(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Dictionary<string, Tensor> sd = model.state_dict();
        var ordered = new OrderedDictionary<string, Tensor>(sd.Count, StringComparer.Ordinal);
        foreach (string key in PythonOrder(model, ""))
        {
            if (sd.TryGetValue(key, out Tensor? t))
            {
                ordered.TryAdd(key, t);
            }
        }
        foreach ((string key, Tensor t) in sd)
        {
            ordered.TryAdd(key, t);
        }
        return ordered;
    }

    private static IEnumerable<string> PythonOrder(nn.Module module, string prefix)
    {
        foreach ((string name, _) in module.named_parameters(recurse: false))
        {
            yield return prefix + name;
        }
        foreach ((string name, _) in module.named_buffers(recurse: false, include_nonpersistent: false))
        {
            yield return prefix + name;
        }
        foreach ((string name, nn.Module child) in module.named_children())
        {
            foreach (string key in PythonOrder(child, prefix + name + "."))
            {
                yield return key;
            }
        }
    }
}
