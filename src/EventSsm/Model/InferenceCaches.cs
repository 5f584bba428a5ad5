using EventSsm.Model.Ssm;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Model;

/// <summary>
/// Drops the inference caches (<see cref="S5Layer"/>'s discretised operands, <see cref="Neck.BaseConv"/>'s folded
/// normalisation: every <see cref="IInferenceCache"/>) in a module tree. Weight loaders call it
/// after writing parameters in place, because a cache cannot notice in-place changes (TorchSharp has no tensor version).
/// </summary>
public static class InferenceCaches
{
    public static void Invalidate(nn.Module root)
    {
        ArgumentNullException.ThrowIfNull(root);
        foreach (IInferenceCache cache in root.modules().Prepend(root).OfType<IInferenceCache>())
        {
            cache.InvalidateCaches();
        }
    }
}
