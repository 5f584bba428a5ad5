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
    private const string LightningPrefix = "mdl.";

    /// <summary>Names of non-weight entries in our training checkpoints (<c>EventSsm.Training.TrainingCheckpoint</c>).</summary>
    public const string ReservedPrefix = "__";

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

    /// <summary>The resolved config embedded in one of our .safetensors checkpoints, or null.</summary>
    public static ConfigNode? ReadEmbeddedConfig(string path)
    {
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
}
