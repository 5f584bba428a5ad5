using TorchSharp;
using EventSsm.Model;
using static TorchSharp.torch;

namespace EventSsm.Checkpoints;

/// <summary>
/// Copies named tensors into a module's parameters and buffers (the targets of <c>module.state_dict()</c>), like
/// PyTorch's <c>load_state_dict</c> but reporting every difference (YOLOX's <c>load_ckpt</c> is the model).
/// Strict mode loads nothing unless the names and shapes match exactly; non-strict mode loads every entry whose
/// name and shape match and reports the rest.
/// </summary>
public static class StateDictLoader
{
    /// <summary>
    /// Loads <paramref name="source"/> into <paramref name="module"/>; strict mode throws <see
    /// cref="StateDictMismatchException"/> (loading nothing) unless names and shapes match exactly.
    /// </summary>
    public static StateDictLoadReport Load(nn.Module module, IReadOnlyDictionary<string, Tensor> source, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(source);
        Dictionary<string, Tensor> targets = module.state_dict();
        StateDictLoadReport report = Compare(targets, source);
        if (strict && !report.IsExact)
        {
            throw new StateDictMismatchException(report);
        }
        using IDisposable noGrad = no_grad();
        foreach (string name in report.Loaded)
        {
            Tensor target = targets[name];
            Tensor value = source[name];
            using DisposeScope scope = NewDisposeScope();
            target.copy_(value.to(target.dtype, target.device));
        }
        // The copies are in place, which no cache can notice by itself.
        InferenceCaches.Invalidate(module);
        return report;
    }

    /// <summary>The report <see cref="Load"/> would give, without touching the module.</summary>
    public static StateDictLoadReport Compare(IReadOnlyDictionary<string, Tensor> targets, IReadOnlyDictionary<string, Tensor> source)
    {
        var report = new StateDictLoadReport();
        foreach ((string name, Tensor target) in targets)
        {
            if (!source.TryGetValue(name, out Tensor? value))
            {
                report.MissingKeys.Add(name);
                continue;
            }
            if (!target.shape.SequenceEqual(value.shape))
            {
                report.ShapeMismatches.Add(new StateDictLoadReport.ShapeMismatch(name, target.shape, value.shape));
                continue;
            }
            if (target.dtype != value.dtype)
            {
                report.DTypeConversions.Add(new StateDictLoadReport.DTypeConversion(name, value.dtype, target.dtype));
            }
            report.Loaded.Add(name);
        }
        report.UnexpectedKeys.AddRange(source.Keys.Where(k => !targets.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal));
        return report;
    }
}
