using System.Globalization;
using EventSsm.Checkpoints.Pickle;
using EventSsm.Checkpoints;
using EventSsm.IO;
using static TorchSharp.torch;

namespace EventSsm.Workflows.Inspection;

/// <summary>
/// `eventssm inspect` lines for weight files: PyTorch .pt/.ckpt (<see cref="TorchCheckpoint"/>) and .safetensors.
/// Tensors are described from their headers only; no tensor is materialised.
/// </summary>
public static class CheckpointInspector
{
    /// <summary>How many tensor names (with shapes) are listed.</summary>
    public const int ListedTensors = 20;

    /// <summary>
    /// Lines describing a PyTorch checkpoint: Lightning metadata, the state dict's size and its first tensors.
    /// </summary>
    public static IReadOnlyList<string> DescribeTorch(string path)
    {
        TorchCheckpoint ckpt = TorchCheckpoint.Read(path);
        if (ckpt.Root is not PickleDict top)
        {
            throw new DataFormatException(path, $"top-level object is {PickleReader.Describe(ckpt.Root)}, not a dict");
        }
        bool lightning = top.TryGetValue("state_dict", out object? inner);
        PickleDict stateDict = lightning
            ? inner as PickleDict ?? throw new DataFormatException(path, $"'state_dict' is {PickleReader.Describe(inner)}, not a dict")
            : top;
        var lines = new List<string>
        {
            lightning ? "format: PyTorch Lightning checkpoint" : "format: PyTorch state_dict",
            $"top-level keys: {string.Join(", ", top.Keys.Select(k => k as string ?? PickleReader.Describe(k)))}",
        };
        if (ckpt.Epoch is { } epoch)
        {
            lines.Add($"epoch: {epoch}");
        }
        if (ckpt.GlobalStep is { } step)
        {
            lines.Add($"global_step: {step}");
        }
        var tensors = new List<(string Name, ScalarType DType, long[] Shape)>();
        foreach (KeyValuePair<object, object?> kv in stateDict.Items)
        {
            if (kv.Key is string name && kv.Value is TorchTensorRecord r)
            {
                tensors.Add((name, r.Storage.DType, r.Shape));
            }
        }
        lines.AddRange(DescribeTensors(tensors));
        return lines;
    }

    /// <summary>
    /// Lines describing a safetensors checkpoint: metadata, the embedded config's presence and the tensors.
    /// </summary>
    public static IReadOnlyList<string> DescribeSafetensors(string path)
    {
        IReadOnlyList<(string Name, ScalarType DType, long[] Shape)> tensors = SafetensorsFile.ReadTensorInfo(path);
        Dictionary<string, string> metadata = SafetensorsFile.ReadMetadata(path);
        var lines = new List<string> { "format: safetensors" };
        lines.Add(metadata.Count == 0
            ? "metadata: none"
            : $"metadata keys: {string.Join(", ", metadata.Keys.Order(StringComparer.Ordinal))}");
        if (metadata.TryGetValue(SafetensorsFile.ConfigMetadataKey, out string? config))
        {
            lines.Add($"embedded config: {config.Length:N0} characters of JSON under '{SafetensorsFile.ConfigMetadataKey}'");
        }
        lines.AddRange(DescribeTensors(tensors));
        return lines;
    }

    /// <summary>
    /// Learned parameters: every tensor except BatchNorm's running statistics and batch counter, which are buffers
    /// (model.parameters() in PyTorch does not count them).
    /// </summary>
    public static bool IsParameter(string name) =>
        !(name.EndsWith(".running_mean", StringComparison.Ordinal)
          || name.EndsWith(".running_var", StringComparison.Ordinal)
          || name.EndsWith(".num_batches_tracked", StringComparison.Ordinal));

    private static IEnumerable<string> DescribeTensors(IReadOnlyList<(string Name, ScalarType DType, long[] Shape)> tensors)
    {
        long parameters = tensors.Where(t => IsParameter(t.Name)).Sum(t => Numel(t.Shape));
        long all = tensors.Sum(t => Numel(t.Shape));
        yield return $"tensors: {tensors.Count}";
        yield return $"parameters: {FormatCount(parameters)} ({parameters.ToString("N0", CultureInfo.InvariantCulture)}; "
            + $"{all.ToString("N0", CultureInfo.InvariantCulture)} elements with BatchNorm buffers)";
        foreach (string dtype in tensors.GroupBy(t => t.DType).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} ×{g.Count()}"))
        {
            yield return $"dtype: {dtype}";
        }
        foreach ((string name, ScalarType dtype, long[] shape) in tensors.Take(ListedTensors))
        {
            yield return $"  {name}: {dtype} [{string.Join(", ", shape)}]";
        }
        if (tensors.Count > ListedTensors)
        {
            yield return $"  … {tensors.Count - ListedTensors} more";
        }
    }

    /// <summary>"9.68 M", "512.0 K" or "300".</summary>
    public static string FormatCount(long n) => n switch
    {
        >= 1_000_000_000 => (n / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " G",
        >= 1_000_000 => (n / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " M",
        >= 1_000 => (n / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " K",
        _ => n.ToString(CultureInfo.InvariantCulture),
    };

    private static long Numel(long[] shape) => shape.Aggregate(1L, (a, b) => a * b);
}
